using Coffer.Inventory.Reports;
using Coffer.Model;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;

namespace Coffer.Inventory.Running;

/// <summary>
/// Writes the data files of an incremental or diff report: the journal window's rows, read on a thread of their own and
/// cut into size-bounded parts, by the run's coordinator alone (no partitions: a window holds the changes since the last
/// run, few next to the bucket). The coordinator records every part before its write starts and when it is stored, so
/// a failed run, or a coordinator taking over from a dead one, removes them all and the window is read again from its start.
/// </summary>
internal sealed class JournalReport(IObjectService objects, InventoryRuns runs, TimeProvider time, InventoryRunnerOptions options)
{
    /// <summary>
    /// Writes the parts. <paramref name="starting"/> is told a part's key before its write starts and <paramref name="stored"/>
    /// the version once it is stored; <paramref name="save"/> is given the counters a few times per lease (it renews the run's lease).
    /// </summary>
    public async Task<(IReadOnlyList<ReportFile> Files, InventoryRunCounters Counters)> WriteAsync(RunPlan plan, JournalWindow window,
        Func<string, Task> starting, Func<ObjectInfo, Task> stored, Func<InventoryRunCounters, Task> save, CancellationToken cancellationToken)
    {
        var files = new List<ReportFile>();
        long scanned = 0, scannedBytes = 0, matched = 0, matchedBytes = 0;
        InventoryRunCounters Counters() => new(scanned, scannedBytes, matched, matchedBytes, files.Count);

        var renewAt = time.GetUtcNow() + (options.Lease / 3);
        PartUpload? part = null;
        try
        {
            var rows = window.Rows(runs.Journal, plan.Source, plan.Walk, plan.Filter, plan.Configuration, plan.Context);
            await using (var scan = SnapshotScan.Start(rows, cancellationToken))
            {
                await foreach (var batch in scan.Batches(cancellationToken))
                {
                    foreach (var item in batch.Rows)
                    {
                        scanned += item.Scanned;
                        scannedBytes += item.ScannedBytes;
                        if (item.Row is not { } row)
                        {
                            continue;
                        }

                        matched++;
                        matchedBytes += row.Object.IsDeleteMarker ? 0 : row.Object.Size;
                        if (part is null)
                        {
                            var key = plan.NewDataKey();
                            await starting(key);
                            part = PartUpload.Start(objects, plan, key, cancellationToken);
                        }

                        await part.Writer.WriteAsync(row, cancellationToken);
                        options.RowWritten?.Invoke(matched);
                        if (part.Writer.UncompressedBytes >= options.MaxPartBytes)
                        {
                            await FinishAsync(part, files, stored, cancellationToken);
                            part = null;
                        }
                    }

                    if (time.GetUtcNow() >= renewAt)
                    {
                        await save(Counters());
                        renewAt = time.GetUtcNow() + (options.Lease / 3);
                    }
                }
            }

            if (part is not null)
            {
                await FinishAsync(part, files, stored, cancellationToken);
                part = null;
            }
        }
        catch
        {
            // The part being written is given up; one that was stored all the same is removed here (its key was recorded
            // as started, so the coordinator's clean-up would find it too).
            if (part is not null && await part.AbandonAsync() is { } orphan)
            {
                await ReportCleanup.RemoveAsync(objects, plan.Target, orphan.Key, orphan.VersionId, CancellationToken.None);
            }

            throw;
        }

        return (files, Counters());
    }

    private static async Task FinishAsync(PartUpload part, List<ReportFile> files, Func<ObjectInfo, Task> stored, CancellationToken cancellationToken)
    {
        var version = await part.CompleteAsync(cancellationToken);
        files.Add(new ReportFile(version.Key, version.Size, version.ETag));
        await stored(version);
    }
}
