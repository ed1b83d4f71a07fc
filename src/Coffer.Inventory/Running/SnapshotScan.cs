using System.Threading.Channels;
using Coffer.Model;
using Coffer.Model.Objects;

namespace Coffer.Inventory.Running;

/// <summary>What the scan hands over at a time: rows in key order (the consumer filters and counts them, so a cursor is exact).</summary>
internal sealed record ScanBatch(IReadOnlyList<ObjectInfo> Rows);

/// <summary>
/// The scan side of a partition: walks its range of the source, at the run's instant, on a thread of its own and hands
/// the rows over in batches, so that reading the store and encoding the report each get a core. At most a few
/// batches wait between the two, so memory stays bounded whatever the bucket's size.
/// </summary>
internal sealed class SnapshotScan : IAsyncDisposable
{
    private const int BatchRows = 1024;
    private const int BatchesInFlight = 2;

    private readonly Channel<ScanBatch> _batches =
        Channel.CreateBounded<ScanBatch>(new BoundedChannelOptions(BatchesInFlight) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop;
    private readonly Task _producer;

    private SnapshotScan(IObjectService objects, string bucket, WalkOptions walk, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _producer = Task.Run(() => ProduceAsync(objects, bucket, walk, _stop.Token), CancellationToken.None);
    }

    public static SnapshotScan Start(IObjectService objects, string bucket, WalkOptions walk, CancellationToken cancellationToken) =>
        new(objects, bucket, walk, cancellationToken);

    /// <summary>The batches in key order; a failure of the scan surfaces here.</summary>
    public IAsyncEnumerable<ScanBatch> Batches(CancellationToken cancellationToken) => _batches.Reader.ReadAllAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // The consumer may stop early (a failed part): the scan stops too, and its snapshot is released.
        await _stop.CancelAsync();
        await _producer;
        _stop.Dispose();
    }

    private async Task ProduceAsync(IObjectService objects, string bucket, WalkOptions walk, CancellationToken cancellationToken)
    {
        try
        {
            var rows = new List<ObjectInfo>(BatchRows);
            foreach (var info in objects.Walk(bucket, walk))
            {
                rows.Add(info);
                if (rows.Count == BatchRows)
                {
                    await _batches.Writer.WriteAsync(new ScanBatch(rows), cancellationToken);
                    rows = new List<ObjectInfo>(BatchRows);
                }
            }

            if (rows.Count > 0)
            {
                await _batches.Writer.WriteAsync(new ScanBatch(rows), cancellationToken);
            }

            _batches.Writer.Complete();
        }
        catch (Exception error)
        {
            _batches.Writer.TryComplete(error);
        }
    }
}
