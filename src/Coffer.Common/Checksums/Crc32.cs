using System.Runtime.Intrinsics.X86;

namespace Coffer.Common;

/// <summary>
/// Reflected 32-bit CRCs used by S3's flexible checksums: CRC-32 (IEEE, check 0xCBF43926) and CRC-32C
/// (Castagnoli, check 0xE3069283). Long inputs are folded with carry-less multiplication (<see cref="CrcFolding"/>); the
/// rest goes through the SSE 4.2 instruction (CRC-32C) or slice-by-8 tables.
/// </summary>
public sealed class Crc32
{
    private static readonly uint[][] IeeeTables = BuildTables(0xEDB88320u);
    private static readonly uint[][] CastagnoliTables = BuildTables(0x82F63B78u);
    private static readonly CrcFolding? IeeeFolding = CrcFolding.IsSupported ? new CrcFolding(0xEDB88320u, 32) : null;
    private static readonly CrcFolding? CastagnoliFolding = CrcFolding.IsSupported ? new CrcFolding(0x82F63B78u, 32) : null;

    private readonly bool _castagnoli;
    private uint _register = uint.MaxValue;

    private Crc32(bool castagnoli)
    {
        _castagnoli = castagnoli;
    }

    public uint Value => ~_register;

    public static Crc32 CreateIeee() => new(false);

    public static Crc32 CreateCastagnoli() => new(true);

    public void Append(ReadOnlySpan<byte> data) => _register = Update(_castagnoli, _register, data);

    /// <summary>The CRC of <paramref name="data"/> with the slice-by-8 tables alone: the reference the fast paths are tested against.</summary>
    public static uint ComputePortable(bool castagnoli, ReadOnlySpan<byte> data) =>
        ~UpdateTables(castagnoli ? CastagnoliTables : IeeeTables, uint.MaxValue, data);

    /// <summary>
    /// The CRC of A followed by B, from the CRCs of A and B and B's length, without the data (the GF(2) matrix method
    /// CRC-64 shares, <see cref="CrcCombine"/>): how a multipart object's full-object CRC-32 / CRC-32C comes from its parts'.
    /// </summary>
    public static uint Combine(uint crcA, uint crcB, long lengthB, bool castagnoli) =>
        (uint)CrcCombine.Combine(crcA, crcB, lengthB, castagnoli ? 0x82F63B78u : 0xEDB88320u, 32);

    private static uint Update(bool castagnoli, uint crc, ReadOnlySpan<byte> data)
    {
        if (data.Length >= CrcFolding.MinimumLength && (castagnoli ? CastagnoliFolding : IeeeFolding) is { } folding)
        {
            Span<byte> block = stackalloc byte[16];
            var folded = folding.Fold(crc, data, block);
            crc = Serial(castagnoli, 0, block);
            data = data[folded..];
        }

        return Serial(castagnoli, crc, data);
    }

    private static uint Serial(bool castagnoli, uint crc, ReadOnlySpan<byte> data) =>
        castagnoli && Sse42.X64.IsSupported ? UpdateSse42(crc, data) : UpdateTables(castagnoli ? CastagnoliTables : IeeeTables, crc, data);

    private static uint UpdateSse42(uint crc, ReadOnlySpan<byte> data)
    {
        ulong wide = crc;
        while (data.Length >= 8)
        {
            wide = Sse42.X64.Crc32(wide, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        var narrow = (uint)wide;
        foreach (var b in data)
        {
            narrow = Sse42.Crc32(narrow, b);
        }

        return narrow;
    }

    private static uint UpdateTables(uint[][] tables, uint crc, ReadOnlySpan<byte> data)
    {
        var t0 = tables[0];
        var t1 = tables[1];
        var t2 = tables[2];
        var t3 = tables[3];
        var t4 = tables[4];
        var t5 = tables[5];
        var t6 = tables[6];
        var t7 = tables[7];
        while (data.Length >= 8)
        {
            var low = crc ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data);
            var high = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t7[low & 0xFF] ^ t6[(low >> 8) & 0xFF] ^ t5[(low >> 16) & 0xFF] ^ t4[low >> 24]
                ^ t3[high & 0xFF] ^ t2[(high >> 8) & 0xFF] ^ t1[(high >> 16) & 0xFF] ^ t0[high >> 24];
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = t0[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[][] BuildTables(uint polynomial)
    {
        var tables = new uint[8][];
        for (var t = 0; t < 8; t++)
        {
            tables[t] = new uint[256];
        }

        for (var i = 0u; i < 256; i++)
        {
            var crc = i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
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
