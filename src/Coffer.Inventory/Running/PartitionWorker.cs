using Coffer.Common;
using Coffer.Inventory.Summary;
using Coffer.Model;
using Coffer.Model.Inventory;

namespace Coffer.Inventory.Running;

/// <summary>
/// Works one claimed partition to its end: removes the part a dead worker left unfinished, scans the partition's range
/// from its cursor at the run's instant, writes size-bounded parts (each ends at a key boundary, so a cursor is a key),
/// and after each part saves the cursor (last key, parts, counters, summary) with the partition's lease. A partition
/// this worker no longer holds (its lease ran out and another worker took it, or the run ended) is given up without
/// leaving anything of this worker's behind.
/// </summary>
internal sealed class PartitionWorker(IObjectService objects, InventoryRuns runs, TimeProvider time, InventoryRunnerOptions options)
{
    /// <summary>Runs the partition; <paramref name="saved"/> is told every cursor saved. Throws when the partition fails.</summary>
    public async Task RunAsync(ClaimedPartition claim, RunPlan plan, RowCounter rows, Action<RunPartition, PartitionProgress>? saved,
        CancellationToken cancellationToken)
    {
        var partition = claim.Partition;
        var progress = PartitionProgress.Decode(partition.Progress);
        var state = new State(partition, progress, saved);
        try
        {
            if (progress.InFlight is { } unfinished)
            {
                await ReportCleanup.RemoveUnfinishedAsync(objects, plan.Target, unfinished, progress.AttemptStarted, cancellationToken);
            }

            await SaveAsync(state, progress with
            {
                Attempt = progress.Attempt + 1,
                AttemptStarted = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()),
                InFlight = null,
            }, cancellationToken);
            await ScanAsync(state, plan, rows, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping (or dying): the part in flight is given up; the lease runs out and another worker resumes from the cursor.
            await AbandonAsync(state, plan);
            throw;
        }
        catch (LostPartitionException)
        {
            await AbandonAsync(state, plan);
            if (RunEndedFailed(plan.Run))
            {
                // The run failed while this worker wrote: what it finished since its coordinator cleaned up is its own to remove.
                await ReportCleanup.RemovePartitionAsync(objects, plan.Target, state.Progress with { InFlight = null }, CancellationToken.None);
            }

            throw;
        }
        catch (Exception error)
        {
            await AbandonAsync(state, plan);
            var code = error is CofferException coffer ? coffer.Code : ErrorCode.InternalError;
            await runs.EndPartitionAsync(partition, options.Owner, failed: true,
                (state.Progress with { ErrorCode = code.ToString(), ErrorMessage = error.Message }).Encode(), CancellationToken.None);
            throw;
        }
    }

    private async Task ScanAsync(State state, RunPlan plan, RowCounter rows, CancellationToken cancellationToken)
    {
        var partition = state.Partition;
        var progress = state.Progress;
        var summary = new SummaryBuilder(progress.ScanStart);
        if (ReportSummary.Decode(progress.Summary) is { } written)
        {
            summary.Add(written);
        }

        // Counted in locals (a record per row would be two allocations a row) and saved as a record with each cursor.
        var (scanned, scannedBytes, matched, matchedBytes) = progress.Counters;
        var lastKey = progress.LastKey;
        var walk = plan.Walk with { Start = lastKey ?? partition.FromKey, StartAfter = lastKey is not null, End = partition.ToKey };
        var renewAt = time.GetUtcNow() + (options.Lease / 3);
        var filter = plan.Filter.MatchesAll ? null : plan.Filter;
        await using (var scan = SnapshotScan.Start(objects, plan.Source, walk, cancellationToken))
        {
            await foreach (var batch in scan.Batches(cancellationToken))
            {
                foreach (var info in batch.Rows)
                {
                    // A part ends at a key boundary past its bound, so every version of the cursor's key is behind it.
                    if (state.Part is { } full && full.Writer.UncompressedBytes >= options.MaxPartBytes && info.Key != lastKey)
                    {
                        await FinishPartAsync(state, lastKey!, new(scanned, scannedBytes, matched, matchedBytes), summary, cancellationToken);
                    }

                    scanned++;
                    scannedBytes += info.Size;
                    lastKey = info.Key;
                    if (filter is not null && !filter.Matches(info))
                    {
                        continue;
                    }

                    matched++;
                    matchedBytes += info.Size;
                    summary.Add(info);
                    if (state.Part is null)
                    {
                        var key = plan.NewDataKey();
                        await SaveAsync(state, state.Progress with { InFlight = key }, cancellationToken);
                        state.Part = PartUpload.Start(objects, plan, key, cancellationToken);
                    }

                    await state.Part.Writer.WriteAsync(info, cancellationToken);
                    options.RowWritten?.Invoke(rows.Add());
                }

                if (time.GetUtcNow() >= renewAt)
                {
                    await SaveAsync(state, state.Progress, cancellationToken);
                    renewAt = time.GetUtcNow() + (options.Lease / 3);
                }
            }
        }

        var counters = new PartitionCounters(scanned, scannedBytes, matched, matchedBytes);
        if (state.Part is not null)
        {
            await FinishPartAsync(state, lastKey!, counters, summary, cancellationToken);
        }

        var done = state.Progress with { LastKey = lastKey, Counters = counters, Summary = summary.Build().Encode() };
        if (!await runs.EndPartitionAsync(partition, options.Owner, failed: false, done.Encode(), cancellationToken))
        {
            throw new LostPartitionException(partition);
        }

        state.Progress = done;
        state.Saved?.Invoke(partition, done);
        options.PartitionDone?.Invoke(partition.JobId, partition.Index);
    }

    private async Task FinishPartAsync(State state, string lastKey, PartitionCounters counters, SummaryBuilder summary, CancellationToken cancellationToken)
    {
        var part = state.Part!;
        var stored = await part.CompleteAsync(cancellationToken);
        state.Part = null;
        state.Stored = stored;
        await SaveAsync(state, state.Progress with
        {
            LastKey = lastKey,
            Parts = [.. state.Progress.Parts, new FinishedPart(stored.Key, stored.Size, stored.ETag, stored.VersionId)],
            InFlight = null,
            Counters = counters,
            Summary = summary.Build().Encode(),
        }, cancellationToken);
        state.Stored = null;
    }

    /// <summary>Saves the cursor and renews the lease; a partition no longer held ends this worker's part in it.</summary>
    private async Task SaveAsync(State state, PartitionProgress progress, CancellationToken cancellationToken)
    {
        if (!await runs.SavePartitionAsync(state.Partition, options.Owner, options.Lease, progress.Encode(), cancellationToken))
        {
            throw new LostPartitionException(state.Partition);
        }

        state.Progress = progress;
        state.Saved?.Invoke(state.Partition, progress);
    }

    /// <summary>Gives up the part being written, and a part that was stored but never recorded, so no object of this worker's is left unlisted.</summary>
    private async Task AbandonAsync(State state, RunPlan plan)
    {
        if (state.Part is { } part)
        {
            state.Stored = await part.AbandonAsync();
            state.Part = null;
        }

        if (state.Stored is { } stored)
        {
            await ReportCleanup.RemoveAsync(objects, plan.Target, stored.Key, stored.VersionId, CancellationToken.None);
            state.Stored = null;
        }
    }

    private bool RunEndedFailed(InventoryRun run)
    {
        try
        {
            return runs.Get(run.Bucket, run.JobId).State == InventoryRunState.Failed;
        }
        catch (CofferException)
        {
            return false;
        }
    }

    /// <summary>A worker's partition: its cursor as last saved, the part being written, and a part stored but not yet recorded.</summary>
    private sealed class State(RunPartition partition, PartitionProgress progress, Action<RunPartition, PartitionProgress>? saved)
    {
        public RunPartition Partition { get; } = partition;

        public PartitionProgress Progress { get; set; } = progress;

        public Action<RunPartition, PartitionProgress>? Saved { get; } = saved;

        public PartUpload? Part { get; set; }

        public Model.Objects.ObjectInfo? Stored { get; set; }
    }
}

/// <summary>Counts the rows the workers of one runner have written for a run (the <see cref="InventoryRunnerOptions.RowWritten"/> hook's figure).</summary>
internal sealed class RowCounter
{
    private long _rows;

    public long Add() => Interlocked.Increment(ref _rows);
}

/// <summary>The partition is no longer this worker's: its lease ran out and another took it, or its run ended.</summary>
internal sealed class LostPartitionException(RunPartition partition)
    : InvalidOperationException($"Partition {partition.Index} of inventory run {partition.JobId} is no longer held by this worker.");
