using Coffer.Common;
using Coffer.Model.Journal;
using Coffer.Model.Notifications;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model.Inventory;

/// <summary>How far a run has got: entries scanned, entries that passed the filters, report files written.</summary>
public sealed record InventoryRunCounters(long ObjectsScanned, long BytesScanned, long ObjectsMatched, long BytesMatched, long FilesWritten)
{
    public static InventoryRunCounters Zero { get; } = new(0, 0, 0, 0, 0);
}

/// <summary>The result a runner reports when a run ends well, with the summary of its report (encoded by the runner).</summary>
public sealed record InventoryRunOutcome(InventoryRunCounters Counters, string ManifestKey, byte[]? Summary = null);

/// <summary>
/// A run handed to a runner, with the progress an earlier, interrupted attempt left (null on a first attempt) and the
/// instant the run reports on, pinned when it was first claimed: every attempt, partition and node reads the bucket there.
/// The instant is also marked in the change journal (<paramref name="Mark"/>), so later runs can report the changes since.
/// </summary>
public sealed record ClaimedRun(InventoryRun Run, byte[]? Progress, string Snapshot, RunInstant Mark);

/// <summary>
/// The queue of inventory runs. Runs are claimed with a lease that the runner renews; a run whose runner died
/// (lease expired while running) is claimed again, with the progress its last attempt saved.
/// </summary>
public sealed partial class InventoryRuns(IMetadataStore metadata, TimeProvider time, ObjectEvents? events = null)
{
    /// <summary>The change journal the runs' instants are marked in.</summary>
    public ChangeJournal Journal { get; } = new(metadata);

    /// <summary>Queues a run of a periodic configuration that an operator asked for.</summary>
    public async Task<InventoryRun> EnqueueAsync(string bucket, string configId, InventoryTrigger trigger, DateTimeOffset queuedAt,
        CancellationToken cancellationToken = default) =>
        await EnqueueAsync(bucket, configId, trigger, queuedAt, dueAfter: null, cancellationToken)
        ?? throw new InvalidOperationException("An unconditional run was not queued.");

    /// <summary>
    /// Queues the scheduled run of occurrence <paramref name="due"/>, unless one of that occurrence or a later one is
    /// queued already, or a run of the configuration has not finished: every node's scheduler asks, one run is queued.
    /// Null when none was.
    /// </summary>
    public Task<InventoryRun?> EnqueueScheduledAsync(string bucket, string configId, DateTimeOffset due, CancellationToken cancellationToken = default) =>
        EnqueueAsync(bucket, configId, InventoryTrigger.Scheduled, due, dueAfter: due, cancellationToken);

    private async Task<InventoryRun?> EnqueueAsync(string bucket, string configId, InventoryTrigger trigger, DateTimeOffset queuedAt,
        DateTimeOffset? dueAfter, CancellationToken cancellationToken)
    {
        var record = await metadata.WriteAsync(writer =>
        {
            var source = writer.Buckets.Get(bucket) ?? throw new CofferException(ErrorCode.NoSuchBucket, "The specified bucket does not exist.");
            // Reading the configuration holds the bucket's configurations, so the look at its runs below stays true until the commit.
            var config = writer.Configs.Get(source.Id, InventoryConfigurations.Kind, configId)
                ?? throw new CofferException(ErrorCode.NoSuchInventoryConfiguration, $"The inventory configuration '{configId}' does not exist.");
            if (dueAfter is { } due && writer.Runs.List(source.Id, configId, 50).Any(r => r.State is InventoryRunStates.Queued or InventoryRunStates.Running
                    || (r.Trigger == InventoryConfigurations.TriggerText(InventoryTrigger.Scheduled) && r.QueuedAt >= due)))
            {
                return null;
            }

            var run = new InventoryRunRecord
            {
                JobId = InventoryConfigurations.NewJobId(),
                BucketId = source.Id,
                ConfigId = configId,
                Trigger = InventoryConfigurations.TriggerText(trigger),
                State = InventoryRunStates.Queued,
                Config = config.Body,
                QueuedAt = queuedAt,
            };
            writer.Runs.Insert(run);
            return run;
        }, cancellationToken);
        return record is null ? null : InventoryConfigurations.ToRun(bucket, record);
    }

    /// <summary>
    /// Claims the oldest queued run, or a running one whose lease ran out (its runner died), for <paramref name="owner"/>
    /// until <paramref name="lease"/> from now. Null when there is nothing to do.
    /// </summary>
    public Task<ClaimedRun?> ClaimNextAsync(string owner, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return metadata.WriteAsync(writer =>
        {
            var queued = writer.Runs.ListInState(InventoryRunStates.Queued, 1);
            var candidate = queued.Count > 0
                ? queued[0]
                : writer.Runs.ListInState(InventoryRunStates.Running, 100).FirstOrDefault(r => r.LeaseExpires is null || r.LeaseExpires < now);
            return candidate is null ? null : Claim(writer, candidate, owner, now, lease);
        }, cancellationToken);
    }

    /// <summary>
    /// Makes every running run claimable at once, whatever its lease says. Only for a process that holds the data folder
    /// (it knows no other process can be running them): the leases it finds are those of a process that died. Returns how many.
    /// </summary>
    public Task<int> ReleaseAbandonedLeasesAsync(CancellationToken cancellationToken = default) =>
        metadata.WriteAsync(writer =>
        {
            var abandoned = writer.Runs.ListInState(InventoryRunStates.Running, int.MaxValue);
            foreach (var run in abandoned)
            {
                writer.Runs.Update(run with { LeaseExpires = null });
                foreach (var partition in writer.Partitions.List(run.JobId).Where(p => p.State == PartitionStates.Running))
                {
                    writer.Partitions.Update(partition with { LeaseExpires = null });
                }
            }

            return abandoned.Count;
        }, cancellationToken);

    /// <summary>Claims one given run (an operator's "run now"), unless another runner holds it.</summary>
    public Task<ClaimedRun?> ClaimAsync(string jobId, string owner, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return metadata.WriteAsync(writer =>
        {
            var run = writer.Runs.Get(jobId);
            var available = run is not null && (run.State == InventoryRunStates.Queued
                || (run.State == InventoryRunStates.Running && (run.LeaseExpires is null || run.LeaseExpires < now)));
            return available ? Claim(writer, run!, owner, now, lease) : null;
        }, cancellationToken);
    }

    /// <summary>Extends the lease, saves progress and the counters so far; false when the run is no longer this owner's.</summary>
    public Task<bool> SaveProgressAsync(string jobId, string owner, TimeSpan lease, byte[]? progress, InventoryRunCounters counters,
        CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return metadata.WriteAsync(writer =>
        {
            var run = writer.Runs.Get(jobId);
            if (run is null || run.State != InventoryRunStates.Running || run.LeaseOwner != owner)
            {
                return false;
            }

            writer.Runs.Update(run with
            {
                Progress = progress,
                LeaseExpires = now + lease,
                ObjectsScanned = counters.ObjectsScanned,
                BytesScanned = counters.BytesScanned,
                ObjectsMatched = counters.ObjectsMatched,
                BytesMatched = counters.BytesMatched,
                FilesWritten = counters.FilesWritten,
            });
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Records the run's success and, in the same transaction, the inventory event of its report (when
    /// <paramref name="delivered"/> tells of one): the event is queued exactly when the run is known to have succeeded.
    /// </summary>
    public Task CompleteAsync(string jobId, string owner, InventoryRunOutcome outcome, EventDetails? delivered = null,
        CancellationToken cancellationToken = default) =>
        Finish(jobId, owner, delivered, run => run with
        {
            State = InventoryRunStates.Succeeded,
            ObjectsScanned = outcome.Counters.ObjectsScanned,
            BytesScanned = outcome.Counters.BytesScanned,
            ObjectsMatched = outcome.Counters.ObjectsMatched,
            BytesMatched = outcome.Counters.BytesMatched,
            FilesWritten = outcome.Counters.FilesWritten,
            ManifestKey = outcome.ManifestKey,
        }, cancellationToken, outcome.Summary);

    public Task FailAsync(string jobId, string owner, string errorCode, string errorMessage, CancellationToken cancellationToken = default) =>
        Finish(jobId, owner, null, run => run with { State = InventoryRunStates.Failed, ErrorCode = errorCode, ErrorMessage = errorMessage }, cancellationToken);

    public InventoryRun Get(string bucket, string jobId)
    {
        using var reader = metadata.OpenSnapshot();
        var source = reader.Buckets.Get(bucket) ?? throw new CofferException(ErrorCode.NoSuchBucket, "The specified bucket does not exist.");
        var run = reader.Runs.Get(jobId);
        return run is not null && run.BucketId == source.Id
            ? InventoryConfigurations.ToRun(bucket, run)
            : throw new CofferException(ErrorCode.NoSuchInventoryRun, $"There is no inventory run '{jobId}' in this bucket.");
    }

    /// <summary>The summary stored with a run of <paramref name="bucket"/> (null for runs that have none: failed, or older).</summary>
    public byte[]? GetSummary(string bucket, string jobId)
    {
        var run = Get(bucket, jobId);
        using var reader = metadata.OpenSnapshot();
        return reader.Runs.GetSummary(run.JobId);
    }

    /// <summary>
    /// Runs of a bucket (or of one configuration), most recently queued first; with <paramref name="afterJobId"/>, the
    /// ones listed after that run (a page marker). An unknown marker is InvalidArgument.
    /// </summary>
    public IReadOnlyList<InventoryRun> List(string bucket, string? configId, int limit, string? afterJobId = null)
    {
        using var reader = metadata.OpenSnapshot();
        var source = reader.Buckets.Get(bucket) ?? throw new CofferException(ErrorCode.NoSuchBucket, "The specified bucket does not exist.");
        var after = afterJobId is null ? null : reader.Runs.Get(afterJobId) is { } marker && marker.BucketId == source.Id
            ? marker
            : throw new CofferException(ErrorCode.InvalidArgument, $"The marker '{afterJobId}' is not a run of this bucket.");
        return reader.Runs.List(source.Id, configId, limit, after).Select(r => InventoryConfigurations.ToRun(bucket, r)).ToArray();
    }

    /// <summary>
    /// The run an incremental or diff report of <paramref name="run"/> starts from: the one <paramref name="namedJobId"/>
    /// names (a succeeded run of the same bucket), or else the latest succeeded run of the same configuration (for an
    /// incremental report, only if it reported the same rows and columns); null when there is none. Its mark is null when the journal no longer holds it (purged with the changes after it).
    /// </summary>
    public (string JobId, RunInstant? Mark)? BaseOf(InventoryRun run, string? namedJobId)
    {
        using var reader = metadata.OpenSnapshot();
        var source = reader.Buckets.Get(run.Bucket) ?? throw new CofferException(ErrorCode.NoSuchBucket, "The specified bucket does not exist.");
        if (namedJobId is not null)
        {
            return (namedJobId, NamedMark(reader, source, namedJobId) is { } mark ? new RunInstant(mark) : null);
        }

        var previous = reader.Runs.List(source.Id, run.ConfigId, 100)
            .FirstOrDefault(r => r.JobId != run.JobId && r.State == InventoryRunStates.Succeeded && r.QueuedAt <= run.QueuedAt);
        // An incremental report replays on the previous one: once the configuration reports other rows or columns (its
        // filter, versions or fields changed, or it was deleted and made again otherwise), it starts again from a full report.
        if (previous is null || (run.Configuration.Kind == ReportKind.Incremental
            && !InventoryRules.ReportsTheSameRows(InventoryCodec.Decode(previous.Config), run.Configuration)))
        {
            return null;
        }

        return (previous.JobId, reader.Journal.GetMark(previous.JobId) is { } last ? new RunInstant(last) : null);
    }

    /// <summary>
    /// The runs a <see cref="ChangeReport"/> names, checked when it is stored so that its runs do not all fail: succeeded
    /// runs of this bucket, and a diff's end no earlier than its start.
    /// </summary>
    internal static void CheckNamedRuns(IMetadataView view, BucketRecord source, ChangeReport? report)
    {
        if (report?.FromJobId is not { } from)
        {
            return;
        }

        var start = NamedMark(view, source, from);
        if (report.ToJobId is { } to && NamedMark(view, source, to) is { } end && start is not null && end.Sequence < start.Sequence)
        {
            throw ReversedWindow(from, to);
        }
    }

    public static CofferException ReversedWindow(string fromJobId, string toJobId) => new(ErrorCode.InvalidArgument,
        $"CofferReport: ToJobId '{toJobId}' is a run of an earlier instant than FromJobId '{fromJobId}'; a diff runs forward in time.");

    /// <summary>The journal's mark of a succeeded run of the bucket (null when the journal no longer holds it); InvalidArgument for any other run.</summary>
    private static JournalMark? NamedMark(IMetadataView view, BucketRecord source, string jobId)
    {
        var named = view.Runs.Get(jobId);
        return named is null || named.BucketId != source.Id || named.State != InventoryRunStates.Succeeded
            ? throw new CofferException(ErrorCode.InvalidArgument, $"CofferReport names '{jobId}', which is not a succeeded inventory run of this bucket.")
            : view.Journal.GetMark(jobId);
    }

    /// <summary>Every periodic configuration with its bucket, and its most recent scheduled run, for the scheduler.</summary>
    public IReadOnlyList<(string Bucket, InventoryConfiguration Configuration, DateTimeOffset CreatedAt, InventoryRun? LastScheduled, bool Busy)> Periodic()
    {
        using var reader = metadata.OpenSnapshot();
        var result = new List<(string, InventoryConfiguration, DateTimeOffset, InventoryRun?, bool)>();
        foreach (var (bucket, config) in reader.Configs.ListAll(InventoryConfigurations.Kind))
        {
            var runs = reader.Runs.List(bucket.Id, config.ConfigId, 50);
            var lastScheduled = runs.FirstOrDefault(r => r.Trigger == InventoryConfigurations.TriggerText(InventoryTrigger.Scheduled));
            var busy = runs.Any(r => r.State is InventoryRunStates.Queued or InventoryRunStates.Running);
            result.Add((bucket.Name, InventoryCodec.Decode(config.Body), config.CreatedAt,
                lastScheduled is null ? null : InventoryConfigurations.ToRun(bucket.Name, lastScheduled), busy));
        }

        return result;
    }

    private static ClaimedRun Claim(IMetadataTransaction writer, InventoryRunRecord run, string owner, DateTimeOffset now, TimeSpan lease)
    {
        var claimed = run with
        {
            State = InventoryRunStates.Running,
            StartedAt = now,
            ObjectsScanned = 0,
            BytesScanned = 0,
            ObjectsMatched = 0,
            BytesMatched = 0,
            FilesWritten = 0,
            LeaseOwner = owner,
            LeaseExpires = now + lease,
        };
        writer.Runs.Update(claimed);
        var bucket = writer.Buckets.Get(run.BucketId)?.Name ?? "";
        // The first claim pins the instant the report is of; a later claim (after a runner died) finds the same pin.
        var snapshot = writer.Pins.Pin(run.JobId);
        return new ClaimedRun(InventoryConfigurations.ToRun(bucket, claimed), run.Progress, snapshot.Value, new RunInstant(writer.Journal.Mark(run.JobId, snapshot)));
    }

    private Task Finish(string jobId, string owner, EventDetails? delivered, Func<InventoryRunRecord, InventoryRunRecord> change,
        CancellationToken cancellationToken, byte[]? summary = null)
    {
        var now = time.GetUtcNow();
        return metadata.WriteAsync(writer =>
        {
            var run = writer.Runs.Get(jobId) ?? throw new InvalidOperationException($"Inventory run {jobId} does not exist.");
            if (run.LeaseOwner != owner)
            {
                throw new InvalidOperationException($"Inventory run {jobId} belongs to {run.LeaseOwner}, not {owner}.");
            }

            writer.Runs.Update(change(run) with { FinishedAt = now, LeaseOwner = null, LeaseExpires = null, Progress = null });
            writer.Pins.Release(jobId);
            writer.Partitions.DeleteAll(jobId);
            if (summary is not null)
            {
                writer.Runs.SetSummary(jobId, summary);
            }

            if (delivered is not null && events is not null && writer.Buckets.Get(run.BucketId) is { } source)
            {
                events.RecordInventory(writer, source, delivered);
            }

            return true;
        }, cancellationToken);
    }
}
