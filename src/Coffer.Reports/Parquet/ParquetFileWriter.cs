using System.Buffers.Binary;
using System.IO.Compression;
using System.Threading.Channels;

namespace Coffer.Reports.Parquet;

/// <summary>
/// The file side of a part, on its own task: encodes each page's levels and indices, compresses it, puts its header in
/// front and keeps it in its column's chunk; at a row group's end writes the chunks out in column order (dictionary page
/// first); at the end writes the footer. Only the current row group's compressed chunks are held.
/// </summary>
internal sealed class ParquetFileWriter : IDisposable
{
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    private readonly Stream _output;
    private readonly string _messageName;
    private readonly IReadOnlyList<ParquetColumn> _columns;
    private readonly ParquetCompression _compression;
    private readonly ChunkBuffer[] _chunks;
    private readonly List<RowGroupInfo> _rowGroups = [];
    private readonly PooledBuffer _body = new(1 << 16);
    private readonly PooledBuffer _scratch = new(1 << 12);
    private readonly PooledBuffer _compressed = new(1 << 16);
    private readonly MemoryStream _gzipped = new();
    private long _position;

    public ParquetFileWriter(Stream output, string messageName, IReadOnlyList<ParquetColumn> columns, ParquetCompression compression)
    {
        _output = output;
        _messageName = messageName;
        _columns = columns;
        _compression = compression;
        _chunks = [.. columns.Select(_ => new ChunkBuffer())];
    }

    public async Task RunAsync(ChannelReader<WriterItem> items)
    {
        await WriteAsync(Magic);
        await foreach (var item in items.ReadAllAsync())
        {
            switch (item)
            {
                case PageContent page:
                    using (page)
                    {
                        AddPage(page);
                    }

                    break;
                case RowGroupEnd end:
                    await WriteRowGroupAsync(end);
                    break;
            }
        }

        await WriteFooterAsync();
        await _output.DisposeAsync();
    }

    public void Dispose()
    {
        foreach (var chunk in _chunks)
        {
            chunk.Dispose();
        }

        _body.Dispose();
        _scratch.Dispose();
        _compressed.Dispose();
        _gzipped.Dispose();
    }

    private void AddPage(PageContent page)
    {
        EncodeBody(page);
        var compressed = Compress(_body.Written);

        _scratch.Clear();
        ParquetMetadata.WritePageHeader(new CompactWriter(_scratch), page, _body.Length, compressed.Length);
        var chunk = _chunks[page.Column];
        if (page.IsDictionary)
        {
            chunk.AppendDictionary(_scratch.Written);
            chunk.AppendDictionary(compressed);
        }
        else
        {
            chunk.AppendData(_scratch.Written);
            chunk.AppendData(compressed);
            chunk.ValueCount += page.ValueCount;
            if (page.Encoding == ParquetEncoding.RleDictionary)
            {
                chunk.DictionaryEncodedPages++;
            }
            else
            {
                chunk.PlainPages++;
            }
        }

        chunk.UncompressedBytes += _scratch.Length + _body.Length;
    }

    /// <summary>A data page v1 body: definition levels (4-byte length first), then the values.</summary>
    private void EncodeBody(PageContent page)
    {
        _body.Clear();
        if (page.DefinitionLevels is { } levels)
        {
            _scratch.Clear();
            RleHybrid.Encode(levels.AsSpan(0, page.ValueCount), 1, _scratch);
            BinaryPrimitives.WriteInt32LittleEndian(_body.Reserve(4), _scratch.Length);
            _body.Advance(4);
            _body.Write(_scratch.Written);
        }

        if (page.Indices is { } indices)
        {
            _body.Write((byte)page.IndexBitWidth);
            RleHybrid.Encode(indices.AsSpan(0, page.IndexCount), page.IndexBitWidth, _body);
        }
        else if (page.Values is { } values)
        {
            _body.Write(values.Written);
        }
    }

    private ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> body)
    {
        switch (_compression)
        {
            case ParquetCompression.Snappy:
                _compressed.Clear();
                var written = Snappier.Snappy.Compress(body, _compressed.Reserve(Snappier.Snappy.GetMaxCompressedLength(body.Length)));
                _compressed.Advance(written);
                return _compressed.Written;
            case ParquetCompression.Gzip:
                _gzipped.SetLength(0);
                using (var gzip = new GZipStream(_gzipped, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write(body);
                }

                return _gzipped.GetBuffer().AsSpan(0, (int)_gzipped.Length);
            default:
                return body;
        }
    }

    private async Task WriteRowGroupAsync(RowGroupEnd end)
    {
        var start = _position;
        var columns = new ColumnChunkInfo[_chunks.Length];
        for (var i = 0; i < _chunks.Length; i++)
        {
            var chunk = _chunks[i];
            long? dictionaryOffset = chunk.DictionaryBytes > 0 ? _position : null;
            var dataOffset = _position + chunk.DictionaryBytes;
            await chunk.CopyToAsync(_output);
            _position = dataOffset + chunk.DataBytes;
            columns[i] = new ColumnChunkInfo(chunk.ValueCount, chunk.UncompressedBytes, chunk.DictionaryBytes + chunk.DataBytes, dataOffset,
                dictionaryOffset, chunk.PlainPages, chunk.DictionaryEncodedPages, end.Statistics[i]);
            chunk.Clear();
        }

        _rowGroups.Add(new RowGroupInfo(end.Rows, start, columns));
    }

    private async Task WriteFooterAsync()
    {
        using var footer = new PooledBuffer(1 << 12);
        ParquetMetadata.WriteFileMetaData(new CompactWriter(footer), _messageName, _columns, _rowGroups, _compression);
        var length = footer.Length;
        BinaryPrimitives.WriteInt32LittleEndian(footer.Reserve(4), length);
        footer.Advance(4);
        footer.Write(Magic);
        await WriteAsync(footer.Written.ToArray());
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        await _output.WriteAsync(bytes);
        _position += bytes.Length;
    }
}
