using System.Text;

namespace Coffer.Testing.Reports;

/// <summary>Column statistics as read back (orc_proto.proto, ColumnStatistics); absent fields stay null.</summary>
internal sealed record ColumnStats(
    ulong Count,
    bool HasNull,
    long? IntMinimum,
    long? IntMaximum,
    long? IntSum,
    bool HasIntStatistics,
    string? StringMinimum,
    string? StringMaximum,
    long? StringSum,
    bool HasStringStatistics,
    IReadOnlyList<ulong>? BucketCounts,
    long? TimestampMinimumUtc,
    long? TimestampMaximumUtc,
    long? TimestampMinimumNanos,
    long? TimestampMaximumNanos,
    bool HasTimestampStatistics)
{
    public static ColumnStats Parse(ProtoMessage message)
    {
        var integers = message.Message(2);
        var strings = message.Message(4);
        var bucket = message.Message(5);
        var timestamps = message.Message(9);
        return new ColumnStats(
            message.UInt64(1),
            message.Bool(10),
            integers?.OptionalSInt64(1),
            integers?.OptionalSInt64(2),
            integers?.OptionalSInt64(3),
            integers is not null,
            strings?.String(1),
            strings?.String(2),
            strings?.OptionalSInt64(3),
            strings is not null,
            bucket?.Repeated(1),
            timestamps?.OptionalSInt64(3),
            timestamps?.OptionalSInt64(4),
            (long?)timestamps?.OptionalUInt64(5),
            (long?)timestamps?.OptionalUInt64(6),
            timestamps is not null);
    }
}

internal sealed record OrcStreamEntry(int Kind, int Column, long Offset, long Length);

internal sealed record OrcRowIndexEntry(IReadOnlyList<ulong> Positions, ColumnStats Statistics);

internal sealed record OrcStripe(
    long Offset,
    long IndexLength,
    long DataLength,
    long FooterLength,
    long Rows,
    IReadOnlyList<OrcStreamEntry> Streams,
    IReadOnlyList<(int Kind, uint DictionarySize)> Encodings,
    string? WriterTimezone,
    IReadOnlyDictionary<int, IReadOnlyList<OrcRowIndexEntry>> RowIndexes,
    IReadOnlyDictionary<int, IReadOnlyList<string>> Dictionaries);

internal sealed record OrcType(int Kind, IReadOnlyList<ulong> Subtypes, IReadOnlyList<string> FieldNames);

/// <summary>An ORC file as this reader found it, rows included (one object per column: string, long, bool, DateTimeOffset or null).</summary>
internal sealed record OrcFile(
    ProtoMessage PostScript,
    ProtoMessage Footer,
    IReadOnlyList<OrcType> Types,
    IReadOnlyList<ColumnStats> Statistics,
    IReadOnlyList<IReadOnlyList<ColumnStats>> StripeStatistics,
    IReadOnlyList<OrcStripe> Stripes,
    IReadOnlyList<object?[]> Rows,
    IReadOnlyList<int> SubEncodingsSeen);

/// <summary>
/// A small ORC reader written from the specification for the tests: it parses the tail, decompresses ZLIB chunks,
/// decodes every stream of the types reports use, and follows each row index position to check it lands where its row
/// group starts. Anything it does not expect fails loudly.
/// </summary>
internal static class OrcFileReader
{
    public const int Present = 0;
    public const int Data = 1;
    public const int Length = 2;
    public const int DictionaryData = 3;
    public const int Secondary = 5;
    public const int RowIndex = 6;

    public const int BooleanKind = 0;
    public const int LongKind = 4;
    public const int StringKind = 7;
    public const int TimestampKind = 9;
    public const int StructKind = 12;

    public const int DirectEncoding = 0;
    public const int DirectV2Encoding = 2;
    public const int DictionaryV2Encoding = 3;

    /// <summary>2015-01-01 00:00:00 UTC, where timestamp seconds count from.</summary>
    public static readonly DateTimeOffset TimestampEpoch = new(2015, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static OrcFile Read(byte[] file)
    {
        if (file.Length < 4 || Encoding.ASCII.GetString(file, 0, 3) != "ORC")
        {
            throw new FormatException("The file does not start with ORC.");
        }

        var postScriptLength = file[^1];
        var postScriptStart = file.Length - 1 - postScriptLength;
        var postScript = new ProtoMessage(file.AsSpan(postScriptStart, postScriptLength));
        var blockSize = (int)postScript.UInt64(3);
        if (postScript.UInt64(2) != 1)
        {
            throw new FormatException("Expected ZLIB compression.");
        }

        var footerLength = (int)postScript.UInt64(1);
        var metadataLength = (int)postScript.UInt64(5);
        var footerStart = postScriptStart - footerLength;
        var footer = new ProtoMessage(OrcDecompression.Decompress(file.AsSpan(footerStart, footerLength), blockSize));
        var metadata = new ProtoMessage(OrcDecompression.Decompress(file.AsSpan(footerStart - metadataLength, metadataLength), blockSize));

        var types = footer.Messages(4).Select(t => new OrcType((int)t.UInt64(1), t.Repeated(2), t.Strings(3))).ToArray();
        var statistics = footer.Messages(7).Select(ColumnStats.Parse).ToArray();
        var stripeStatistics = metadata.Messages(1).Select(s => (IReadOnlyList<ColumnStats>)s.Messages(1).Select(ColumnStats.Parse).ToArray()).ToArray();
        var stride = (int)footer.UInt64(8);

        var stripes = new List<OrcStripe>();
        var rows = new List<object?[]>();
        var encodingsSeen = new List<int>();
        foreach (var information in footer.Messages(3))
        {
            var stripe = ReadStripe(file, information, types, blockSize, stride, rows, encodingsSeen);
            stripes.Add(stripe);
        }

        return new OrcFile(postScript, footer, types, statistics, stripeStatistics, stripes, rows, encodingsSeen);
    }

    private static OrcStripe ReadStripe(byte[] file, ProtoMessage information, IReadOnlyList<OrcType> types, int blockSize, int stride,
        List<object?[]> rows, List<int> encodingsSeen)
    {
        var offset = (long)information.UInt64(1);
        var indexLength = (long)information.UInt64(2);
        var dataLength = (long)information.UInt64(3);
        var footerLength = (long)information.UInt64(4);
        var rowCount = (long)information.UInt64(5);
        var footer = new ProtoMessage(OrcDecompression.Decompress(file.AsSpan((int)(offset + indexLength + dataLength), (int)footerLength), blockSize));

        var streams = new List<OrcStreamEntry>();
        var position = offset;
        foreach (var stream in footer.Messages(1))
        {
            var length = (long)stream.UInt64(3);
            streams.Add(new OrcStreamEntry((int)stream.UInt64(1), (int)stream.UInt64(2), position, length));
            position += length;
        }

        var indexStreams = streams.TakeWhile(s => s.Kind == RowIndex).ToArray();
        if (indexStreams.Sum(s => s.Length) != indexLength || position != offset + indexLength + dataLength || streams.Count(s => s.Kind == RowIndex) != indexStreams.Length)
        {
            throw new FormatException("The stripe's streams do not add up to its index and data sections, index streams first.");
        }

        var encodings = footer.Messages(2).Select(e => ((int)e.UInt64(1), (uint)e.UInt64(2))).ToArray();
        if (encodings.Length != types.Count)
        {
            throw new FormatException($"The stripe has {encodings.Length} column encodings for {types.Count} types.");
        }

        var timezone = footer.String(3);
        if (timezone != "UTC")
        {
            throw new FormatException($"Expected the writer time zone UTC, not {timezone}.");
        }

        byte[]? StreamBytes(int column, int kind) =>
            streams.SingleOrDefault(s => s.Column == column && s.Kind == kind) is { } entry
                ? file.AsSpan((int)entry.Offset, (int)entry.Length).ToArray()
                : null;

        var indexes = new Dictionary<int, IReadOnlyList<OrcRowIndexEntry>>();
        foreach (var stream in indexStreams)
        {
            var index = new ProtoMessage(OrcDecompression.Decompress(StreamBytes(stream.Column, RowIndex)!, blockSize));
            indexes[stream.Column] = index.Messages(1).Select(e => new OrcRowIndexEntry(e.Repeated(1), ColumnStats.Parse(e.Message(2)!))).ToArray();
        }

        var columns = new List<object?[]>();
        var dictionaries = new Dictionary<int, IReadOnlyList<string>>();
        for (var column = 1; column < types.Count; column++)
        {
            var (kind, dictionarySize) = encodings[column];
            var decoded = new ColumnDecoder(types[column].Kind, kind, (int)dictionarySize, rowCount,
                streamKind => StreamBytes(column, streamKind) is { } bytes ? OrcDecompression.Decompress(bytes, blockSize) : null, encodingsSeen);
            columns.Add(decoded.ReadAll());
            if (kind == DictionaryV2Encoding)
            {
                dictionaries[column] = decoded.Dictionary;
            }

            if (indexes.TryGetValue(column, out var entries))
            {
                decoded.CheckRowIndex(entries, stride, columns[^1], StreamBytes, blockSize, column);
            }
        }

        for (var row = 0; row < rowCount; row++)
        {
            rows.Add(columns.Select(c => c[row]).ToArray());
        }

        return new OrcStripe(offset, indexLength, dataLength, footerLength, rowCount, streams, encodings, timezone, indexes, dictionaries);
    }

    /// <summary>Decodes one column of one stripe, and checks its row index against what it decoded.</summary>
    private sealed class ColumnDecoder(int typeKind, int encoding, int dictionarySize, long rows, Func<int, byte[]?> stream, List<int> encodingsSeen)
    {
        private string[] _dictionary = [];

        public string[] Dictionary => _dictionary;

        private int TypeKind => typeKind;

        private int Encoding => encoding;

        private List<int> EncodingsSeen => encodingsSeen;

        public object?[] ReadAll()
        {
            _dictionary = ReadDictionary();
            var present = stream(Present) is { } presentBytes ? new BooleanDecoder(new ByteCursor(presentBytes)) : null;
            var values = new ValueDecoder(this, kind => stream(kind) is { } bytes ? new ByteCursor(bytes) : null, positions: null);
            var result = new object?[rows];
            for (var row = 0; row < rows; row++)
            {
                result[row] = present is null || present.Next() ? values.Next() : null;
            }

            values.CheckConsumed();
            return result;
        }

        /// <summary>
        /// Follows every entry's positions (PRESENT first when the stripe has one, then the value streams in the order
        /// readers take them) and checks that they lead to the first value of the entry's row group.
        /// </summary>
        public void CheckRowIndex(IReadOnlyList<OrcRowIndexEntry> entries, int stride, object?[] column, Func<int, int, byte[]?> compressed,
            int blockSize, int columnId)
        {
            if (entries.Count != (rows + stride - 1) / stride)
            {
                throw new FormatException($"Column {columnId} has {entries.Count} row index entries for {rows} rows.");
            }

            for (var group = 0; group < entries.Count; group++)
            {
                var positions = new Queue<ulong>(entries[group].Positions);
                ByteCursor? Seek(int kind)
                {
                    if (compressed(columnId, kind) is not { } bytes)
                    {
                        return null;
                    }

                    var chunkStart = (int)positions.Dequeue();
                    var skip = (int)positions.Dequeue();
                    return new ByteCursor(OrcDecompression.Decompress(bytes.AsSpan(chunkStart), blockSize), skip);
                }

                var firstRow = group * stride;
                if (Seek(Present) is { } presentCursor)
                {
                    var present = new BooleanDecoder(presentCursor);
                    present.Skip((long)positions.Dequeue(), (long)positions.Dequeue());
                    if (present.Next() != (column[firstRow] is not null))
                    {
                        throw new FormatException($"Column {columnId}, row group {group}: PRESENT does not start at its first row.");
                    }
                }

                var values = new ValueDecoder(this, Seek, positions);
                var expected = column.Skip(firstRow).Take(stride).FirstOrDefault(v => v is not null);
                if (expected is not null && !Equals(values.Next(), expected))
                {
                    throw new FormatException($"Column {columnId}, row group {group}: the value streams do not start at its first value.");
                }

                if (positions.Count != 0)
                {
                    throw new FormatException($"Column {columnId}, row group {group}: {positions.Count} positions left over.");
                }
            }
        }

        private string[] ReadDictionary()
        {
            if (typeKind != StringKind || encoding != DictionaryV2Encoding)
            {
                return [];
            }

            var lengths = stream(Length) is { } lengthBytes ? IntegerRleV2Decoder.DecodeAll(lengthBytes, signed: false) : [];
            var blob = stream(DictionaryData) ?? [];
            if (lengths.Count != dictionarySize || lengths.Sum() != blob.Length)
            {
                throw new FormatException("The dictionary's lengths do not match its size or its bytes.");
            }

            var entries = new string[dictionarySize];
            var offset = 0;
            for (var i = 0; i < dictionarySize; i++)
            {
                entries[i] = System.Text.Encoding.UTF8.GetString(blob, offset, (int)lengths[i]);
                offset += (int)lengths[i];
            }

            return entries;
        }

        /// <summary>
        /// The value streams of a column, opened at their starts or at row index positions (then each RLE stream's
        /// position ends with the values to skip, a boolean stream's with bytes and bits).
        /// </summary>
        private sealed class ValueDecoder
        {
            private readonly ColumnDecoder _column;
            private readonly IntegerRleV2Decoder? _integers;
            private readonly IntegerRleV2Decoder? _nanoseconds;
            private readonly BooleanDecoder? _booleans;
            private readonly ByteCursor? _bytes;
            private readonly IntegerRleV2Decoder? _lengths;

            public ValueDecoder(ColumnDecoder column, Func<int, ByteCursor?> open, Queue<ulong>? positions)
            {
                _column = column;
                ByteCursor Required(int kind) => open(kind) ?? throw new FormatException($"Stream {kind} of a {column.TypeKind} column is missing.");
                IntegerRleV2Decoder Integers(int kind, bool signed)
                {
                    var decoder = new IntegerRleV2Decoder(Required(kind), signed);
                    decoder.Skip(positions is null ? 0 : (long)positions.Dequeue());
                    return decoder;
                }

                switch (column.TypeKind)
                {
                    case LongKind:
                        _integers = Integers(Data, signed: true);
                        break;
                    case BooleanKind:
                        _booleans = new BooleanDecoder(Required(Data));
                        if (positions is not null)
                        {
                            _booleans.Skip((long)positions.Dequeue(), (long)positions.Dequeue());
                        }

                        break;
                    case TimestampKind:
                        _integers = Integers(Data, signed: true);
                        _nanoseconds = Integers(Secondary, signed: false);
                        break;
                    case StringKind when column.Encoding == DirectV2Encoding:
                        _bytes = Required(Data);
                        _lengths = Integers(Length, signed: false);
                        break;
                    case StringKind when column.Encoding == DictionaryV2Encoding:
                        _integers = Integers(Data, signed: false);
                        break;
                    default:
                        throw new FormatException($"Unexpected type {column.TypeKind} with encoding {column.Encoding}.");
                }
            }

            public object Next()
            {
                switch (_column.TypeKind)
                {
                    case LongKind:
                        return _integers!.Next();
                    case BooleanKind:
                        return _booleans!.Next();
                    case TimestampKind:
                        return Timestamp(_integers!.Next(), _nanoseconds!.Next());
                    default:
                        if (_lengths is null)
                        {
                            return _column._dictionary[_integers!.Next()];
                        }

                        var text = new byte[_lengths.Next()];
                        for (var i = 0; i < text.Length; i++)
                        {
                            text[i] = _bytes!.Next();
                        }

                        return System.Text.Encoding.UTF8.GetString(text);
                }
            }

            public void CheckConsumed()
            {
                foreach (var decoder in new[] { _integers, _nanoseconds, _lengths })
                {
                    _column.EncodingsSeen.AddRange(decoder?.Encodings ?? []);
                    if (decoder is not null && !decoder.AtEnd)
                    {
                        throw new FormatException("A stream holds more values than the column's rows.");
                    }
                }

                if (_bytes is not null && !_bytes.AtEnd)
                {
                    throw new FormatException("A DATA stream holds more bytes than its lengths account for.");
                }
            }

            private static DateTimeOffset Timestamp(long seconds, long encodedNanoseconds)
            {
                var zeros = (int)(encodedNanoseconds & 7);
                var nanoseconds = encodedNanoseconds >> 3;
                if (zeros != 0)
                {
                    for (var i = 0; i <= zeros; i++)
                    {
                        nanoseconds *= 10;
                    }
                }

                var unixSeconds = TimestampEpoch.ToUnixTimeSeconds() + seconds;

                // As ORC's readers do: writers round pre-1970 seconds with a millisecond or more of fraction towards zero.
                if (unixSeconds < 0 && nanoseconds > 999_999)
                {
                    unixSeconds--;
                }

                return DateTimeOffset.UnixEpoch.AddTicks((unixSeconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100));
            }
        }
    }
}
