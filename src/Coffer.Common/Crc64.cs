namespace Coffer.Common;

/// <summary>
/// CRC-64/XZ (also called CRC-64/GO-ECMA), the variant COS returns in <c>x-cos-hash-crc64ecma</c>:
/// ECMA-182 polynomial, reflected, register initialised to all ones and inverted at the end.
/// The check value of "123456789" is 0x995DC9BBDF1939FA and the empty input gives 0.
/// </summary>
public sealed class Crc64
{
    private const ulong ReflectedPolynomial = 0xC96C5795D7870F42UL;

    // Slice-by-8 tables: eight bytes per step keep the checksum well above disk speed.
    private static readonly ulong[][] Tables = BuildTables();

    private ulong _register = ulong.MaxValue;

    /// <summary>The checksum of everything appended so far.</summary>
    public ulong Value => ~_register;

    public void Append(ReadOnlySpan<byte> data) => _register = Update(_register, data);

    public static ulong Compute(ReadOnlySpan<byte> data) => ~Update(ulong.MaxValue, data);

    private static ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        var t0 = Tables[0];
        var t1 = Tables[1];
        var t2 = Tables[2];
        var t3 = Tables[3];
        var t4 = Tables[4];
        var t5 = Tables[5];
        var t6 = Tables[6];
        var t7 = Tables[7];
        while (data.Length >= 8)
        {
            crc ^= System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data);
            crc = t7[crc & 0xFF] ^ t6[(crc >> 8) & 0xFF] ^ t5[(crc >> 16) & 0xFF] ^ t4[(crc >> 24) & 0xFF]
                ^ t3[(crc >> 32) & 0xFF] ^ t2[(crc >> 40) & 0xFF] ^ t1[(crc >> 48) & 0xFF] ^ t0[crc >> 56];
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = t0[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static ulong[][] BuildTables()
    {
        var tables = new ulong[8][];
        for (var t = 0; t < 8; t++)
        {
            tables[t] = new ulong[256];
        }

        for (var i = 0; i < 256; i++)
        {
            var crc = (ulong)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
            }

            tables[0][i] = crc;
        }

        for (var i = 0; i < 256; i++)
        {
            for (var t = 1; t < 8; t++)
            {
                var previous = tables[t - 1][i];
                tables[t][i] = tables[0][previous & 0xFF] ^ (previous >> 8);
            }
        }

        return tables;
    }
}
