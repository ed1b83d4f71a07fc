using System.Buffers;
using System.Buffers.Text;
using System.IO.Compression;
using System.Text;
using System.Threading.Channels;
using Coffer.Common;

namespace Coffer.Inventory.Reports;

/// <summary>
/// Gzip-compressed CSV, as COS and S3 deliver it: no header row (the manifest's fileSchema names the columns), every
/// field quoted (quotes doubled), rows ended by <c>\n</c>, keys URL-encoded, timestamps ISO 8601 UTC with milliseconds,
/// booleans <c>true</c>/<c>false</c>, absent values as empty fields.
/// </summary>
public sealed class CsvReportFormat : IReportFormat
{
    public static readonly CsvReportFormat Instance = new();

    public string FileFormat => "CSV";

    public string Extension => ".csv.gz";

    public string ContentType => "application/x-gzip";

    public string FileSchema(ReportSchema schema) => schema.CsvFileSchema;

    public IReportPartWriter CreatePart(Stream output, ReportSchema schema, ReportContext context) => new CsvPartWriter(output, schema, context);

    /// <summary>
    /// Rows are formatted on the scanning thread into 1 MiB chunks; a second task compresses chunks as they come, so
    /// scanning and gzip overlap. At most a few chunks wait between them.
    /// </summary>
    private sealed class CsvPartWriter : IReportPartWriter
    {
        private const int ChunkSize = 1 << 20;
        private const int ChunksInFlight = 4;
        private const int Iso8601Length = 24;

        private readonly ReportSchema _schema;
        private readonly ReportContext _context;
        private readonly Channel<(byte[] Buffer, int Length)> _chunks =
            Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(ChunksInFlight) { SingleReader = true, SingleWriter = true });
        private readonly Task _compressor;
        private byte[] _chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        private int _length;

        public CsvPartWriter(Stream output, ReportSchema schema, ReportContext context)
        {
            _schema = schema;
            _context = context;
            _compressor = Task.Run(() => CompressAsync(output));
        }

        public long UncompressedBytes { get; private set; }

        public long Rows { get; private set; }

        public async ValueTask WriteAsync(ReportRow row, CancellationToken cancellationToken)
        {
            var start = _length;
            for (var i = 0; i < _schema.Columns.Count; i++)
            {
                if (i > 0)
                {
                    Append((byte)',');
                }

                WriteCell(_schema.Columns[i], row);
            }

            Append((byte)'\n');
            UncompressedBytes += _length - start;
            Rows++;
            if (_length >= ChunkSize - 64 * 1024)
            {
                await FlushChunkAsync(cancellationToken);
            }
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

        private void WriteCell(ReportColumn column, in ReportRow row)
        {
            Append((byte)'"');
            switch (column.Type)
            {
                case ColumnType.Int64 when ReportValues.Int64(column, row) is { } number:
                    EnsureRoom(20);
                    Utf8Formatter.TryFormat(number, _chunk.AsSpan(_length), out var written);
                    _length += written;
                    break;
                case ColumnType.Boolean when ReportValues.Boolean(column, row) is { } flag:
                    AppendAscii(flag ? "true" : "false");
                    break;
                case ColumnType.Timestamp when ReportValues.Timestamp(column, row, _context) is { } time:
                    EnsureRoom(Iso8601Length);
                    WriteIso8601(time.UtcDateTime, _chunk.AsSpan(_length));
                    _length += Iso8601Length;
                    break;
                case ColumnType.String when ReportValues.Text(column, row, _context) is { } text:
                    if (column.Kind is ColumnKind.Key or ColumnKind.UserMetadata)
                    {
                        // URL-encoded text has no quote to double.
                        EnsureRoom(UrlEncoding.MaxEncodedLength(text.Length));
                        _length += UrlEncoding.EncodeTo(text, _chunk.AsSpan(_length));
                    }
                    else
                    {
                        AppendQuoted(text);
                    }

                    break;
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

        private void AppendQuoted(string text)
        {
            if (!text.Contains('"', StringComparison.Ordinal))
            {
                AppendText(text);
                return;
            }

            AppendText(text.Replace("\"", "\"\"", StringComparison.Ordinal));
        }

        private void AppendText(string text)
        {
            EnsureRoom(Encoding.UTF8.GetMaxByteCount(text.Length));
            _length += Encoding.UTF8.GetBytes(text, _chunk.AsSpan(_length));
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
