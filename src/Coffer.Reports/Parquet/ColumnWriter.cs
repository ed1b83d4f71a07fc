using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;

namespace Coffer.Reports.Parquet;

/// <summary>
/// Collects one column's values into its open page, on the row side. Strings go through a chunk-wide dictionary while it
/// stays small enough (pages then hold dictionary indices) and PLAIN after it has grown too big; other types are PLAIN.
/// A full page is handed over whole, with its arrays, and the column starts a new one.
/// </summary>
internal sealed class ColumnWriter : IDisposable
{
    private readonly ParquetColumn _column;
    private readonly int _index;
    private readonly ParquetOptions _options;
    private readonly ColumnStatistics _statistics;

    private int[]? _levels;
    private PooledBuffer _values;
    private int _rows;
    private byte _booleanBits;
    private int _booleanCount;

    private readonly Utf8Dictionary? _dictionary;
    private PooledBuffer? _dictionaryValues;
    private int[]? _indices;
    private int _indexCount;
    private bool _dictionaryActive;
    private bool _dictionaryFull;
    private bool _dictionaryReferenced;
    private int _lastIndex = -1;

    public ColumnWriter(ParquetColumn column, int index, ParquetOptions options)
    {
        _column = column;
        _index = index;
        _options = options;
        _statistics = new ColumnStatistics(column.PhysicalType);
        _levels = column.Required ? null : ArrayPool<int>.Shared.Rent(options.PageRows);
        _values = new PooledBuffer(4096);
        if (column.TriesDictionary)
        {
            _dictionary = new Utf8Dictionary();
        }

        StartChunk();
    }

    /// <summary>The open page should be handed over before the next row.</summary>
    public bool PageFull => _rows >= _options.PageRows || _values.Length >= _options.PageBytes || _dictionaryFull;

    /// <summary>
    /// Takes rows <paramref name="from"/> to <paramref name="to"/> (excluded) of <paramref name="values"/>, in one loop a
    /// type; a page that fills is taken after the row that filled it and added to <paramref name="fullPages"/>.
    /// </summary>
    public void AddRange(ColumnVector values, int from, int to, List<PageContent> fullPages)
    {
        switch (_column.Definition.Type)
        {
            case ColumnType.String:
                for (var row = from; row < to; row++)
                {
                    _ = values.IsNull(row) ? AddNull() : AddText(values.Utf8(row));
                    TakeIfFull(fullPages);
                }

                break;
            case ColumnType.Int64:
                for (var row = from; row < to; row++)
                {
                    _ = values.IsNull(row) ? AddNull() : AddInt64(values.Int64(row));
                    TakeIfFull(fullPages);
                }

                break;
            case ColumnType.Boolean:
                for (var row = from; row < to; row++)
                {
                    _ = values.IsNull(row) ? AddNull() : AddBoolean(values.Boolean(row));
                    TakeIfFull(fullPages);
                }

                break;
            default:
                for (var row = from; row < to; row++)
                {
                    _ = values.IsNull(row) ? AddNull() : AddInt64(Milliseconds(values.Ticks(row)));
                    TakeIfFull(fullPages);
                }

                break;
        }
    }

    /// <summary>Adds each row's value size, PLAIN-encoded (0 for null), to <paramref name="rowBytes"/>[row - <paramref name="from"/>].</summary>
    public static void AddPlainSizes(ColumnVector values, int from, int to, Span<long> rowBytes)
    {
        var fixedSize = values.Type switch
        {
            ColumnType.String => 4,
            ColumnType.Boolean => 1,
            _ => 8,
        };
        for (var row = from; row < to; row++)
        {
            if (!values.IsNull(row))
            {
                rowBytes[row - from] += values.Type == ColumnType.String ? fixedSize + values.Utf8(row).Length : fixedSize;
            }
        }
    }

    /// <summary>The open page, or null when it has no rows; the column continues on a new page.</summary>
    public PageContent? TakePage()
    {
        if (_rows == 0)
        {
            return null;
        }

        if (_booleanCount % 8 != 0)
        {
            _values.Write(_booleanBits);
        }

        var byDictionary = _dictionaryActive && _indexCount > 0;
        var page = new PageContent
        {
            Column = _index,
            IsDictionary = false,
            Encoding = byDictionary ? ParquetEncoding.RleDictionary : ParquetEncoding.Plain,
            ValueCount = _rows,
            DefinitionLevels = _levels,
            Indices = byDictionary ? _indices : null,
            IndexCount = byDictionary ? _indexCount : 0,
            IndexBitWidth = byDictionary ? Math.Max(1, BitOperations.Log2((uint)_dictionary!.Count - 1) + 1) : 0,
            Values = byDictionary ? null : _values,
        };

        if (_levels is not null)
        {
            _levels = ArrayPool<int>.Shared.Rent(_options.PageRows);
        }

        if (byDictionary)
        {
            _indices = ArrayPool<int>.Shared.Rent(_options.PageRows);
            _dictionaryReferenced = true;
        }
        else
        {
            // The next page will likely need about as much room as this one did.
            _values = new PooledBuffer(Math.Max(4096, _values.Length));
        }

        if (_dictionaryFull)
        {
            _dictionaryActive = false;
            _dictionaryFull = false;
        }

        (_rows, _indexCount, _booleanCount, _booleanBits) = (0, 0, 0, 0);
        return page;
    }

    /// <summary>
    /// Ends the column chunk (after its last page was taken): its statistics, and its dictionary page when pages refer
    /// to it. The next row group starts a new chunk, with a new dictionary.
    /// </summary>
    public (PageContent? Dictionary, ChunkStatistics Statistics) EndChunk()
    {
        PageContent? dictionaryPage = null;
        if (_dictionaryReferenced)
        {
            dictionaryPage = new PageContent
            {
                Column = _index,
                IsDictionary = true,
                Encoding = ParquetEncoding.Plain,
                ValueCount = _dictionary!.Count,
                Values = _dictionaryValues,
            };
            _dictionaryValues = null;
        }

        var statistics = _statistics.Take();
        StartChunk();
        return (dictionaryPage, statistics);
    }

    public void Dispose()
    {
        if (_levels is not null)
        {
            ArrayPool<int>.Shared.Return(_levels);
            _levels = null;
        }

        if (_indices is not null)
        {
            ArrayPool<int>.Shared.Return(_indices);
            _indices = null;
        }

        _values.Dispose();
        _dictionaryValues?.Dispose();
    }

    private void TakeIfFull(List<PageContent> fullPages)
    {
        if (PageFull && TakePage() is { } page)
        {
            fullPages.Add(page);
        }
    }

    private void StartChunk()
    {
        _dictionaryReferenced = false;
        _dictionaryFull = false;
        _dictionaryActive = _dictionary is not null;
        if (_dictionary is null)
        {
            return;
        }

        _dictionary.Clear();
        _lastIndex = -1;
        _dictionaryValues ??= new PooledBuffer(4096);
        _dictionaryValues.Clear();
        _indices ??= ArrayPool<int>.Shared.Rent(_options.PageRows);
    }

    private int AddText(ReadOnlySpan<byte> text)
    {
        Present();
        if (!_dictionaryActive)
        {
            AppendPlain(_values, text);
            _statistics.Add(text);
            return 4 + text.Length;
        }

        // Most dictionary columns repeat the value of the row before (the bucket, the APPID): no hashing then.
        if (_lastIndex < 0 || !text.SequenceEqual(_dictionary!.Entries[_lastIndex]))
        {
            _lastIndex = _dictionary!.GetOrAdd(text, out var added);
            if (added)
            {
                AppendPlain(_dictionaryValues!, text);
                _statistics.Add(text);
                _dictionaryFull = _dictionaryValues!.Length >= _options.DictionaryBytes;
            }
        }

        _indices![_indexCount++] = _lastIndex;
        return 4 + text.Length;
    }

    /// <summary>Parquet's TIMESTAMP_MILLIS: whole milliseconds since 1970, rounded down as <see cref="DateTimeOffset.ToUnixTimeMilliseconds"/> does.</summary>
    private static long Milliseconds(long unixTicks) =>
        new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + unixTicks, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private int AddInt64(long number)
    {
        Present();
        BinaryPrimitives.WriteInt64LittleEndian(_values.Reserve(8), number);
        _values.Advance(8);
        _statistics.Add(number);
        return 8;
    }

    private int AddBoolean(bool flag)
    {
        Present();

        // PLAIN booleans are bit-packed, first value in the lowest bit.
        if (flag)
        {
            _booleanBits |= (byte)(1 << (_booleanCount % 8));
        }

        if (++_booleanCount % 8 == 0)
        {
            _values.Write(_booleanBits);
            _booleanBits = 0;
        }

        _statistics.Add(flag ? 1 : 0);
        return 1;
    }

    private void Present()
    {
        if (_levels is not null)
        {
            _levels[_rows] = 1;
        }

        _rows++;
    }

    private int AddNull()
    {
        if (_levels is null)
        {
            throw new InvalidOperationException($"The required column {_column.Name} has no value in a row.");
        }

        _levels[_rows++] = 0;
        _statistics.AddNull();
        return 0;
    }

    /// <summary>Appends a PLAIN byte array: a 4-byte little-endian length, then the UTF-8.</summary>
    private static void AppendPlain(PooledBuffer buffer, ReadOnlySpan<byte> text)
    {
        var room = buffer.Reserve(4 + text.Length);
        BinaryPrimitives.WriteInt32LittleEndian(room, text.Length);
        text.CopyTo(room[4..]);
        buffer.Advance(4 + text.Length);
    }
}
