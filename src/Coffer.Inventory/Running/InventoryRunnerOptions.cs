using Coffer.Common.Lifecycle;
using Coffer.Model.Inventory;

namespace Coffer.Inventory.Running;

public sealed record InventoryRunnerOptions
{
    /// <summary>A new part starts once a part holds this many bytes of rows before compression (1 GiB, as COS and S3).</summary>
    public long MaxPartBytes { get; init; } = 1L << 30;

    /// <summary>How long a claimed run or partition stays this runner's without a renewal; a runner that dies loses it after this.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Whether its runs count in the process's inventory metrics; the start-up warm-up's do not.</summary>
    public bool RecordsMetrics { get; init; } = true;

    /// <summary>Who holds leases: unique per process.</summary>
    public string Owner { get; init; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>How many partitions this runner scans at once: one per core.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// The most rows a partition holds: a bucket is cut into at least rows / this many partitions, so a worker that dies
    /// costs at most one partition's unfinished part.
    /// </summary>
    public long PartitionRows { get; init; } = 1_000_000;

    /// <summary>
    /// The fewest rows worth a partition of their own: a bucket is cut into one partition per worker when it holds this
    /// many rows per worker, and a smaller bucket is one partition (and its report one file).
    /// </summary>
    public long MinPartitionRows { get; init; } = 250_000;

    /// <summary>The most partitions a run is cut into.</summary>
    public int MaxPartitions { get; init; } = 512;

    /// <summary>How often a run's coordinator looks at partitions other runners hold, and renews its run's lease meanwhile.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Called after every row written, with the count so far; progress reports (and tests) hook in here.</summary>
    public Action<long>? RowWritten { get; init; }

    /// <summary>A bucket's lifecycle configuration, for the LifecycleExpirationDate column; null reports no expirations.</summary>
    public Func<string, LifecycleConfiguration?>? Lifecycle { get; init; }

    /// <summary>Called once a run has ended, succeeded or failed, with the run as stored (the server logs it).</summary>
    public Action<InventoryRun>? RunEnded { get; init; }

    /// <summary>Called when this runner has finished a partition (of its own run or another's), with the run's job id and the partition.</summary>
    public Action<string, int>? PartitionDone { get; init; }

    /// <summary>How many partitions a run of <paramref name="rows"/> rows is cut into.</summary>
    public int PartitionsFor(long rows)
    {
        var bySize = (rows + PartitionRows - 1) / Math.Max(1, PartitionRows);
        var byWorkers = Math.Min(Workers, rows / Math.Max(1, MinPartitionRows));
        return (int)Math.Clamp(Math.Max(bySize, byWorkers), 1, Math.Max(1, MaxPartitions));
    }
}
