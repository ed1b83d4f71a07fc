using System.Text;

namespace Coffer.Reports;

/// <summary>
/// One column's values in a batch, typed: 64-bit integers (Int64, and Timestamp as 100 ns ticks since 1970 UTC),
/// booleans, or strings as UTF-8 bytes laid end to end with each row's end offset. Every row may be null. Values are
/// appended row after row; arrays grow once and are kept across batches. A string column whose every row holds the same
/// value (a run's APPID or bucket) can keep it once (<see cref="AddShared"/>) rather than a copy a row.
/// </summary>
public sealed class ColumnVector
{
    private const string SharedInEveryRow = "A column filled with a shared value holds that value in every row until it is cleared.";

    private readonly bool[] _present;
    private readonly long[]? _numbers;
    private readonly bool[]? _flags;
    private readonly int[]? _ends;
    private byte[] _bytes;
    private int _byteLength;
    private byte[]? _shared;

    public ColumnVector(ColumnType type, int capacity)
    {
        Type = type;
        _present = new bool[capacity];
        _bytes = [];
        switch (type)
        {
            case ColumnType.String:
                _ends = new int[capacity];
                _bytes = new byte[Math.Max(256, capacity * 32)];
                break;
            case ColumnType.Boolean:
                _flags = new bool[capacity];
                break;
            default:
                _numbers = new long[capacity];
                break;
        }
    }

    public ColumnType Type { get; }

    /// <summary>Values (nulls included) appended so far.</summary>
    public int Count { get; private set; }

    /// <summary>Whether any value so far is null.</summary>
    public bool HasNulls { get; private set; }

    /// <summary>The value of every row when the column was filled by <see cref="AddShared"/>, else null.</summary>
    public byte[]? Shared => _shared;

    public void Clear()
    {
        Count = 0;
        _byteLength = 0;
        HasNulls = false;
        _shared = null;
    }

    public void AddNull()
    {
        ThrowIfShared();
        if (_ends is not null)
        {
            _ends[Count] = _byteLength;
        }

        _present[Count++] = false;
        HasNulls = true;
    }

    public void Add(long value)
    {
        _numbers![Count] = value;
        _present[Count++] = true;
    }

    public void Add(long? value)
    {
        if (value is { } number)
        {
            Add(number);
        }
        else
        {
            AddNull();
        }
    }

    public void Add(bool value)
    {
        _flags![Count] = value;
        _present[Count++] = true;
    }

    public void Add(bool? value)
    {
        if (value is { } flag)
        {
            Add(flag);
        }
        else
        {
            AddNull();
        }
    }

    /// <summary>Appends an instant (a Timestamp column).</summary>
    public void Add(DateTimeOffset? value)
    {
        if (value is { } time)
        {
            Add(time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks);
        }
        else
        {
            AddNull();
        }
    }

    /// <summary>Appends text, encoded as UTF-8 straight into the column's bytes.</summary>
    public void Add(string? value)
    {
        if (value is null)
        {
            AddNull();
            return;
        }

        ThrowIfShared();
        EnsureBytes(Encoding.UTF8.GetMaxByteCount(value.Length));
        _byteLength += Encoding.UTF8.GetBytes(value, _bytes.AsSpan(_byteLength));
        _ends![Count] = _byteLength;
        _present[Count++] = true;
    }

    /// <summary>Appends text already in UTF-8.</summary>
    public void AddUtf8(ReadOnlySpan<byte> value)
    {
        ThrowIfShared();
        EnsureBytes(value.Length);
        value.CopyTo(_bytes.AsSpan(_byteLength));
        _byteLength += value.Length;
        _ends![Count] = _byteLength;
        _present[Count++] = true;
    }

    /// <summary>
    /// Appends <paramref name="value"/> (UTF-8), the same array as every row before it since the column was cleared: it is
    /// kept once, not copied, and writers may encode it once for all the rows (<see cref="Shared"/>).
    /// </summary>
    public void AddShared(byte[] value)
    {
        if (_ends is null)
        {
            throw new InvalidOperationException("Only a text column holds a shared value.");
        }

        if (Count == 0)
        {
            _shared = value;
        }
        else if (!ReferenceEquals(value, _shared))
        {
            throw new InvalidOperationException(SharedInEveryRow);
        }

        _present[Count++] = true;
    }

    public bool IsNull(int row) => !_present[row];

    public long Int64(int row) => _numbers![row];

    /// <summary>A Timestamp value: 100 ns ticks since 1970-01-01 UTC.</summary>
    public long Ticks(int row) => _numbers![row];

    public bool Boolean(int row) => _flags![row];

    /// <summary>A String value's UTF-8 bytes (empty for null: check <see cref="IsNull"/>).</summary>
    public ReadOnlySpan<byte> Utf8(int row)
    {
        if (_shared is { } shared)
        {
            return shared;
        }

        var start = row == 0 ? 0 : _ends![row - 1];
        return _bytes.AsSpan(start, _ends![row] - start);
    }

    private void ThrowIfShared()
    {
        if (_shared is not null)
        {
            throw new InvalidOperationException(SharedInEveryRow);
        }
    }

    private void EnsureBytes(int more)
    {
        if (_byteLength + more <= _bytes.Length)
        {
            return;
        }

        var bigger = new byte[Math.Max(_bytes.Length * 2, _byteLength + more)];
        _bytes.AsSpan(0, _byteLength).CopyTo(bigger);
        _bytes = bigger;
    }
}
