using System.Diagnostics;
using Coffer.Common;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model.Inventory;

/// <summary>One key range of a run: [<see cref="FromKey"/>, <see cref="ToKey"/>), with the cursor its workers saved.</summary>
public sealed record RunPartition(string JobId, int Index, string FromKey, string? ToKey, bool IsDone, bool IsFailed, byte[]? Progress);

/// <summary>A run's partitions, and the split pass that cut them when this call planned them (null when an earlier attempt had).</summary>
public sealed record PartitionPlan(IReadOnlyList<RunPartition> Partitions, SplitPass? Split);

/// <summary>
/// The pass that found a run's split points: the range's rows (counted at the pinned instant, or, when
/// <paramref name="Estimated"/>, estimated from the index's pages or a table sample, every revision there counted), and
/// how long it took.
/// </summary>
public sealed record SplitPass(long Rows, TimeSpan Took, bool Estimated);

/// <summary>A partition handed to a worker, with its run and the run's pinned instant.</summary>
public sealed record ClaimedPartition(InventoryRun Run, RunPartition Partition, string Snapshot);

/// <summary>
/// The partitions of running runs: planned once per run from split candidates of the range (the index's pages, or a
/// key sample at the pinned instant; even in rows), then
/// leased one by one, so the cores of a node and the nodes of a cluster scan them in parallel, and a worker that dies
/// leaves its cursor for the next.
/// </summary>
public sealed partial class InventoryRuns
{
    /// <summary>How many keys a plan samples: split points are picked among them.</summary>
    private const int SampledKeys = 1024;

    /// <summary>
    /// A range estimated at fewer rows than this many times the fewest that make two partitions is counted exactly, so
    /// that a bucket one partition holds stays one (an estimate is off by a few percent; see docs/architecture.md).
    /// </summary>
    private const double ExactBelowTimesTwoPartitions = 1.5;

    /// <summary>
    /// A range estimated at fewer rows than this is counted exactly whatever the partition sizes: its exact pass takes
    /// about as long as reading the pages does at 10M rows (~15 ms), and its partitions are then cut at exact quantiles.
    /// </summary>
    private const long AlwaysExactBelow = 100_000;

    /// <summary>
    /// The partitions of <paramref name="run"/>: those planned already (by an earlier attempt), or new ones cut from a
    /// sample of [<paramref name="fromKey"/>, <paramref name="toKey"/>) of the bucket at <paramref name="snapshot"/>, as
    /// many as <paramref name="count"/> says for the rows sampled, each starting with <paramref name="progress"/>.
    /// </summary>
    public async Task<PartitionPlan> PlanPartitionsAsync(InventoryRun run, string snapshot, string fromKey, string? toKey,
        Func<long, int> count, byte[] progress, CancellationToken cancellationToken = default)
    {
        var planned = ListPartitions(run.JobId);
        if (planned.Count > 0)
        {
            return new PartitionPlan(planned, null);
        }

        var started = Stopwatch.GetTimestamp();
        KeySample sample;
        using (var reader = metadata.OpenSnapshot(new SnapshotPoint(snapshot)))
        {
            var bucket = reader.Buckets.Get(run.Bucket) ?? throw new CofferException(ErrorCode.NoSuchBucket, "The specified bucket does not exist.");
            sample = reader.Partitions.SplitCandidates(bucket.Id, fromKey, toKey, SampledKeys, ExactBelow(count));
        }

        var split = new SplitPass(sample.Rows, Stopwatch.GetElapsedTime(started), sample.Estimated);
        var splits = SplitKeys(sample, fromKey, Math.Max(1, count(sample.Rows)));
        return await metadata.WriteAsync(writer =>
        {
            // Another attempt may have planned meanwhile: its plan stands.
            var existing = writer.Partitions.List(run.JobId);
            if (existing.Count > 0)
            {
                return new PartitionPlan(existing.Select(ToPartition).ToArray(), null);
            }

            var bounds = new List<string> { fromKey };
            bounds.AddRange(splits);
            var records = bounds.Select((from, i) => new PartitionRecord
            {
                JobId = run.JobId,
                Index = i,
                FromKey = from,
                ToKey = i + 1 < bounds.Count ? bounds[i + 1] : toKey,
                State = PartitionStates.Pending,
                Progress = progress,
            }).ToArray();
            foreach (var record in records)
            {
                writer.Partitions.Insert(record);
            }

            return new PartitionPlan(records.Select(ToPartition).ToArray(), split);
        }, cancellationToken);
    }

    /// <summary>
    /// Rows below which a range is counted exactly: <see cref="ExactBelowTimesTwoPartitions"/> × the fewest rows
    /// <paramref name="count"/> cuts into two partitions (found by bisection; it only grows with the rows), and at least
    /// <see cref="AlwaysExactBelow"/>.
    /// </summary>
    public static long ExactBelow(Func<long, int> count)
    {
        const long Most = 1L << 50;
        if (count(Most) <= 1)
        {
            return long.MaxValue;
        }

        var (one, two) = (0L, Most);
        while (two - one > 1)
        {
            var middle = one + ((two - one) / 2);
            (one, two) = count(middle) > 1 ? (one, middle) : (middle, two);
        }

        return Math.Max(AlwaysExactBelow, (long)(two * ExactBelowTimesTwoPartitions));
    }

    /// <summary>Every partition of a run, in key order (none before it is planned, nor after it ends).</summary>
    public IReadOnlyList<RunPartition> ListPartitions(string jobId)
    {
        using var reader = metadata.OpenSnapshot();
        return reader.Partitions.List(jobId).Select(ToPartition).ToArray();
    }

    /// <summary>
    /// Takes the first partition a worker may work (pending, or whose worker's lease ran out) of run <paramref name="jobId"/>,
    /// or of any running run when null, for <paramref name="owner"/> until <paramref name="lease"/> from now. Null when none.
    /// </summary>
    public Task<ClaimedPartition?> ClaimPartitionAsync(string? jobId, string owner, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return metadata.WriteAsync(writer =>
        {
            foreach (var candidate in writer.Partitions.ListClaimable(jobId, now, 16))
            {
                var run = writer.Runs.Get(candidate.JobId);
                if (run is null || run.State != InventoryRunStates.Running || writer.Pins.Get(run.JobId) is not { } pin)
                {
                    continue;
                }

                var claimed = candidate with { State = PartitionStates.Running, LeaseOwner = owner, LeaseExpires = now + lease };
                writer.Partitions.Update(claimed);
                var bucket = writer.Buckets.Get(run.BucketId)?.Name ?? "";
                return new ClaimedPartition(InventoryConfigurations.ToRun(bucket, run), ToPartition(claimed), pin.Value);
            }

            return null;
        }, cancellationToken);
    }

    /// <summary>Saves a partition's cursor and renews its lease; false when the partition is no longer this owner's.</summary>
    public Task<bool> SavePartitionAsync(RunPartition partition, string owner, TimeSpan lease, byte[] progress, CancellationToken cancellationToken = default) =>
        UpdatePartitionAsync(partition, owner, p => p with { Progress = progress, LeaseExpires = time.GetUtcNow() + lease }, cancellationToken);

    /// <summary>Ends a partition, done or failed, with its last cursor; false when it is no longer this owner's.</summary>
    public Task<bool> EndPartitionAsync(RunPartition partition, string owner, bool failed, byte[] progress, CancellationToken cancellationToken = default) =>
        UpdatePartitionAsync(partition, owner, p => p with
        {
            State = failed ? PartitionStates.Failed : PartitionStates.Done,
            Progress = progress,
            LeaseOwner = null,
            LeaseExpires = null,
        }, cancellationToken);

    private Task<bool> UpdatePartitionAsync(RunPartition partition, string owner, Func<PartitionRecord, PartitionRecord> change,
        CancellationToken cancellationToken) =>
        metadata.WriteAsync(writer =>
        {
            var stored = writer.Partitions.Get(partition.JobId, partition.Index);
            if (stored is null || stored.State != PartitionStates.Running || stored.LeaseOwner != owner)
            {
                return false;
            }

            writer.Partitions.Update(change(stored));
            return true;
        }, cancellationToken);

    /// <summary>
    /// Up to <paramref name="partitions"/> - 1 split keys from an evenly spaced sample: each the sample key at its share of
    /// the rows, strictly increasing and after <paramref name="fromKey"/>, so every partition is a non-empty range.
    /// </summary>
    private static List<string> SplitKeys(KeySample sample, string fromKey, int partitions)
    {
        var splits = new List<string>();
        var keys = sample.Keys;
        for (var i = 1; i < partitions && keys.Count > 0; i++)
        {
            var key = keys[(int)((long)i * keys.Count / partitions)];
            var last = splits.Count > 0 ? splits[^1] : fromKey;
            if (ObjectKey.CompareUtf8(key, last) > 0)
            {
                splits.Add(key);
            }
        }

        return splits;
    }

    private static RunPartition ToPartition(PartitionRecord record) => new(record.JobId, record.Index, record.FromKey, record.ToKey,
        record.State == PartitionStates.Done, record.State == PartitionStates.Failed, record.Progress);
}
