using System.Threading.Channels;
using Coffer.Inventory.Reports;

namespace Coffer.Inventory.Running;

/// <summary>What the scan hands over at a time: the rows that passed the filter, and how much it scanned to find them.</summary>
internal sealed record ScanBatch(IReadOnlyList<ReportRow> Matched, long Scanned, long ScannedBytes);

/// <summary>One step of a scan: what it read (a version, a change; or nothing), and the report row it makes, if any.</summary>
internal readonly record struct ScanItem(int Scanned, long ScannedBytes, ReportRow? Row);

/// <summary>
/// The scan side of a run: walks one snapshot of the source (or its journal) on a thread of its own, and hands the
/// report's rows over in batches, so that reading the store and encoding the report each get a core. At most a few
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

    private SnapshotScan(IEnumerable<ScanItem> source, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _producer = Task.Run(() => ProduceAsync(source, _stop.Token), CancellationToken.None);
    }

    /// <summary>Starts enumerating <paramref name="source"/> (lazily: it is first stepped on the scan's thread).</summary>
    public static SnapshotScan Start(IEnumerable<ScanItem> source, CancellationToken cancellationToken) => new(source, cancellationToken);

    /// <summary>The batches in key order; a failure of the scan surfaces here.</summary>
    public IAsyncEnumerable<ScanBatch> Batches(CancellationToken cancellationToken) => _batches.Reader.ReadAllAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // The consumer may stop early (a failed part): the scan stops too, and its snapshot is released.
        await _stop.CancelAsync();
        await _producer;
        _stop.Dispose();
    }

    private async Task ProduceAsync(IEnumerable<ScanItem> source, CancellationToken cancellationToken)
    {
        try
        {
            var matched = new List<ReportRow>(BatchRows);
            long scanned = 0, scannedBytes = 0;
            foreach (var item in source)
            {
                scanned += item.Scanned;
                scannedBytes += item.ScannedBytes;
                if (item.Row is { } row)
                {
                    matched.Add(row);
                }

                // A batch also goes when few rows match, so counters and the lease keep moving on a scan that filters most out.
                if (matched.Count == BatchRows || scanned >= BatchRows * 8)
                {
                    await _batches.Writer.WriteAsync(new ScanBatch(matched, scanned, scannedBytes), cancellationToken);
                    (matched, scanned, scannedBytes) = (new List<ReportRow>(BatchRows), 0, 0);
                }
            }

            if (scanned > 0)
            {
                await _batches.Writer.WriteAsync(new ScanBatch(matched, scanned, scannedBytes), cancellationToken);
            }

            _batches.Writer.Complete();
        }
        catch (Exception error)
        {
            _batches.Writer.TryComplete(error);
        }
    }
}
