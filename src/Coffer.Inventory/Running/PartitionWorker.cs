using System.Runtime.InteropServices;
using System.Text;
using Coffer.Common;
using Coffer.Inventory.Reports;
using Coffer.Inventory.Summary;
using Coffer.Model;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;
using Coffer.Reports;

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
    /// <summary>The rows a column batch holds at first (the scan hands over batches of 1,024 rows; a larger one grows it).</summary>
    private const int BatchRows = 1024;

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

        var cursor = new Cursor(progress.Counters, progress.LastKey, summary);
        var walk = plan.Walk with { Start = cursor.LastKey ?? partition.FromKey, StartAfter = cursor.LastKey is not null, End = partition.ToKey };
        var renewAt = time.GetUtcNow() + (options.Lease / 3);
        var inPlace = InPlaceScan.TryStart(objects, plan, walk, cancellationToken);
        if (inPlace is not null)
        {
            await using (inPlace)
            {
                await foreach (var batch in inPlace.Batches(cancellationToken))
                {
                    await WriteInPlaceAsync(state, plan, batch, cursor, rows, cancellationToken);
                    inPlace.Return(batch);
                    renewAt = await RenewIfDueAsync(state, renewAt, cancellationToken);
                }
            }
        }
        else
        {
            await using var scan = SnapshotScan.Start(objects, plan.Source, walk, cancellationToken);
            await foreach (var batch in scan.Batches(cancellationToken))
            {
                await WriteAsync(state, plan, batch.Rows, cursor, rows, cancellationToken);
                renewAt = await RenewIfDueAsync(state, renewAt, cancellationToken);
            }
        }

        if (state.Part is not null)
        {
            await FinishPartAsync(state, cursor, cancellationToken);
        }

        var done = state.Progress with { LastKey = cursor.LastKey, Counters = cursor.Counters, Summary = summary.Build().Encode() };
        if (!await runs.EndPartitionAsync(partition, options.Owner, failed: false, done.Encode(), cancellationToken))
        {
            throw new LostPartitionException(partition);
        }

        state.Progress = done;
        state.Saved?.Invoke(partition, done);
        options.PartitionDone?.Invoke(partition.JobId, partition.Index);
    }

    /// <summary>
    /// Writes the matched rows of a scanned batch, as one column batch, into parts. A part ends where its writer stops:
    /// past the bound, before a row of a new key, so every version of the cursor's key is behind it. The cursor (counters,
    /// summary, last key) moves over the scanned rows as far as what is written, so a part's saved cursor is exact.
    /// </summary>
    private async Task WriteAsync(State state, RunPlan plan, IReadOnlyList<ObjectInfo> scanned, Cursor cursor, RowCounter rows,
        CancellationToken cancellationToken)
    {
        var matched = state.Matched;
        var positions = state.MatchedPositions;
        matched.Clear();
        positions.Clear();
        var filter = plan.Filter.MatchesAll ? null : plan.Filter;
        for (var i = 0; i < scanned.Count; i++)
        {
            if (filter is null || filter.Matches(scanned[i]))
            {
                matched.Add(scanned[i]);
                positions.Add(i);
            }
        }

        if (state.Batch is not { } batch || batch.Capacity < matched.Count)
        {
            batch = state.Batch = new ColumnBatch(plan.Schema.Output, Math.Max(BatchRows, matched.Count));
        }

        ReportBatchFiller.Fill(plan.Schema, plan.Context, CollectionsMarshal.AsSpan(matched), batch);
        for (var m = 0; m < positions.Count; m++)
        {
            var previousKey = positions[m] > 0 ? scanned[positions[m] - 1].Key : cursor.LastKey;
            if (previousKey == scanned[positions[m]].Key)
            {
                batch.TieToPrevious(m);
            }
        }

        var accounted = 0;
        await WriteIntoPartsAsync(state, plan, batch, matched.Count, cursor,
            written => accounted = Account(scanned, accounted, positions[written], positions, cursor, rows), cancellationToken);
        Account(scanned, accounted, scanned.Count, positions, cursor, rows);
    }

    /// <summary>
    /// Writes the first <paramref name="count"/> rows of <paramref name="batch"/> into parts, starting a part where none is
    /// open; where a part ends before row <c>written</c>, <paramref name="accountUpTo"/> moves the cursor up to that row
    /// before the part is finished, so the part's saved cursor is exact.
    /// </summary>
    private async Task WriteIntoPartsAsync(State state, RunPlan plan, ColumnBatch batch, int count, Cursor cursor, Action<int> accountUpTo,
        CancellationToken cancellationToken)
    {
        var written = 0;
        while (written < count)
        {
            if (state.Part is null)
            {
                var key = plan.NewDataKey();
                await SaveAsync(state, state.Progress with { InFlight = key }, cancellationToken);
                state.Part = PartUpload.Start(objects, plan, key, cancellationToken);
            }

            written = await state.Part.Writer.WriteAsync(batch, written, options.MaxPartBytes, cancellationToken);
            if (written < count)
            {
                accountUpTo(written);
                await FinishPartAsync(state, cursor, cancellationToken);
            }
        }
    }

    /// <summary>Saves the cursor (renewing the lease) once a third of the lease has passed since the last save; returns when next.</summary>
    private async Task<DateTimeOffset> RenewIfDueAsync(State state, DateTimeOffset renewAt, CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() < renewAt)
        {
            return renewAt;
        }

        await SaveAsync(state, state.Progress, cancellationToken);
        return time.GetUtcNow() + (options.Lease / 3);
    }

    /// <summary>
    /// <see cref="WriteAsync"/> for a batch filled in place: every scanned row is in the report, so the batch is written
    /// as it is, and the cursor moves over its rows as far as each part goes.
    /// </summary>
    private async Task WriteInPlaceAsync(State state, RunPlan plan, InPlaceScan.ScannedRows scanned, Cursor cursor, RowCounter rows,
        CancellationToken cancellationToken)
    {
        var batch = scanned.Columns;
        if (scanned.Count > 0 && cursor.LastKey is { } lastKey && scanned.Key(0).SequenceEqual(Encoding.UTF8.GetBytes(lastKey)))
        {
            batch.TieToPrevious(0);
        }

        for (var row = 1; row < scanned.Count; row++)
        {
            if (scanned.Key(row).SequenceEqual(scanned.Key(row - 1)))
            {
                batch.TieToPrevious(row);
            }
        }

        var accounted = 0;
        await WriteIntoPartsAsync(state, plan, batch, scanned.Count, cursor,
            written => accounted = Account(scanned, accounted, written, cursor, rows), cancellationToken);
        Account(scanned, accounted, scanned.Count, cursor, rows);
    }

    /// <summary>Moves the cursor over rows <paramref name="from"/> to <paramref name="to"/> (exclusive) of a batch filled in place, every one of them written.</summary>
    private int Account(InPlaceScan.ScannedRows scanned, int from, int to, Cursor cursor, RowCounter rows)
    {
        for (var i = from; i < to; i++)
        {
            var size = scanned.Size(i);
            cursor.Scanned++;
            cursor.ScannedBytes += size;
            cursor.Matched++;
            cursor.MatchedBytes += size;
            cursor.Summary.Add(scanned.SummaryOf(i));
            options.RowWritten?.Invoke(rows.Add());
        }

        if (to > from)
        {
            cursor.LastKey = Encoding.UTF8.GetString(scanned.Key(to - 1));
        }

        return to;
    }

    /// <summary>Moves the cursor over scanned rows <paramref name="from"/> to <paramref name="to"/> (exclusive); returns <paramref name="to"/>.</summary>
    private int Account(IReadOnlyList<ObjectInfo> scanned, int from, int to, List<int> positions, Cursor cursor, RowCounter rows)
    {
        var next = positions.BinarySearch(from);
        next = next < 0 ? ~next : next;
        for (var i = from; i < to; i++)
        {
            var info = scanned[i];
            cursor.Scanned++;
            cursor.ScannedBytes += info.Size;
            cursor.LastKey = info.Key;
            if (next < positions.Count && positions[next] == i)
            {
                next++;
                cursor.Matched++;
                cursor.MatchedBytes += info.Size;
                cursor.Summary.Add(info);
                options.RowWritten?.Invoke(rows.Add());
            }
        }

        return to;
    }

    private async Task FinishPartAsync(State state, Cursor cursor, CancellationToken cancellationToken)
    {
        var part = state.Part!;
        var stored = await part.CompleteAsync(cancellationToken);
        state.Part = null;
        state.Stored = stored;
        await SaveAsync(state, state.Progress with
        {
            LastKey = cursor.LastKey,
            Parts = [.. state.Progress.Parts, new FinishedPart(stored.Key, stored.Size, stored.ETag, stored.VersionId)],
            InFlight = null,
            Counters = cursor.Counters,
            Summary = cursor.Summary.Build().Encode(),
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

        public ObjectInfo? Stored { get; set; }

        /// <summary>The matched rows of the batch being written, and their positions among the scanned ones (kept across batches).</summary>
        public List<ReportRow> Matched { get; } = new(BatchRows);

        public List<int> MatchedPositions { get; } = new(BatchRows);

        public ColumnBatch? Batch { get; set; }
    }

    /// <summary>How far a partition's rows are written: what the cursor saved with a finished part holds.</summary>
    /// <remarks>
    /// The counters are plain fields, moved a row at a time, and made a <see cref="PartitionCounters"/> only when the
    /// cursor is saved: a record per row would be two allocations a row.
    /// </remarks>
    private sealed class Cursor(PartitionCounters counters, string? lastKey, SummaryBuilder summary)
    {
        public long Scanned = counters.Scanned;
        public long ScannedBytes = counters.ScannedBytes;
        public long Matched = counters.Matched;
        public long MatchedBytes = counters.MatchedBytes;

        public PartitionCounters Counters => new(Scanned, ScannedBytes, Matched, MatchedBytes);

        public string? LastKey { get; set; } = lastKey;

        public SummaryBuilder Summary { get; } = summary;
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
