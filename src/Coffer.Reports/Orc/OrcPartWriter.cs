using System.Buffers;

namespace Coffer.Reports.Orc;

/// <summary>
/// One ORC part: the magic, then stripes (row indexes, data streams, stripe footer), then the Metadata (stripe
/// statistics), the Footer, the PostScript and its length. Rows are encoded column by column as they come; chunks are
/// compressed on the thread pool while rows keep coming; a stripe is written out whole once it reaches its bound, so
/// a part holds at most one stripe in memory.
/// </summary>
internal sealed class OrcPartWriter : IReportPartWriter
{
    private const int RootColumn = 0;

    private static readonly byte[] MagicBytes = System.Text.Encoding.ASCII.GetBytes(OrcMetadata.Magic);

    private readonly Stream _output;
    private readonly OrcWriterOptions _options;
    private readonly ChunkCompressor _compressor;
    private readonly OrcColumnWriter[] _columns;
    private readonly List<int> _rowGroupRows = [];
    private readonly List<StripeInformation> _stripes = [];
    private readonly List<ProtobufWriter> _stripeStatistics = [];
    private readonly RowStatistics _fileRows = new();
    private long _written;
    private long _stripeBytes;
    private int _stripeRows;
    private int _rowGroupRowCount;
    private bool _closed;

    public OrcPartWriter(Stream output, ColumnSchema schema, OrcWriterOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RowIndexStride, 1);
        _output = output;
        _options = options;
        _compressor = new ChunkCompressor(options.CompressionBlockSize);
        _columns = new OrcColumnWriter[schema.Columns.Count];
        for (var i = 0; i < _columns.Length; i++)
        {
            _columns[i] = CreateColumn(schema.Columns[i], i + 1, _compressor);
        }
    }

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

            if (_rowGroupRowCount == 0)
            {
                foreach (var column in _columns)
                {
                    column.BeginRowGroup();
                }
            }

            var bytes = 0L;
            for (var i = 0; i < _columns.Length; i++)
            {
                bytes += _columns[i].Add(batch[i], row);
            }

            UncompressedBytes += bytes;
            _stripeBytes += bytes;
            Rows++;
            _stripeRows++;
            if (++_rowGroupRowCount == _options.RowIndexStride)
            {
                EndRowGroup();
            }

            if (_stripeBytes >= _options.StripeBytes || _stripeRows >= _options.StripeRows)
            {
                await WriteStripeAsync(cancellationToken);
            }
            else if (_compressor.IsBehind)
            {
                await _compressor.CatchUpAsync();
            }
        }

        return batch.Count;
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_stripeRows > 0)
        {
            await WriteStripeAsync(cancellationToken);
        }

        await WriteMagicOnceAsync(cancellationToken);
        var metadataLength = await WriteCompressedAsync(OrcMetadata.Metadata(_stripeStatistics), cancellationToken);
        var types = new List<TypeInfo> { new(OrcTypeKind.Struct, _columns.Select(c => c.Column.ColumnarName).ToArray()) };
        types.AddRange(_columns.Select(c => new TypeInfo(c.TypeKind, [])));
        var tail = new FileTail(_written - metadataLength, _stripes, types, Rows,
            [_fileRows, .. _columns.Select(c => c.FileStatistics)], _options.RowIndexStride);
        var footerLength = await WriteCompressedAsync(OrcMetadata.Footer(tail), cancellationToken);

        // The PostScript is never compressed; the file's last byte is its length.
        var postScript = OrcMetadata.PostScript(footerLength, _options.CompressionBlockSize, metadataLength);
        await _output.WriteAsync(postScript.WrittenSpan.ToArray(), cancellationToken);
        await _output.WriteAsync(new[] { (byte)postScript.WrittenSpan.Length }, cancellationToken);
        _closed = true;
        await _output.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _compressor.DrainAsync();
        foreach (var column in _columns)
        {
            column.Discard();
        }

        if (!_closed)
        {
            // An abandoned part: end the output so whoever reads it is not left waiting.
            _closed = true;
            await _output.DisposeAsync();
        }
    }

    private static OrcColumnWriter CreateColumn(ColumnDefinition column, int id, ChunkCompressor compressor) => column.Type switch
    {
        ColumnType.String => new StringColumnWriter(column, id, compressor),
        ColumnType.Int64 => new LongColumnWriter(column, id, compressor),
        ColumnType.Boolean => new BooleanColumnWriter(column, id, compressor),
        ColumnType.Timestamp => new TimestampColumnWriter(column, id, compressor),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, null),
    };

    private void EndRowGroup()
    {
        foreach (var column in _columns)
        {
            column.EndRowGroup();
        }

        _rowGroupRows.Add(_rowGroupRowCount);
        _rowGroupRowCount = 0;
    }

    private async Task WriteStripeAsync(CancellationToken cancellationToken)
    {
        if (_rowGroupRowCount > 0)
        {
            EndRowGroup();
        }

        foreach (var column in _columns)
        {
            column.FinishStripe();
        }

        var dataStreams = _columns.SelectMany(c => c.DataStreams).ToList();
        foreach (var stream in dataStreams)
        {
            await stream.CompleteAsync();
        }

        // The root struct has no streams: its row index entries only count rows.
        var indexes = new List<(StreamInfo Stream, List<CompressedChunk> Chunks)>
        {
            CompressIndex(RootColumn, OrcMetadata.RowIndex(_rowGroupRows.Select(rows => (new List<ulong>(), (OrcStatistics)RowCount(rows))))),
        };
        foreach (var column in _columns)
        {
            indexes.Add(CompressIndex(column.Id,
                OrcMetadata.RowIndex(column.RowGroups.Select(group => (column.ResolvePositions(group), group.Statistics)))));
        }

        var footer = _compressor.CompressAll(OrcMetadata.StripeFooter(
            [.. indexes.Select(i => i.Stream), .. dataStreams.Select(s => new StreamInfo(s.Kind, s.Column, s.CompressedLength))],
            [new ColumnEncodingInfo(OrcEncodingKind.Direct, 0), .. _columns.Select(c => new ColumnEncodingInfo(c.Encoding, c.DictionarySize))])
            .WrittenSpan);

        await WriteMagicOnceAsync(cancellationToken);
        var offset = _written;
        foreach (var (_, chunks) in indexes)
        {
            await WriteAndReturnAsync(chunks, cancellationToken);
        }

        var indexLength = _written - offset;
        foreach (var stream in dataStreams)
        {
            await WriteChunksAsync(stream.Chunks, cancellationToken);
        }

        var dataLength = _written - offset - indexLength;
        await WriteAndReturnAsync(footer, cancellationToken);
        _stripes.Add(new StripeInformation(offset, indexLength, dataLength, _written - offset - indexLength - dataLength, _stripeRows));

        _stripeStatistics.Add(OrcMetadata.StripeStatistics([RowCount(_stripeRows), .. _columns.Select(c => c.StripeStatistics)]));
        _fileRows.AddRows(_stripeRows);
        foreach (var column in _columns)
        {
            column.CloseStripe();
        }

        _rowGroupRows.Clear();
        _stripeRows = 0;
        _stripeBytes = 0;
    }

    private static RowStatistics RowCount(long rows)
    {
        var statistics = new RowStatistics();
        statistics.AddRows(rows);
        return statistics;
    }

    private (StreamInfo, List<CompressedChunk>) CompressIndex(int column, ProtobufWriter rowIndex)
    {
        var chunks = _compressor.CompressAll(rowIndex.WrittenSpan);
        return (new StreamInfo(OrcStreamKind.RowIndex, column, chunks.Sum(c => (long)c.Length)), chunks);
    }

    private async Task WriteMagicOnceAsync(CancellationToken cancellationToken)
    {
        if (_written == 0)
        {
            await _output.WriteAsync(MagicBytes, cancellationToken);
            _written = MagicBytes.Length;
        }
    }

    /// <summary>Writes a section of the tail compressed; returns its length in the file.</summary>
    private async Task<long> WriteCompressedAsync(ProtobufWriter message, CancellationToken cancellationToken)
    {
        var start = _written;
        await WriteAndReturnAsync(_compressor.CompressAll(message.WrittenSpan), cancellationToken);
        return _written - start;
    }

    private async Task WriteChunksAsync(IReadOnlyList<CompressedChunk> chunks, CancellationToken cancellationToken)
    {
        foreach (var chunk in chunks)
        {
            await _output.WriteAsync(chunk.Memory, cancellationToken);
            _written += chunk.Length;
        }
    }

    /// <summary>Writes chunks that belong to no stream, then returns their buffers to the pool.</summary>
    private async Task WriteAndReturnAsync(List<CompressedChunk> chunks, CancellationToken cancellationToken)
    {
        await WriteChunksAsync(chunks, cancellationToken);
        foreach (var chunk in chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk.Buffer);
        }
    }
}
