using System.Diagnostics.Metrics;
using Coffer.Model.Inventory;

namespace Coffer.Inventory.Running;

/// <summary>
/// Inventory's instruments (meter <c>Coffer.Inventory</c>): runs by outcome, how long they took, rows reported and the
/// rate of each run, and how long each run's split pass (the key sample its partitions are cut from) took. Any listener in the process (the console's Prometheus exporter) reads them.
/// </summary>
public static class InventoryMetrics
{
    public const string MeterName = "Coffer.Inventory";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Runs = Meter.CreateCounter<long>("coffer.inventory.runs", "{run}", "Inventory runs that ended, by outcome.");
    private static readonly Counter<long> Rows = Meter.CreateCounter<long>("coffer.inventory.rows", "{row}", "Rows written into inventory reports.");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("coffer.inventory.run.duration", "s", "How long inventory runs took.");
    private static readonly Histogram<double> RowRate = Meter.CreateHistogram<double>("coffer.inventory.run.rows_per_second", "{row}/s", "Rows per second of each run.");

    /// <summary>The instrument <see cref="Split"/> records the split pass's seconds on.</summary>
    public const string SplitDurationName = "coffer.inventory.split.duration";

    /// <summary>
    /// The instrument <see cref="Split"/> records the rows of each split pass's range on, tagged <c>estimated</c> true when
    /// they were estimated from the index's pages rather than counted.
    /// </summary>
    public const string SplitRowsName = "coffer.inventory.split.rows";

    private static readonly Histogram<double> SplitDuration = Meter.CreateHistogram<double>(SplitDurationName, "s",
        "How long the pass that samples a run's keys for its split points took (before any partition starts).");

    private static readonly Histogram<long> SplitRows = Meter.CreateHistogram<long>(SplitRowsName, "{row}",
        "Rows of each run's range, as its split pass counted or (estimated=true) estimated them.");

    /// <summary>Records the split pass of a run that was planned here.</summary>
    public static void Split(SplitPass split)
    {
        SplitDuration.Record(split.Took.TotalSeconds);
        SplitRows.Record(split.Rows, new KeyValuePair<string, object?>("estimated", split.Estimated));
    }

    /// <summary>Records a run that ended (succeeded or failed).</summary>
    public static void Ended(InventoryRun run)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", run.State == InventoryRunState.Succeeded ? "succeeded" : "failed");
        Runs.Add(1, outcome);
        Rows.Add(run.ObjectsMatched);
        if (run.StartedAt is { } started && run.FinishedAt is { } finished)
        {
            var seconds = Math.Max((finished - started).TotalSeconds, 0.001);
            Duration.Record(seconds, outcome);
            RowRate.Record(run.ObjectsMatched / seconds, outcome);
        }
    }
}
