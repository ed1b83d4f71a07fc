using System.Buffers;
using System.Buffers.Text;
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
        private const int Iso8601Length = 24;

        private readonly ColumnSchema _schema;
        private readonly Channel<(byte[] Buffer, int Length)> _chunks =
            Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(ChunksInFlight) { SingleReader = true, SingleWriter = true });
        private readonly Task _compressor;
        private byte[] _chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        private int _length;

        public CsvPartWriter(Stream output, ColumnSchema schema)
        {
            _schema = schema;
            _compressor = Task.Run(() => CompressAsync(output));
        }

        public long UncompressedBytes { get; private set; }

        public long Rows { get; private set; }

        public async ValueTask<int> WriteAsync(ColumnBatch batch, int start, long partBytes, CancellationToken cancellationToken)
        {
            var columns = _schema.Columns;
            for (var row = start; row < batch.Count; row++)
            {
                if (UncompressedBytes >= partBytes && Rows > 0 && batch.MayEndPartBefore(row))
                {
                    return row;
                }

                var rowStart = _length;
                for (var i = 0; i < columns.Count; i++)
                {
                    if (i > 0)
                    {
                        Append((byte)',');
                    }

                    WriteCell(columns[i], batch[i], row);
                }

                Append((byte)'\n');
                UncompressedBytes += _length - rowStart;
                Rows++;
                if (_length >= ChunkSize - 64 * 1024)
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

        private void WriteCell(ColumnDefinition column, ColumnVector values, int row)
        {
            Append((byte)'"');
            if (!values.IsNull(row))
            {
                switch (column.Type)
                {
                    case ColumnType.Int64:
                        EnsureRoom(20);
                        Utf8Formatter.TryFormat(values.Int64(row), _chunk.AsSpan(_length), out var written);
                        _length += written;
                        break;
                    case ColumnType.Boolean:
                        AppendAscii(values.Boolean(row) ? "true" : "false");
                        break;
                    case ColumnType.Timestamp:
                        EnsureRoom(Iso8601Length);
                        WriteIso8601(new DateTime(DateTime.UnixEpoch.Ticks + values.Ticks(row), DateTimeKind.Utc), _chunk.AsSpan(_length));
                        _length += Iso8601Length;
                        break;
                    default:
                        var text = values.Utf8(row);
                        if (column.CsvText == CsvText.UrlEncoded)
                        {
                            // URL-encoded text has no quote to double.
                            EnsureRoom(Utf8UrlEncoding.MaxEncodedLength(text.Length));
                            _length += Utf8UrlEncoding.EncodeTo(text, _chunk.AsSpan(_length));
                        }
                        else
                        {
                            AppendQuoted(text);
                        }

                        break;
                }
            }

            Append((byte)'"');
        }

        /// <summary><c>yyyy-MM-ddTHH:mm:ss.fffZ</c>, written digit by digit: a format string costs more than the rest of a row.</summary>
        private static void WriteIso8601(DateTime utc, Span<byte> output)
        {
            Digits(output[..4], utc.Year);
            output[4] = (byte)'-';
            Digits(output.Slice(5, 2), utc.Month);
            output[7] = (byte)'-';
            Digits(output.Slice(8, 2), utc.Day);
            output[10] = (byte)'T';
            Digits(output.Slice(11, 2), utc.Hour);
            output[13] = (byte)':';
            Digits(output.Slice(14, 2), utc.Minute);
            output[16] = (byte)':';
            Digits(output.Slice(17, 2), utc.Second);
            output[19] = (byte)'.';
            Digits(output.Slice(20, 3), utc.Millisecond);
            output[23] = (byte)'Z';
        }

        private static void Digits(Span<byte> output, int value)
        {
            for (var i = output.Length - 1; i >= 0; i--)
            {
                output[i] = (byte)('0' + (value % 10));
                value /= 10;
            }
        }

        private void AppendQuoted(ReadOnlySpan<byte> text)
        {
            EnsureRoom(text.Length * 2);
            var quote = text.IndexOf((byte)'"');
            if (quote < 0)
            {
                text.CopyTo(_chunk.AsSpan(_length));
                _length += text.Length;
                return;
            }

            foreach (var b in text)
            {
                _chunk[_length++] = b;
                if (b == '"')
                {
                    _chunk[_length++] = b;
                }
            }
        }

        private void AppendAscii(string text)
        {
            EnsureRoom(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                _chunk[_length++] = (byte)text[i];
            }
        }

        private void Append(byte value)
        {
            EnsureRoom(1);
            _chunk[_length++] = value;
        }

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
