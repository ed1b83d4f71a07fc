using System.Buffers.Binary;

namespace Coffer.Reports.Orc;

/// <summary>
/// ORC's integer run length encoding, version 2. Values are buffered up to 512 (the longest run a header can
/// describe); each batch is cut into runs of one repeated value (SHORT_REPEAT up to 10, else DELTA with a fixed delta of
/// 0) and groups of other values, each written as DIRECT or, when it is smaller, DELTA. Bit widths are the aligned ones
/// the specification does not deprecate (1, 2, 4, 8, then multiples of 8). PATCHED_BASE is not produced.
/// </summary>
internal sealed class IntegerRleV2Encoder(OrcStream output, bool signed)
{
    public const int MaxRunLength = 512;

    private const int MinRepeat = 3;
    private const int MaxShortRepeat = 10;
    private const int ShortRepeat = 0;
    private const int Direct = 1;
    private const int Delta = 3;

    private readonly long[] _values = new long[MaxRunLength];
    private readonly ulong[] _packing = new ulong[MaxRunLength];

    // The largest run: a 2-byte header, two 10-byte varints, 512 values of 8 bytes.
    private readonly byte[] _run = new byte[2 + 20 + (MaxRunLength * 8)];
    private int _count;

    public void Add(long value)
    {
        _values[_count++] = value;
        if (_count == MaxRunLength)
        {
            Flush();
        }
    }

    /// <summary>Writes out what is buffered, so the next value starts a run: row groups begin on run boundaries.</summary>
    public void Flush()
    {
        var literalStart = 0;
        var i = 0;
        while (i < _count)
        {
            var repeat = 1;
            while (i + repeat < _count && _values[i + repeat] == _values[i])
            {
                repeat++;
            }

            if (repeat >= MinRepeat)
            {
                WriteGroup(literalStart, i);
                WriteRepeat(_values[i], repeat);
                literalStart = i + repeat;
            }

            i += repeat;
        }

        WriteGroup(literalStart, _count);
        _count = 0;
    }

    /// <summary>The closest width at least <paramref name="bits"/> that is not deprecated: 1, 2, 4, 8, 16, 24, ... 64.</summary>
    public static int AlignedWidth(int bits) => bits switch
    {
        <= 1 => 1,
        2 => 2,
        <= 4 => 4,
        _ => (bits + 7) & ~7,
    };

    /// <summary>The 5-bit code of an aligned width; 0 means width 1, or width 0 (a fixed delta) in DELTA headers.</summary>
    public static int WidthCode(int width) => width switch
    {
        0 or 1 => 0,
        2 => 1,
        4 => 3,
        <= 24 => width - 1,
        _ => 27 + ((width - 32) / 8),
    };

    private ulong Encode(long value) => signed ? ProtobufWriter.Zigzag(value) : (ulong)value;

    private static int BitWidth(ulong value) => 64 - (int)ulong.LeadingZeroCount(value);

    private void WriteRepeat(long value, int count)
    {
        var encoded = Encode(value);
        if (count <= MaxShortRepeat)
        {
            var bytes = Math.Max(1, (BitWidth(encoded) + 7) / 8);
            _run[0] = (byte)((ShortRepeat << 6) | ((bytes - 1) << 3) | (count - MinRepeat));
            for (var b = 0; b < bytes; b++)
            {
                _run[1 + b] = (byte)(encoded >> (8 * (bytes - 1 - b)));
            }

            output.Write(_run.AsSpan(0, 1 + bytes));
            return;
        }

        WriteHeader(Delta, 0, count);
        var length = 2 + ProtobufWriter.WriteVarint(_run.AsSpan(2), encoded);
        _run[length++] = 0;
        output.Write(_run.AsSpan(0, length));
    }

    private void WriteGroup(int start, int end)
    {
        var count = end - start;
        if (count == 0)
        {
            return;
        }

        ulong bits = 0;
        for (var i = start; i < end; i++)
        {
            bits |= Encode(_values[i]);
        }

        var directWidth = AlignedWidth(BitWidth(bits));
        var directSize = 2 + (((directWidth * count) + 7) / 8);
        long firstDelta = 0;
        var deltaWidth = 0;
        var deltaSize = count >= 2 ? MeasureDelta(start, end, out firstDelta, out deltaWidth) : 0;
        if (deltaSize > 0 && deltaSize <= directSize)
        {
            WriteDelta(start, end, firstDelta, deltaWidth);
        }
        else
        {
            WriteDirect(start, end, directWidth);
        }
    }

    /// <summary>
    /// The size of the group as DELTA, or 0 when it cannot be: DELTA needs a monotonic sequence whose first delta gives
    /// the direction (every delta after it is stored as a magnitude), unless all deltas are equal.
    /// </summary>
    private int MeasureDelta(int start, int end, out long firstDelta, out int width)
    {
        width = 0;
        if (!TrySubtract(_values[start + 1], _values[start], out firstDelta))
        {
            return 0;
        }

        var isFixed = true;
        ulong largest = 0;
        for (var i = start + 2; i < end; i++)
        {
            if (!TrySubtract(_values[i], _values[i - 1], out var delta) || (firstDelta > 0 && delta < 0) || (firstDelta < 0 && delta > 0))
            {
                return 0;
            }

            isFixed &= delta == firstDelta;
            largest = Math.Max(largest, delta < 0 ? 0UL - (ulong)delta : (ulong)delta);
        }

        if (!isFixed)
        {
            if (firstDelta == 0)
            {
                return 0;
            }

            // Width code 0 means a fixed delta in DELTA headers, so varying deltas take at least 2 bits.
            width = Math.Max(2, AlignedWidth(BitWidth(largest)));
        }

        return 2 + ProtobufWriter.VarintLength(Encode(_values[start])) + ProtobufWriter.VarintLength(ProtobufWriter.Zigzag(firstDelta)) +
            (((width * (end - start - 2)) + 7) / 8);
    }

    private static bool TrySubtract(long left, long right, out long difference)
    {
        difference = unchecked(left - right);
        return ((left ^ right) & (left ^ difference)) >= 0;
    }

    private void WriteDirect(int start, int end, int width)
    {
        var count = end - start;
        for (var i = 0; i < count; i++)
        {
            _packing[i] = Encode(_values[start + i]);
        }

        WriteHeader(Direct, width, count);
        var length = 2 + Pack(_packing.AsSpan(0, count), width, _run.AsSpan(2));
        output.Write(_run.AsSpan(0, length));
    }

    private void WriteDelta(int start, int end, long firstDelta, int width)
    {
        var count = end - start;
        WriteHeader(Delta, width, count);
        var length = 2 + ProtobufWriter.WriteVarint(_run.AsSpan(2), Encode(_values[start]));
        length += ProtobufWriter.WriteVarint(_run.AsSpan(length), ProtobufWriter.Zigzag(firstDelta));
        if (width > 0)
        {
            for (var i = start + 2; i < end; i++)
            {
                var delta = _values[i] - _values[i - 1];
                _packing[i - start - 2] = delta < 0 ? 0UL - (ulong)delta : (ulong)delta;
            }

            length += Pack(_packing.AsSpan(0, count - 2), width, _run.AsSpan(length));
        }

        output.Write(_run.AsSpan(0, length));
    }

    private void WriteHeader(int encoding, int width, int count)
    {
        _run[0] = (byte)((encoding << 6) | (WidthCode(width) << 1) | ((count - 1) >> 8));
        _run[1] = (byte)(count - 1);
    }

    /// <summary>Packs values big-endian, most significant bit first, padding the last byte; returns the bytes written.</summary>
    private static int Pack(ReadOnlySpan<ulong> values, int width, Span<byte> destination)
    {
        if (width >= 8)
        {
            var bytes = width / 8;
            Span<byte> word = stackalloc byte[8];
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(word, values[i]);
                word[(8 - bytes)..].CopyTo(destination[(i * bytes)..]);
            }

            return values.Length * bytes;
        }

        var perByte = 8 / width;
        var length = (values.Length + perByte - 1) / perByte;
        destination[..length].Clear();
        for (var i = 0; i < values.Length; i++)
        {
            destination[i / perByte] |= (byte)(values[i] << (8 - (width * ((i % perByte) + 1))));
        }

        return length;
    }
}
