using Coffer.Common;
using Coffer.Inventory.Reports;
using Coffer.Model.Inventory;
using Coffer.Model.Journal;
using Coffer.Model.Objects;

namespace Coffer.Inventory.Running;

/// <summary>
/// What a run reports on: a full report of its instant, or the journal's changes from a base run's instant to its own (or
/// to a named run's, for a one-time diff). The first run of an incremental or diff configuration, with no earlier run to
/// start from, delivers a full report, which the next one starts from; so does every later attempt of that run (its
/// partitions were planned), even if a run to start from succeeded meanwhile.
/// </summary>
internal sealed record JournalWindow(ReportKind Kind, RunInstant? From, RunInstant To, ManifestJournal Manifest)
{
    public static JournalWindow For(InventoryRuns runs, ClaimedRun claimed, bool partitioned)
    {
        var run = claimed.Run;
        var report = run.Configuration.Report;
        var full = new JournalWindow(ReportKind.Full, null, claimed.Mark, new ManifestJournal(nameof(ReportKind.Full), claimed.Mark.Sequence, null, null, null, null));
        if (report is null || report.Kind == ReportKind.Full || partitioned || runs.BaseOf(run, report.FromJobId) is not { } start)
        {
            return full;
        }

        var from = Reachable(runs, start);
        var (to, toJobId) = (claimed.Mark, (string?)null);
        if (report.ToJobId is { } named && runs.BaseOf(run, named) is { } end)
        {
            (to, toJobId) = (end.Mark ?? throw Unreachable(end.JobId), named);
            if (to.Sequence < from.Sequence)
            {
                // Checked when the job was posted too; kept here for a job posted before that check.
                throw InventoryRuns.ReversedWindow(start.JobId, named);
            }
        }

        return new JournalWindow(report.Kind, from, to,
            new ManifestJournal(report.Kind.ToString(), null, from.Sequence, to.Sequence, start.JobId, toJobId));
    }

    /// <summary>The report's rows from the journal: each change's row in sequence order, or each object's difference in key order.</summary>
    public IEnumerable<ScanItem> Rows(ChangeJournal journal, string bucket, WalkOptions walk, ReportFilter filter, InventoryConfiguration configuration,
        ReportContext context)
    {
        var allVersions = configuration.IncludedObjectVersions == IncludedVersions.All;
        var schema = ReportSchema.For(configuration);
        var keyChanges = new List<ObjectChange>();
        if (Kind == ReportKind.Incremental && allVersions)
        {
            foreach (var change in journal.Read(bucket, From!, To, walk.Prefix, ChangeReadOrder.Sequence, walk))
            {
                yield return new ScanItem(1, change.Version.Size, JournalRows.Incremental(change, filter));
            }

            yield break;
        }

        if (Kind == ReportKind.Incremental)
        {
            // A current-versions report has a row per key: the changes of one key in a row of the sequence (those of one
            // write among them) make one row.
            foreach (var change in journal.Read(bucket, From!, To, walk.Prefix, ChangeReadOrder.Sequence, walk))
            {
                if (keyChanges.Count > 0 && keyChanges[0].Version.Key != change.Version.Key)
                {
                    yield return new ScanItem(0, 0, JournalRows.CurrentIncremental(keyChanges, filter, schema, context));
                    keyChanges.Clear();
                }

                keyChanges.Add(change);
                yield return new ScanItem(1, change.Version.Size, null);
            }

            if (keyChanges.Count > 0)
            {
                yield return new ScanItem(0, 0, JournalRows.CurrentIncremental(keyChanges, filter, schema, context));
            }

            yield break;
        }

        // One key's changes at a time: memory holds the changes of one key, however many keys changed.
        foreach (var change in journal.Read(bucket, From!, To, walk.Prefix, ChangeReadOrder.Key, walk))
        {
            if (keyChanges.Count > 0 && keyChanges[0].Version.Key != change.Version.Key)
            {
                foreach (var row in JournalRows.Diff(keyChanges, allVersions, filter, schema, context))
                {
                    yield return new ScanItem(0, 0, row);
                }

                keyChanges.Clear();
            }

            keyChanges.Add(change);
            yield return new ScanItem(1, change.Version.Size, null);
        }

        foreach (var row in JournalRows.Diff(keyChanges, allVersions, filter, schema, context))
        {
            yield return new ScanItem(0, 0, row);
        }
    }

    private static RunInstant Reachable(InventoryRuns runs, (string JobId, RunInstant? Mark) start) =>
        start.Mark is { } mark && runs.Journal.Covers(mark) ? mark : throw Unreachable(start.JobId);

    private static CofferException Unreachable(string jobId) => new(ErrorCode.InvalidArgument,
        $"The change journal no longer reaches back to inventory run '{jobId}' (changes are kept for the journal's retention); run a full report.");
}
