using System.Buffers;
using System.IO.Compression;
using System.Threading.Channels;

namespace Coffer.Reports.Csv;

/// <summary>
/// Gzip-compressed CSV, as COS and S3 deliver it: no header row (the manifest's fileSchema names the columns), every
/// field quoted (quotes doubled), rows ended by <c>\n</c>, text URL-encoded where its column asks (<see cref="CsvText"/>),
/// timestamps ISO 8601 UTC with milliseconds,
/// booleans <c>true</c>/<c>false</c>, absent values as empty fields.
/// </summary>
public sealed class CsvReportFormat : IReportFormat
{
    public static readonly CsvReportFormat Instance = new();

    public string FileFormat => "CSV";

    public string Extension => ".csv.gz";

    public string ContentType => "application/x-gzip";

    /// <summary>The names joined with ", " as manifests carry them (consumers split on comma and space).</summary>
    public string FileSchema(ColumnSchema schema) => string.Join(", ", schema.Columns.Select(c => c.Name));

    public IReportPartWriter CreatePart(Stream output, ColumnSchema schema) => new CsvPartWriter(output, schema);

    /// <summary>
    /// Rows are formatted on the scanning thread into 1 MiB chunks; a second task compresses chunks as they come, so
    /// scanning and gzip overlap. At most a few chunks wait between them.
    /// </summary>
    private sealed class CsvPartWriter : IReportPartWriter
    {
        private const int ChunkSize = 1 << 20;
        private const int ChunksInFlight = 4;

        /// <summary>A chunk is handed to the compressor once it holds this much; a row never spans two chunks.</summary>
        private const int FlushAt = ChunkSize - (64 * 1024);

        /// <summary>The longest cell that is not text: a timestamp (a 64-bit number takes at most 20 bytes).</summary>
        private const int MaxFixedCell = Iso8601Formatter.Length;

        private readonly CsvCell[] _cells;
        private readonly ColumnVector[] _vectors;

        /// <summary>How this batch's columns are written: a column's own cell, or <see cref="CsvCell.Shared"/>.</summary>
        private readonly CsvCell[] _batchCells;

        /// <summary>Per column, the shared value last encoded (<see cref="ColumnVector.Shared"/>) and its cell, lead included.</summary>
        private readonly (byte[]? Value, byte[] Cell)[] _sharedCells;
        private readonly Iso8601Formatter _time = new();
        private readonly Channel<(byte[] Buffer, int Length)> _chunks =
            Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(ChunksInFlight) { SingleReader = true, SingleWriter = true });
        private readonly Task _compressor;
        private byte[] _chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        private int _length;

        public CsvPartWriter(Stream output, ColumnSchema schema)
        {
            _cells = [.. schema.Columns.Select(CellOf)];
            _vectors = new ColumnVector[_cells.Length];
            _batchCells = new CsvCell[_cells.Length];
            _sharedCells = new (byte[]?, byte[])[_cells.Length];
            _compressor = Task.Run(() => CompressAsync(output));
        }

        /// <summary>How a column's cells are written, decided once per part.</summary>
        private enum CsvCell
        {
            Quoted,
            UrlEncoded,
            Int64,
            Boolean,
            Timestamp,

            /// <summary>Text every row of the batch shares: its cell is encoded once and copied.</summary>
            Shared,
        }

        public long UncompressedBytes { get; private set; }

        public long Rows { get; private set; }

        public async ValueTask<int> WriteAsync(ColumnBatch batch, int start, long partBytes, CancellationToken cancellationToken)
        {
            var row = start;
            while (row < batch.Count)
            {
                row = FormatRows(batch, row, partBytes, out var partFull);
                if (partFull)
                {
                    return row;
                }

                if (_length >= FlushAt)
                {
                    await FlushChunkAsync(cancellationToken);
                }
            }

            return batch.Count;
        }

        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            await FlushChunkAsync(cancellationToken);
            _chunks.Writer.Complete();
            await _compressor;
        }

        public async ValueTask DisposeAsync()
        {
            _chunks.Writer.TryComplete();
            try
            {
                await _compressor;
            }
            catch (Exception)
            {
                // The part is being abandoned; a failure that matters surfaced in WriteAsync or CompleteAsync.
            }

            ArrayPool<byte>.Shared.Return(_chunk);
        }

        private async Task CompressAsync(Stream output)
        {
            try
            {
                await using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
                {
                    await foreach (var (buffer, length) in _chunks.Reader.ReadAllAsync())
                    {
                        await gzip.WriteAsync(buffer.AsMemory(0, length));
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }

                await output.DisposeAsync();
            }
            catch
            {
                // Drain what is left so the writer is never left waiting on a full channel.
                while (_chunks.Reader.TryRead(out var pending))
                {
                    ArrayPool<byte>.Shared.Return(pending.Buffer);
                }

                throw;
            }
        }

        private async ValueTask FlushChunkAsync(CancellationToken cancellationToken)
        {
            if (_length == 0)
            {
                return;
            }

            var full = (_chunk, _length);
            _chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
            _length = 0;
            if (!_chunks.Writer.TryWrite(full))
            {
                await _chunks.Writer.WriteAsync(full, cancellationToken);
            }
        }

        /// <summary>
        /// Formats rows from <paramref name="row"/> on until the batch ends, the chunk is due to be flushed, or the part has
        /// reached its bound before a row it may end before (<paramref name="partFull"/>). Returns the next row.
        /// </summary>
        private int FormatRows(ColumnBatch batch, int row, long partBytes, out bool partFull)
        {
            var vectors = _vectors;
            var cells = _batchCells;
            for (var i = 0; i < vectors.Length; i++)
            {
                vectors[i] = batch[i];
                cells[i] = _cells[i];
                if (vectors[i].Shared is { } shared && _cells[i] is CsvCell.Quoted or CsvCell.UrlEncoded)
                {
                    cells[i] = CsvCell.Shared;
                    EncodeShared(i, shared);
                }
            }

            partFull = false;
            for (; row < batch.Count && _length < FlushAt; row++)
            {
                if (UncompressedBytes >= partBytes && Rows > 0 && batch.MayEndPartBefore(row))
                {
                    partFull = true;
                    return row;
                }

                var rowStart = _length;
                for (var i = 0; i < vectors.Length; i++)
                {
                    if (cells[i] is CsvCell.Shared)
                    {
                        CopyCell(_sharedCells[i].Cell);
                    }
                    else
                    {
                        WriteCell(cells[i], vectors[i], row, i == 0 ? (byte)'"' : (byte)',');
                    }
                }

                EnsureRoom(1);
                _chunk[_length++] = (byte)'\n';
                UncompressedBytes += _length - rowStart;
                Rows++;
            }

            return row;
        }

        /// <summary>Encodes column <paramref name="column"/>'s shared value into a cell of its own, unless it is the value encoded last.</summary>
        private void EncodeShared(int column, byte[] value)
        {
            if (_sharedCells[column].Value is { } last && last.AsSpan().SequenceEqual(value))
            {
                return;
            }

            var cell = new byte[3 + Utf8UrlEncoding.MaxEncodedLength(value.Length)];
            var length = 0;
            if (column > 0)
            {
                cell[length++] = (byte)',';
            }

            cell[length++] = (byte)'"';
            length += _cells[column] is CsvCell.UrlEncoded ? Utf8UrlEncoding.EncodeTo(value, cell.AsSpan(length)) : CopyQuoted(value, cell.AsSpan(length));
            cell[length++] = (byte)'"';
            // A copy: a filler may rewrite its array between batches, and the comparison above must see the old value.
            _sharedCells[column] = (value.ToArray(), cell[..length]);
        }

        private void CopyCell(byte[] cell)
        {
            EnsureRoom(cell.Length);
            cell.CopyTo(_chunk, _length);
            _length += cell.Length;
        }

        /// <summary>
        /// Writes a cell, quoted, with what comes before it (<paramref name="lead"/>: <c>"</c> for the first cell of a row,
        /// else the comma too). Room is made once for the whole cell, so its bytes are written without further checks.
        /// </summary>
        private void WriteCell(CsvCell cell, ColumnVector values, int row, byte lead)
        {
            var text = cell is CsvCell.UrlEncoded or CsvCell.Quoted && !values.IsNull(row) ? values.Utf8(row) : default;
            EnsureRoom(4 + Math.Max(MaxFixedCell, 3 * text.Length));
            var output = _chunk.AsSpan(_length);
            var at = 0;
            if (lead == (byte)',')
            {
                output[at++] = (byte)',';
                output[at++] = (byte)'"';
            }
            else
            {
                output[at++] = (byte)'"';
            }

            if (cell is CsvCell.UrlEncoded)
            {
                // URL-encoded text has no quote to double.
                at += Utf8UrlEncoding.EncodeTo(text, output[at..]);
            }
            else if (cell is CsvCell.Quoted)
            {
                at += CopyQuoted(text, output[at..]);
            }
            else if (!values.IsNull(row))
            {
                switch (cell)
                {
                    case CsvCell.Int64:
                        values.Int64(row).TryFormat(output[at..], out var written);
                        at += written;
                        break;
                    case CsvCell.Boolean:
                        var flag = values.Boolean(row) ? "true\""u8 : "false\""u8;
                        flag.CopyTo(output[at..]);
                        _length += at + flag.Length;
                        return;
                    default:
                        _time.Write(values.Ticks(row), output[at..]);
                        at += Iso8601Formatter.Length;
                        break;
                }
            }

            output[at++] = (byte)'"';
            _length += at;
        }

        /// <summary>Copies <paramref name="text"/> with its quotes doubled; returns how many bytes it wrote.</summary>
        private static int CopyQuoted(ReadOnlySpan<byte> text, Span<byte> output)
        {
            var written = 0;
            while (true)
            {
                var quote = text.IndexOf((byte)'"');
                if (quote < 0)
                {
                    text.CopyTo(output[written..]);
                    return written + text.Length;
                }

                text[..(quote + 1)].CopyTo(output[written..]);
                written += quote + 1;
                output[written++] = (byte)'"';
                text = text[(quote + 1)..];
            }
        }

        private static CsvCell CellOf(ColumnDefinition column) => column.Type switch
        {
            ColumnType.Int64 => CsvCell.Int64,
            ColumnType.Boolean => CsvCell.Boolean,
            ColumnType.Timestamp => CsvCell.Timestamp,
            _ => column.CsvText == CsvText.UrlEncoded ? CsvCell.UrlEncoded : CsvCell.Quoted,
        };

        /// <summary>Grows the chunk when a row does not fit in what is left of it: a row is never split between chunks.</summary>
        private void EnsureRoom(int bytes)
        {
            if (_length + bytes <= _chunk.Length)
            {
                return;
            }

            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_chunk.Length * 2, _length + bytes));
            _chunk.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = bigger;
        }
    }
}
