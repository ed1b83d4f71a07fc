using System.Threading.Channels;
using Coffer.Inventory.Reports;
using Coffer.Model;
using Coffer.Model.Objects;

namespace Coffer.Inventory.Running;

/// <summary>What the scan hands over at a time: rows in the source's order (the consumer filters and counts them, so a cursor is exact).</summary>
internal sealed record ScanBatch<T>(IReadOnlyList<T> Rows);

/// <summary>One step of a journal scan: what it read (a change; or nothing), and the report row it makes, if any.</summary>
internal readonly record struct ScanItem(int Scanned, long ScannedBytes, ReportRow? Row);

/// <summary>Starts scans: of a partition's range of the source at the run's instant, or of a run's journal window.</summary>
internal static class SnapshotScan
{
    public static SnapshotScan<ObjectInfo> Start(IObjectService objects, string bucket, WalkOptions walk, CancellationToken cancellationToken) =>
        new(() => objects.Walk(bucket, walk), cancellationToken);

    /// <summary>Starts enumerating <paramref name="source"/> (lazily: it is first stepped on the scan's thread).</summary>
    public static SnapshotScan<ScanItem> Start(IEnumerable<ScanItem> source, CancellationToken cancellationToken) => new(() => source, cancellationToken);
}

/// <summary>
/// The scan side of a partition (or of a journal report): walks its source on a thread of its own and hands the rows
/// over in batches, so that reading the store and encoding the report each get a core. At most a few batches wait
/// between the two, so memory stays bounded whatever the bucket's size.
/// </summary>
internal sealed class SnapshotScan<T> : IAsyncDisposable
{
    private const int BatchRows = 1024;
    private const int BatchesInFlight = 2;

    private readonly Channel<ScanBatch<T>> _batches =
        Channel.CreateBounded<ScanBatch<T>>(new BoundedChannelOptions(BatchesInFlight) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop;
    private readonly Task _producer;

    /// <param name="source">Called on the scan's thread: a walk opens its snapshot there.</param>
    internal SnapshotScan(Func<IEnumerable<T>> source, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _producer = Task.Run(() => ProduceAsync(source, _stop.Token), CancellationToken.None);
    }

    /// <summary>The batches in the source's order; a failure of the scan surfaces here.</summary>
    public IAsyncEnumerable<ScanBatch<T>> Batches(CancellationToken cancellationToken) => _batches.Reader.ReadAllAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // The consumer may stop early (a failed part): the scan stops too, and its snapshot is released.
        await _stop.CancelAsync();
        await _producer;
        _stop.Dispose();
    }

    private async Task ProduceAsync(Func<IEnumerable<T>> source, CancellationToken cancellationToken)
    {
        try
        {
            // A batch goes every BatchRows items, matching or not, so counters and the lease keep moving on a scan that filters most out.
            var rows = new List<T>(BatchRows);
            foreach (var item in source())
            {
                rows.Add(item);
                if (rows.Count == BatchRows)
                {
                    await _batches.Writer.WriteAsync(new ScanBatch<T>(rows), cancellationToken);
                    rows = new List<T>(BatchRows);
                }
            }

            if (rows.Count > 0)
            {
                await _batches.Writer.WriteAsync(new ScanBatch<T>(rows), cancellationToken);
            }

            _batches.Writer.Complete();
        }
        catch (Exception error)
        {
            _batches.Writer.TryComplete(error);
        }
    }
}
