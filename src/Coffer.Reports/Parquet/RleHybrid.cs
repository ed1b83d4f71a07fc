namespace Coffer.Reports.Parquet;

/// <summary>
/// Parquet's run-length / bit-packing hybrid, for definition levels and dictionary indices. A value repeated 8 or more
/// times becomes a run (varint <c>count &lt;&lt; 1</c>, then the value in whole bytes); everything between runs is
/// bit-packed in groups of 8 (varint <c>groups &lt;&lt; 1 | 1</c>, then the values packed from the low bit of each
/// byte up). Only the last group may be padded: a reader stops at the page's value count.
/// </summary>
internal static class RleHybrid
{
    private const int MinRun = 8;

    public static void Encode(ReadOnlySpan<int> values, int bitWidth, PooledBuffer output)
    {
        var packedFrom = 0;
        var i = 0;
        while (i < values.Length)
        {
            var run = 1;
            while (i + run < values.Length && values[i + run] == values[i])
            {
                run++;
            }

            if (run >= MinRun)
            {
                // Bit-packed groups hold exactly 8 values, so the values waiting to be packed borrow from the run
                // until they fill whole groups; what is left of the run is written as a run if still long enough.
                var borrowed = (MinRun - ((i - packedFrom) % MinRun)) % MinRun;
                if (run - borrowed >= MinRun)
                {
                    WritePacked(values[packedFrom..(i + borrowed)], bitWidth, output);
                    WriteRun(values[i], run - borrowed, bitWidth, output);
                    i += run;
                    packedFrom = i;
                    continue;
                }
            }

            i += run;
        }

        WritePacked(values[packedFrom..], bitWidth, output);
    }

    private static void WriteRun(int value, int count, int bitWidth, PooledBuffer output)
    {
        WriteVarint((uint)count << 1, output);
        for (var shift = 0; shift < bitWidth; shift += 8)
        {
            output.Write((byte)(value >> shift));
        }
    }

    private static void WritePacked(ReadOnlySpan<int> values, int bitWidth, PooledBuffer output)
    {
        if (values.IsEmpty)
        {
            return;
        }

        var groups = (values.Length + MinRun - 1) / MinRun;
        WriteVarint(((uint)groups << 1) | 1, output);
        var bytes = output.Reserve(groups * bitWidth);
        var written = 0;
        ulong bits = 0;
        var bitCount = 0;
        for (var i = 0; i < groups * MinRun; i++)
        {
            // Padding values past the end are zeros.
            bits |= (ulong)(uint)(i < values.Length ? values[i] : 0) << bitCount;
            bitCount += bitWidth;
            while (bitCount >= 8)
            {
                bytes[written++] = (byte)bits;
                bits >>= 8;
                bitCount -= 8;
            }
        }

        output.Advance(written);
    }

    private static void WriteVarint(uint value, PooledBuffer output)
    {
        while (value >= 0x80)
        {
            output.Write((byte)(value | 0x80));
            value >>= 7;
        }

        output.Write((byte)value);
    }
}
