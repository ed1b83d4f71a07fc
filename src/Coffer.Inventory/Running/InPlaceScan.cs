using System.Text;
using System.Threading.Channels;
using Coffer.Inventory.Reports;
using Coffer.Inventory.Summary;
using Coffer.Model;
using Coffer.Model.Objects;
using Coffer.Reports;

namespace Coffer.Inventory.Running;

/// <summary>
/// The scan side of a partition whose report every scanned row goes into (no filter beyond the prefix) and whose columns
/// a row read in place holds (<see cref="InPlaceBatchFiller"/>): it reads the partition's range on a thread of its own
/// and fills the writers' column batches there, straight from the store's bytes. Each batch also keeps what the cursor
/// and the summary need of its rows. Batches are handed over at most <see cref="BatchesInFlight"/> at a time and come
/// back to be filled again (<see cref="Return"/>), so memory stays bounded and nothing is allocated a row.
/// </summary>
internal sealed class InPlaceScan : IAsyncDisposable
{
    private const int BatchRows = 1024;
    private const int BatchesInFlight = 2;

    /// <summary>Batches in the channel, the one being filled and the one being written.</summary>
    private const int MaxBatches = BatchesInFlight + 2;

    private readonly Channel<ScannedRows> _batches =
        Channel.CreateBounded<ScannedRows>(new BoundedChannelOptions(BatchesInFlight) { SingleReader = true, SingleWriter = true });
    private readonly Channel<ScannedRows> _free = Channel.CreateUnbounded<ScannedRows>();
    private readonly CancellationTokenSource _stop;
    private readonly Task _producer;
    private readonly ColumnSchema _schema;
    private int _created;

    private InPlaceScan(IObjectService objects, string bucket, WalkOptions walk, ColumnSchema schema, InPlaceBatchFiller filler,
        CancellationToken cancellationToken)
    {
        _schema = schema;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _producer = Task.Run(() => ProduceAsync(objects, bucket, walk, filler, _stop.Token), CancellationToken.None);
    }

    /// <summary>
    /// Starts the scan when <paramref name="plan"/>'s report can be filled in place on this engine; null when it is read
    /// as objects (<see cref="SnapshotScan"/>): filters beyond the prefix, columns a row in place does not hold, an engine
    /// that does not read rows in place.
    /// </summary>
    public static InPlaceScan? TryStart(IObjectService objects, RunPlan plan, WalkOptions walk, CancellationToken cancellationToken) =>
        plan.Filter.MatchesAll && objects.ReadsRowsInPlace && InPlaceBatchFiller.For(plan.Schema, plan.Context) is { } filler
            ? new InPlaceScan(objects, plan.Source, walk, plan.Schema.Output, filler, cancellationToken)
            : null;

    /// <summary>The filled batches in key order; a failure of the scan surfaces here.</summary>
    public IAsyncEnumerable<ScannedRows> Batches(CancellationToken cancellationToken) => _batches.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Gives a written batch back to be filled again.</summary>
    public void Return(ScannedRows batch) => _free.Writer.TryWrite(batch);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _producer;
        _stop.Dispose();
    }

    private async Task ProduceAsync(IObjectService objects, string bucket, WalkOptions walk, InPlaceBatchFiller filler, CancellationToken cancellationToken)
    {
        try
        {
            using var reader = objects.ReadRows(bucket, walk);
            var classes = new SharedStrings();
            bool more;
            do
            {
                var batch = _free.Reader.TryRead(out var returned) ? returned
                    : _created < MaxBatches ? new ScannedRows(_schema, BatchRows, ++_created, filler.KeyColumn)
                    : await _free.Reader.ReadAsync(cancellationToken);
                more = batch.Fill(reader, filler, classes);
                if (batch.Count > 0)
                {
                    await _batches.Writer.WriteAsync(batch, cancellationToken);
                }
            }
            while (more);

            _batches.Writer.Complete();
        }
        catch (Exception error)
        {
            _batches.Writer.TryComplete(error);
        }
    }

    /// <summary>The storage classes of a scan as strings, looked up by their bytes: most rows share a few.</summary>
    internal sealed class SharedStrings
    {
        private readonly List<(byte[] Utf8, string Text)> _known = [];

        public string Get(ReadOnlySpan<byte> utf8)
        {
            foreach (var (bytes, text) in _known)
            {
                if (utf8.SequenceEqual(bytes))
                {
                    return text;
                }
            }

            var made = Encoding.UTF8.GetString(utf8);
            if (_known.Count < 16)
            {
                _known.Add((utf8.ToArray(), made));
            }

            return made;
        }
    }

    /// <summary>
    /// A filled column batch and, for each of its rows, what the partition's cursor and summary take: the key (read from
    /// the batch's key column, <paramref name="keyColumn"/>, not copied again) and version id (UTF-8), size, times, flags,
    /// storage class and encryption status.
    /// </summary>
    internal sealed class ScannedRows(ColumnSchema schema, int capacity, int number, int keyColumn)
    {
        private readonly Utf8Column _versionIds = new(capacity);
        private readonly long[] _sizes = new long[capacity], _modified = new long[capacity];
        private readonly bool[] _markers = new bool[capacity], _multipart = new bool[capacity];
        private readonly string[] _classes = new string[capacity], _encryption = new string[capacity];

        public ColumnBatch Columns { get; } = new(schema, capacity);

        /// <summary>Which of the scan's at most <see cref="MaxBatches"/> batches this is.</summary>
        public int Number { get; } = number;

        public int Count => Columns.Count;

        public ReadOnlySpan<byte> Key(int row) => Columns[keyColumn].Utf8(row);

        public long Size(int row) => _sizes[row];

        public SummaryRow SummaryOf(int row) => new()
        {
            IsDeleteMarker = _markers[row],
            Size = _sizes[row],
            StorageClass = _classes[row],
            EncryptionStatus = _encryption[row],
            LastModifiedMilliseconds = _modified[row],
            IsMultipartUploaded = _multipart[row],
            Key = Key(row),
            VersionId = _versionIds[row],
        };

        /// <summary>Fills the batch with the reader's next rows, up to its capacity; false once the reader is at its end.</summary>
        public bool Fill(ObjectRowReader reader, InPlaceBatchFiller filler, SharedStrings classes)
        {
            Columns.Clear();
            _versionIds.Clear();
            var rows = 0;
            var more = true;
            while (rows < Columns.Capacity && (more = reader.Read(out var row)))
            {
                filler.Add(row, Columns);
                _versionIds.Add(row.VersionId);
                _sizes[rows] = row.Size;
                _modified[rows] = row.LastModifiedMilliseconds;
                _markers[rows] = row.IsDeleteMarker;
                _multipart[rows] = row.IsMultipartUploaded;
                _classes[rows] = classes.Get(row.StorageClass);
                _encryption[rows] = EncryptionStatus(row);
                rows++;
            }

            Columns.Seal();
            return more;
        }

        /// <summary>As <see cref="SummaryBuilder.EncryptionStatus"/> names a version's encryption.</summary>
        private static string EncryptionStatus(in ObjectRow row) =>
            !row.HasEncryption ? "NOT-SSE"
            : row.Encryption.SequenceEqual("aws:kms"u8) ? "SSE-KMS"
            : row.Encryption.SequenceEqual("SSE-C"u8) ? "SSE-C"
            : "SSE-S3";
    }

    /// <summary>UTF-8 values end to end, kept across batches.</summary>
    private sealed class Utf8Column(int capacity)
    {
        private readonly int[] _ends = new int[capacity];
        private byte[] _bytes = new byte[capacity * 48];
        private int _count;

        public ReadOnlySpan<byte> this[int row] => _bytes.AsSpan(row == 0 ? 0 : _ends[row - 1], _ends[row] - (row == 0 ? 0 : _ends[row - 1]));

        public void Clear() => _count = 0;

        public void Add(ReadOnlySpan<byte> value)
        {
            var start = _count == 0 ? 0 : _ends[_count - 1];
            if (start + value.Length > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, start + value.Length));
            }

            value.CopyTo(_bytes.AsSpan(start));
            _ends[_count++] = start + value.Length;
        }
    }
}
