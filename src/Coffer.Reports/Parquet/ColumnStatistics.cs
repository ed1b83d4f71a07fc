using System.Buffers.Binary;

namespace Coffer.Reports.Parquet;

/// <summary>A column chunk's statistics as the footer stores them: bounds PLAIN-encoded (byte arrays without their length).</summary>
internal sealed record ChunkStatistics(long NullCount, byte[]? Min, byte[]? Max);

/// <summary>
/// Null count, minimum and maximum of one column chunk, in each type's sort order: signed for INT64 (timestamps too),
/// false before true for BOOLEAN, unsigned byte-wise for UTF-8 strings (which is code point order).
/// </summary>
internal sealed class ColumnStatistics(PhysicalType type)
{
    private long _nullCount;
    private bool _hasValue;
    private long _minNumber;
    private long _maxNumber;
    private byte[] _minBytes = new byte[64];
    private int _minLength;
    private byte[] _maxBytes = new byte[64];
    private int _maxLength;

    public void AddNull() => _nullCount++;

    /// <summary>An INT64 value, or a BOOLEAN as 0 or 1.</summary>
    public void Add(long value)
    {
        if (!_hasValue)
        {
            (_minNumber, _maxNumber, _hasValue) = (value, value, true);
        }
        else if (value < _minNumber)
        {
            _minNumber = value;
        }
        else if (value > _maxNumber)
        {
            _maxNumber = value;
        }
    }

    public void Add(ReadOnlySpan<byte> value)
    {
        if (!_hasValue)
        {
            Keep(value, ref _minBytes, ref _minLength);
            Keep(value, ref _maxBytes, ref _maxLength);
            _hasValue = true;
        }
        else if (value.SequenceCompareTo(_minBytes.AsSpan(0, _minLength)) < 0)
        {
            Keep(value, ref _minBytes, ref _minLength);
        }
        else if (value.SequenceCompareTo(_maxBytes.AsSpan(0, _maxLength)) > 0)
        {
            Keep(value, ref _maxBytes, ref _maxLength);
        }
    }

    /// <summary>What the chunk saw; then starts over for the next chunk.</summary>
    public ChunkStatistics Take()
    {
        var statistics = !_hasValue
            ? new ChunkStatistics(_nullCount, null, null)
            : type switch
            {
                PhysicalType.ByteArray => new ChunkStatistics(_nullCount, _minBytes[.._minLength], _maxBytes[.._maxLength]),
                PhysicalType.Boolean => new ChunkStatistics(_nullCount, [(byte)_minNumber], [(byte)_maxNumber]),
                _ => new ChunkStatistics(_nullCount, Int64Bytes(_minNumber), Int64Bytes(_maxNumber)),
            };
        (_nullCount, _hasValue, _minLength, _maxLength) = (0, false, 0, 0);
        return statistics;
    }

    private static byte[] Int64Bytes(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static void Keep(ReadOnlySpan<byte> value, ref byte[] target, ref int length)
    {
        if (value.Length > target.Length)
        {
            target = new byte[Math.Max(value.Length, target.Length * 2)];
        }

        value.CopyTo(target);
        length = value.Length;
    }
}
