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
    private readonly List<PageContent> _fullPages = [];
    private long[] _rowBytes = [];
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
        if (_rowBytes.Length < batch.Count)
        {
            _rowBytes = new long[batch.Capacity];
        }

        var row = start;
        while (row < batch.Count)
        {
            // The rows that go in together: up to the part's bound, or through the row that ends the row group.
            var sizes = _rowBytes.AsSpan(0, batch.Count - row);
            sizes.Clear();
            for (var i = 0; i < _columns.Length; i++)
            {
                ColumnWriter.AddPlainSizes(batch[i], row, batch.Count, sizes);
            }

            var end = row;
            var bytes = 0L;
            var partFull = false;
            var rowGroupFull = false;
            for (; end < batch.Count; end++)
            {
                if (UncompressedBytes + bytes >= partBytes && Rows + (end - row) > 0 && batch.MayEndPartBefore(end))
                {
                    partFull = true;
                    break;
                }

                bytes += sizes[end - row];
                if (_rowGroupBytes + bytes >= _options.RowGroupBytes)
                {
                    rowGroupFull = true;
                    end++;
                    break;
                }
            }

            // Column by column: each column's pages end after the same rows as row by row, and the file side keeps
            // every column's pages apart until the row group ends, so the order they are sent in changes no byte.
            for (var i = 0; i < _columns.Length; i++)
            {
                _columns[i].AddRange(batch[i], row, end, _fullPages);
            }

            UncompressedBytes += bytes;
            Rows += end - row;
            _rowGroupBytes += bytes;
            _rowGroupRows += end - row;
            foreach (var page in _fullPages)
            {
                await SendAsync(page, cancellationToken);
            }

            _fullPages.Clear();
            if (rowGroupFull)
            {
                await EndRowGroupAsync(cancellationToken);
            }

            if (partFull)
            {
                return end;
            }

            row = end;
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
