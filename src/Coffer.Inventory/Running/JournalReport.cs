using System.Runtime.InteropServices;
using Coffer.Inventory.Reports;
using Coffer.Model;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;
using Coffer.Reports;

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

        void Account(ScanItem item)
        {
            scanned += item.Scanned;
            scannedBytes += item.ScannedBytes;
            if (item.Row is { } row)
            {
                matched++;
                matchedBytes += row.Object.IsDeleteMarker ? 0 : row.Object.Size;
                options.RowWritten?.Invoke(matched);
            }
        }

        var renewAt = time.GetUtcNow() + (options.Lease / 3);
        var reportRows = new List<ReportRow>();
        ColumnBatch? columns = null;
        PartUpload? part = null;
        try
        {
            var rows = window.Rows(runs.Journal, plan.Source, plan.Walk, plan.Filter, plan.Configuration, plan.Context);
            await using (var scan = SnapshotScan.Start(rows, cancellationToken))
            {
                await foreach (var batch in scan.Batches(cancellationToken))
                {
                    // The batch's rows go into one column batch; a part ends once past its bound, at any row.
                    reportRows.Clear();
                    reportRows.AddRange(batch.Rows.Where(item => item.Row is not null).Select(item => item.Row!.Value));
                    if (columns is null || columns.Capacity < reportRows.Count)
                    {
                        columns = new ColumnBatch(plan.Schema.Output, Math.Max(1, batch.Rows.Count));
                    }

                    ReportBatchFiller.Fill(plan.Schema, plan.Context, CollectionsMarshal.AsSpan(reportRows), columns);
                    var (item, accounted, written) = (0, 0, 0);
                    while (written < reportRows.Count)
                    {
                        if (part is null)
                        {
                            var key = plan.NewDataKey();
                            await starting(key);
                            part = PartUpload.Start(objects, plan, key, cancellationToken);
                        }

                        written = await part.Writer.WriteAsync(columns, written, options.MaxPartBytes, cancellationToken);
                        for (; item < batch.Rows.Count && (accounted < written || batch.Rows[item].Row is null); item++)
                        {
                            accounted += batch.Rows[item].Row is null ? 0 : 1;
                            Account(batch.Rows[item]);
                        }

                        if (written < reportRows.Count)
                        {
                            await FinishAsync(part, files, stored, cancellationToken);
                            part = null;
                        }
                    }

                    for (; item < batch.Rows.Count; item++)
                    {
                        Account(batch.Rows[item]);
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
