using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Coffer.Inventory.Reports.Parquet;

/// <summary>
/// A Snappy block compressor (raw format, no framing: what Parquet's SNAPPY codec stores). The block is a varint of the
/// uncompressed length followed by literal and copy elements. Input is taken in 64 KiB fragments, each with a fresh hash
/// table of earlier 4-byte sequences, so every copy reaches at most 64 KiB back and fits a 2-byte offset.
/// </summary>
public static class Snappy
{
    private const int FragmentSize = 1 << 16;
    private const int MaxTableBits = 14;
    private const int MinTableBits = 8;

    /// <summary>Inputs shorter than this are stored as one literal: a match could not pay for itself.</summary>
    private const int MinCompressibleLength = 16;

    [ThreadStatic]
    private static ushort[]? _table;

    /// <summary>The most <see cref="Compress"/> can write for <paramref name="sourceLength"/> bytes.</summary>
    public static int MaxCompressedLength(int sourceLength) => 32 + sourceLength + (sourceLength / 6);

    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/> and returns the bytes written.</summary>
    /// <param name="destination">At least <see cref="MaxCompressedLength"/> bytes.</param>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < MaxCompressedLength(source.Length))
        {
            throw new ArgumentException("The destination is smaller than the worst case.", nameof(destination));
        }

        var table = _table ??= new ushort[1 << MaxTableBits];
        var written = WriteVarint(destination, (uint)source.Length);
        for (var start = 0; start < source.Length; start += FragmentSize)
        {
            var fragment = source.Slice(start, Math.Min(FragmentSize, source.Length - start));
            written += CompressFragment(fragment, destination[written..], table);
        }

        return written;
    }

    private static int CompressFragment(ReadOnlySpan<byte> input, Span<byte> output, ushort[] table)
    {
        if (input.Length < MinCompressibleLength)
        {
            return WriteLiteral(input, output);
        }

        // A table about as large as the fragment: small inputs clear and touch less memory.
        var tableBits = Math.Clamp(BitOperations.Log2((uint)input.Length - 1) + 1, MinTableBits, MaxTableBits);
        var hashShift = 32 - tableBits;
        Array.Clear(table, 0, 1 << tableBits);

        ref var start = ref MemoryMarshal.GetReference(input);
        var written = 0;
        var pending = 0;
        var lastHashable = input.Length - 4;

        // Position 0 starts the table (every slot already points at it); the search starts one further.
        var position = 1;
        while (true)
        {
            // Look for a 4-byte sequence seen before. After 32 misses in a row the step grows by one byte, and again
            // every 32 misses after that: incompressible data is skipped through quickly.
            int candidate;
            var misses = 32;
            while (true)
            {
                if (position > lastHashable)
                {
                    return written + WriteLiteral(input[pending..], output[written..]);
                }

                // Every slot holds an earlier position, so a hit always points backwards.
                var current = Read32(ref start, position);
                var slot = (int)((current * 0x1E35A7BD) >> hashShift);
                candidate = table[slot];
                table[slot] = (ushort)position;
                if (Read32(ref start, candidate) == current)
                {
                    break;
                }

                position += misses++ >> 5;
            }

            written += WriteLiteral(input[pending..position], output[written..]);
            var length = 4 + MatchLength(input, candidate + 4, position + 4);
            written += WriteCopy(position - candidate, length, output[written..]);
            position += length;
            pending = position;
            if (position > lastHashable)
            {
                return written + WriteLiteral(input[pending..], output[written..]);
            }

            // The byte before the new position starts a sequence the next match may reuse.
            var previous = Read32(ref start, position - 1);
            table[(int)((previous * 0x1E35A7BD) >> hashShift)] = (ushort)(position - 1);
        }
    }

    /// <summary>How many bytes from <paramref name="earlier"/> equal those from <paramref name="later"/>, up to the end.</summary>
    private static int MatchLength(ReadOnlySpan<byte> input, int earlier, int later)
    {
        var matched = 0;
        while (later + matched + 8 <= input.Length)
        {
            var difference = BinaryPrimitives.ReadUInt64LittleEndian(input[(earlier + matched)..]) ^
                BinaryPrimitives.ReadUInt64LittleEndian(input[(later + matched)..]);
            if (difference != 0)
            {
                return matched + (BitOperations.TrailingZeroCount(difference) >> 3);
            }

            matched += 8;
        }

        while (later + matched < input.Length && input[earlier + matched] == input[later + matched])
        {
            matched++;
        }

        return matched;
    }

    private static int WriteLiteral(ReadOnlySpan<byte> literal, Span<byte> output)
    {
        if (literal.IsEmpty)
        {
            return 0;
        }

        var lengthMinusOne = (uint)literal.Length - 1;
        int header;
        if (lengthMinusOne < 60)
        {
            output[0] = (byte)(lengthMinusOne << 2);
            header = 1;
        }
        else
        {
            // Tags 60..63 say that 1..4 little-endian bytes of (length - 1) follow.
            var lengthBytes = (BitOperations.Log2(lengthMinusOne) >> 3) + 1;
            output[0] = (byte)((59 + lengthBytes) << 2);
            for (var i = 0; i < lengthBytes; i++)
            {
                output[1 + i] = (byte)(lengthMinusOne >> (8 * i));
            }

            header = 1 + lengthBytes;
        }

        literal.CopyTo(output[header..]);
        return header + literal.Length;
    }

    /// <summary>Writes a back-reference as copy elements of at most 64 bytes, each keeping the rest at 4 or more.</summary>
    private static int WriteCopy(int offset, int length, Span<byte> output)
    {
        var written = 0;
        while (length >= 68)
        {
            written += WriteCopyElement(offset, 64, output[written..]);
            length -= 64;
        }

        if (length > 64)
        {
            written += WriteCopyElement(offset, 60, output[written..]);
            length -= 60;
        }

        return written + WriteCopyElement(offset, length, output[written..]);
    }

    private static int WriteCopyElement(int offset, int length, Span<byte> output)
    {
        if (length < 12 && offset < 2048)
        {
            // 1-byte offset: length 4..11 in bits 2-4, offset bits 8-10 in bits 5-7, offset bits 0-7 next.
            output[0] = (byte)(0b01 | ((length - 4) << 2) | ((offset >> 8) << 5));
            output[1] = (byte)offset;
            return 2;
        }

        output[0] = (byte)(0b10 | ((length - 1) << 2));
        BinaryPrimitives.WriteUInt16LittleEndian(output[1..], (ushort)offset);
        return 3;
    }

    private static int WriteVarint(Span<byte> output, uint value)
    {
        var written = 0;
        while (value >= 0x80)
        {
            output[written++] = (byte)(value | 0x80);
            value >>= 7;
        }

        output[written++] = (byte)value;
        return written;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Read32(ref byte start, int position) => Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, position));
}
