using System.Threading.Channels;

namespace Coffer.Reports.Parquet;

/// <summary>
/// The row side of a Parquet part: each row's values go into their columns' open pages on the caller's thread; full pages
/// and row group ends go to a <see cref="ParquetFileWriter"/> on another task, so encoding rows and compressing pages
/// overlap. A few pages at most wait between the two.
/// </summary>
internal sealed class ParquetPartWriter : IReportPartWriter
{
    private const int ItemsInFlight = 8;

    private readonly ParquetOptions _options;
    private readonly ColumnWriter[] _columns;
    private readonly Channel<WriterItem> _items =
        Channel.CreateBounded<WriterItem>(new BoundedChannelOptions(ItemsInFlight) { SingleReader = true, SingleWriter = true });
    private readonly ParquetFileWriter _file;
    private readonly Task _writer;
    private long _rowGroupBytes;
    private long _rowGroupRows;

    public ParquetPartWriter(Stream output, string messageName, IReadOnlyList<ParquetColumn> columns, ParquetOptions options)
    {
        _options = options;
        _columns = [.. columns.Select((column, i) => new ColumnWriter(column, i, options))];
        _file = new ParquetFileWriter(output, messageName, columns, options.Compression);
        _writer = Task.Run(() => WriteFileAsync(_items.Reader));
    }

    /// <summary>The rows' values as PLAIN encoding would store them, before any compression.</summary>
    public long UncompressedBytes { get; private set; }

    public long Rows { get; private set; }

    public async ValueTask<int> WriteAsync(ColumnBatch batch, int start, long partBytes, CancellationToken cancellationToken)
    {
        for (var row = start; row < batch.Count; row++)
        {
            if (UncompressedBytes >= partBytes && Rows > 0 && batch.MayEndPartBefore(row))
            {
                return row;
            }

            var bytes = 0L;
            var pageFull = false;
            for (var i = 0; i < _columns.Length; i++)
            {
                bytes += _columns[i].Add(batch[i], row);
                pageFull |= _columns[i].PageFull;
            }

            UncompressedBytes += bytes;
            Rows++;
            _rowGroupBytes += bytes;
            _rowGroupRows++;
            if (_rowGroupBytes >= _options.RowGroupBytes)
            {
                await EndRowGroupAsync(cancellationToken);
            }
            else if (pageFull)
            {
                await SendFullPagesAsync(cancellationToken);
            }
        }

        return batch.Count;
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_rowGroupRows > 0)
        {
            await EndRowGroupAsync(cancellationToken);
        }

        _items.Writer.Complete();
        await _writer;
    }

    public async ValueTask DisposeAsync()
    {
        _items.Writer.TryComplete();
        try
        {
            await _writer;
        }
        catch (Exception)
        {
            // The part is being abandoned; a failure that matters surfaced in WriteAsync or CompleteAsync.
        }

        foreach (var column in _columns)
        {
            column.Dispose();
        }

        _file.Dispose();
    }

    private async ValueTask SendFullPagesAsync(CancellationToken cancellationToken)
    {
        foreach (var column in _columns)
        {
            if (column.PageFull && column.TakePage() is { } page)
            {
                await SendAsync(page, cancellationToken);
            }
        }
    }

    private async ValueTask EndRowGroupAsync(CancellationToken cancellationToken)
    {
        var statistics = new ChunkStatistics[_columns.Length];
        for (var i = 0; i < _columns.Length; i++)
        {
            if (_columns[i].TakePage() is { } page)
            {
                await SendAsync(page, cancellationToken);
            }

            var (dictionary, chunkStatistics) = _columns[i].EndChunk();
            if (dictionary is not null)
            {
                await SendAsync(dictionary, cancellationToken);
            }

            statistics[i] = chunkStatistics;
        }

        await SendAsync(new RowGroupEnd(_rowGroupRows, statistics), cancellationToken);
        (_rowGroupBytes, _rowGroupRows) = (0, 0);
    }

    private async ValueTask SendAsync(WriterItem item, CancellationToken cancellationToken)
    {
        try
        {
            if (!_items.Writer.TryWrite(item))
            {
                await _items.Writer.WriteAsync(item, cancellationToken);
            }
        }
        catch (ChannelClosedException)
        {
            // The file side failed and closed the channel: its own error says why.
            (item as PageContent)?.Dispose();
            await _writer;
            throw;
        }
    }

    private async Task WriteFileAsync(ChannelReader<WriterItem> items)
    {
        try
        {
            await _file.RunAsync(items);
        }
        catch (Exception error)
        {
            // Stop the row side instead of letting it wait on a channel nobody reads.
            _items.Writer.TryComplete(error);
            while (items.TryRead(out var pending))
            {
                (pending as PageContent)?.Dispose();
            }

            throw;
        }
    }
}
