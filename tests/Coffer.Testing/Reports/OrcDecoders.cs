using System.IO.Compression;

namespace Coffer.Testing.Reports;

/// <summary>Reads bytes, varints and big-endian bit-packed values from decompressed stream bytes.</summary>
internal sealed class ByteCursor(byte[] bytes, int position = 0)
{
    private int _bit;

    public int Position { get; private set; } = position;

    public bool AtEnd => Position >= bytes.Length;

    public byte Next()
    {
        if (AtEnd)
        {
            throw new FormatException("Read past the end of a stream.");
        }

        return bytes[Position++];
    }

    public ulong Varint()
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = Next();
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    public ulong BigEndian(int bytes)
    {
        ulong value = 0;
        for (var i = 0; i < bytes; i++)
        {
            value = (value << 8) | Next();
        }

        return value;
    }

    /// <summary>The next <paramref name="width"/> bits, most significant first; <see cref="Align"/> ends a packed run.</summary>
    public ulong Bits(int width)
    {
        if (_bit == 0 && width % 8 == 0)
        {
            return BigEndian(width / 8);
        }

        ulong value = 0;
        for (var i = 0; i < width; i++)
        {
            if (AtEnd)
            {
                throw new FormatException("Read past the end of a stream.");
            }

            value = (value << 1) | (uint)((bytes[Position] >> (7 - _bit)) & 1);
            if (++_bit == 8)
            {
                _bit = 0;
                Position++;
            }
        }

        return value;
    }

    public void Align()
    {
        if (_bit != 0)
        {
            _bit = 0;
            Position++;
        }
    }
}

/// <summary>ORC's ZLIB framing, undone: 3-byte headers of <c>length * 2 + isOriginal</c>, raw deflate behind.</summary>
internal static class OrcDecompression
{
    /// <summary>The decompressed stream, checking that no chunk holds more than the block size.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> stream, int blockSize)
    {
        var output = new MemoryStream();
        var position = 0;
        while (position < stream.Length)
        {
            if (position + 3 > stream.Length)
            {
                throw new FormatException("A chunk header is cut short.");
            }

            var header = stream[position] | (stream[position + 1] << 8) | (stream[position + 2] << 16);
            var length = header >> 1;
            var chunk = stream.Slice(position + 3, length);
            position += 3 + length;
            var before = output.Length;
            if ((header & 1) == 1)
            {
                output.Write(chunk);
            }
            else
            {
                using var inflate = new DeflateStream(new MemoryStream(chunk.ToArray()), CompressionMode.Decompress);
                inflate.CopyTo(output);
            }

            if (output.Length - before > blockSize)
            {
                throw new FormatException($"A chunk expands to {output.Length - before} bytes, more than the block size {blockSize}.");
            }
        }

        return output.ToArray();
    }
}

/// <summary>Byte RLE: control 0..127 is a run of control + 3 copies; -1..-128 is that many literal bytes.</summary>
internal sealed class ByteRleDecoder(ByteCursor input)
{
    private readonly Queue<byte> _pending = new();

    public byte Next()
    {
        if (_pending.Count == 0)
        {
            var control = (sbyte)input.Next();
            if (control >= 0)
            {
                var value = input.Next();
                for (var i = 0; i < control + 3; i++)
                {
                    _pending.Enqueue(value);
                }
            }
            else
            {
                for (var i = 0; i < -control; i++)
                {
                    _pending.Enqueue(input.Next());
                }
            }
        }

        return _pending.Dequeue();
    }

    public void Skip(long values)
    {
        for (var i = 0; i < values; i++)
        {
            Next();
        }
    }
}

/// <summary>Booleans: bits of byte-RLE bytes, most significant first.</summary>
internal sealed class BooleanDecoder(ByteCursor input)
{
    private readonly ByteRleDecoder _bytes = new(input);
    private byte _current;
    private int _bitsLeft;

    public bool Next()
    {
        if (_bitsLeft == 0)
        {
            _current = _bytes.Next();
            _bitsLeft = 8;
        }

        return ((_current >> --_bitsLeft) & 1) == 1;
    }

    /// <summary>Seeks as a row index position says: byte-RLE values to skip, then bits of the next byte.</summary>
    public void Skip(long bytes, long bits)
    {
        _bytes.Skip(bytes);
        for (var i = 0; i < bits; i++)
        {
            Next();
        }
    }
}

/// <summary>Integer RLE version 2, all four sub-encodings, every width the specification's table lists.</summary>
internal sealed class IntegerRleV2Decoder(ByteCursor input, bool signed)
{
    private readonly Queue<long> _pending = new();

    /// <summary>The sub-encodings met, in order: 0 short repeat, 1 direct, 2 patched base, 3 delta.</summary>
    public List<int> Encodings { get; } = [];

    public long Next()
    {
        if (_pending.Count == 0)
        {
            ReadRun();
        }

        return _pending.Dequeue();
    }

    public bool AtEnd => _pending.Count == 0 && input.AtEnd;

    public void Skip(long values)
    {
        for (var i = 0; i < values; i++)
        {
            Next();
        }
    }

    public static List<long> DecodeAll(byte[] bytes, bool signed)
    {
        var decoder = new IntegerRleV2Decoder(new ByteCursor(bytes), signed);
        var values = new List<long>();
        while (!decoder.AtEnd)
        {
            values.Add(decoder.Next());
        }

        return values;
    }

    public static int DecodeWidth(int code, bool delta = false) => code switch
    {
        0 when delta => 0,
        <= 23 => code + 1,
        24 => 26,
        25 => 28,
        26 => 30,
        27 => 32,
        28 => 40,
        29 => 48,
        30 => 56,
        _ => 64,
    };

    private static int ClosestFixedBits(int bits) => bits switch
    {
        0 => 1,
        <= 24 => bits,
        <= 26 => 26,
        <= 28 => 28,
        <= 30 => 30,
        <= 32 => 32,
        <= 40 => 40,
        <= 48 => 48,
        <= 56 => 56,
        _ => 64,
    };

    private long Decode(ulong value) => signed ? ProtoMessage.Unzigzag(value) : (long)value;

    private void ReadRun()
    {
        var first = input.Next();
        var encoding = first >> 6;
        Encodings.Add(encoding);
        switch (encoding)
        {
            case 0:
                var bytes = ((first >> 3) & 7) + 1;
                var count = (first & 7) + 3;
                var repeated = Decode(input.BigEndian(bytes));
                for (var i = 0; i < count; i++)
                {
                    _pending.Enqueue(repeated);
                }

                break;
            case 1:
                ReadDirect(first);
                break;
            case 2:
                ReadPatchedBase(first);
                break;
            default:
                ReadDelta(first);
                break;
        }
    }

    private void ReadDirect(byte first)
    {
        var width = DecodeWidth((first >> 1) & 0x1f);
        var length = (((first & 1) << 8) | input.Next()) + 1;
        for (var i = 0; i < length; i++)
        {
            _pending.Enqueue(Decode(input.Bits(width)));
        }

        input.Align();
    }

    private void ReadPatchedBase(byte first)
    {
        var width = DecodeWidth((first >> 1) & 0x1f);
        var length = (((first & 1) << 8) | input.Next()) + 1;
        var third = input.Next();
        var baseBytes = ((third >> 5) & 7) + 1;
        var patchWidth = DecodeWidth(third & 0x1f);
        var fourth = input.Next();
        var gapWidth = ((fourth >> 5) & 7) + 1;
        var patchCount = fourth & 0x1f;

        // The base is sign-and-magnitude: its top bit marks a negative value.
        var raw = input.BigEndian(baseBytes);
        var signBit = 1UL << ((baseBytes * 8) - 1);
        var baseValue = (raw & signBit) != 0 ? -(long)(raw & ~signBit) : (long)raw;

        var data = new ulong[length];
        for (var i = 0; i < length; i++)
        {
            data[i] = input.Bits(width);
        }

        input.Align();
        var entryWidth = ClosestFixedBits(gapWidth + patchWidth);
        var index = 0L;
        for (var p = 0; p < patchCount; p++)
        {
            var entry = input.Bits(entryWidth);
            var gap = (long)(entry >> patchWidth);
            var patch = entry & ((1UL << patchWidth) - 1);
            index += gap;
            if (patch != 0 || gap != 255)
            {
                data[index] |= patch << width;
            }
        }

        input.Align();
        foreach (var value in data)
        {
            _pending.Enqueue(baseValue + (long)value);
        }
    }

    private void ReadDelta(byte first)
    {
        var width = DecodeWidth((first >> 1) & 0x1f, delta: true);
        var length = (((first & 1) << 8) | input.Next()) + 1;
        var value = Decode(input.Varint());
        var deltaBase = ProtoMessage.Unzigzag(input.Varint());
        _pending.Enqueue(value);
        if (length == 1)
        {
            return;
        }

        value += deltaBase;
        _pending.Enqueue(value);
        for (var i = 2; i < length; i++)
        {
            if (width == 0)
            {
                value += deltaBase;
            }
            else
            {
                var delta = (long)input.Bits(width);
                value += deltaBase < 0 ? -delta : delta;
            }

            _pending.Enqueue(value);
        }

        input.Align();
    }
}
