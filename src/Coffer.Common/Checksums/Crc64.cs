namespace Coffer.Common;

/// <summary>A reflected 64-bit CRC with all-ones initial value and final inversion, given by its reflected polynomial.</summary>
public sealed class Crc64Algorithm
{
    internal Crc64Algorithm(ulong reflectedPolynomial)
    {
        Polynomial = reflectedPolynomial;
        Tables = BuildTables(reflectedPolynomial);
        Folding = CrcFolding.IsSupported ? new CrcFolding(reflectedPolynomial, 64) : null;
    }

    internal ulong Polynomial { get; }

    // Slice-by-8 tables: for short inputs, the tail of long ones, and CPUs that cannot fold.
    internal ulong[][] Tables { get; }

    // Carry-less multiplication for long inputs: several GB/s per core where slice-by-8 does about one.
    internal CrcFolding? Folding { get; }

    private static ulong[][] BuildTables(ulong polynomial)
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

/// <summary>
/// 64-bit CRCs. The default, <see cref="Xz"/> (CRC-64/XZ, also called CRC-64/GO-ECMA), is what COS returns in
/// <c>x-cos-hash-crc64ecma</c>: check value of "123456789" 0x995DC9BBDF1939FA, empty input 0.
/// <see cref="Nvme"/> is CRC-64/NVME, one of S3's flexible checksums (check value 0xAE8B14860A799888).
/// </summary>
public sealed class Crc64
{
    public static readonly Crc64Algorithm Xz = new(0xC96C5795D7870F42UL);
    public static readonly Crc64Algorithm Nvme = new(0x9A6C9329AC4BC9B5UL);

    private readonly Crc64Algorithm _algorithm;
    private ulong _register = ulong.MaxValue;

    public Crc64()
        : this(Xz)
    {
    }

    public Crc64(Crc64Algorithm algorithm)
    {
        _algorithm = algorithm;
    }

    /// <summary>The checksum of everything appended so far.</summary>
    public ulong Value => ~_register;

    public void Append(ReadOnlySpan<byte> data) => _register = Update(_algorithm, _register, data);

    public static ulong Compute(ReadOnlySpan<byte> data) => Compute(Xz, data);

    public static ulong Compute(Crc64Algorithm algorithm, ReadOnlySpan<byte> data) => ~Update(algorithm, ulong.MaxValue, data);

    /// <summary>The same CRC with the slice-by-8 tables alone: what CPUs without carry-less multiplication run, and the reference the fast path is tested against.</summary>
    public static ulong ComputePortable(Crc64Algorithm algorithm, ReadOnlySpan<byte> data) => ~UpdateTables(algorithm.Tables, ulong.MaxValue, data);

    /// <summary>
    /// The CRC of A followed by B, from the CRCs of A and B and B's length, without the data (GF(2) matrix method),
    /// as COS does for a completed multipart upload.
    /// </summary>
    public static ulong Combine(ulong crcA, ulong crcB, long lengthB, Crc64Algorithm? algorithm = null) =>
        CrcCombine.Combine(crcA, crcB, lengthB, (algorithm ?? Xz).Polynomial, 64);

    private static ulong Update(Crc64Algorithm algorithm, ulong crc, ReadOnlySpan<byte> data)
    {
        if (data.Length >= CrcFolding.MinimumLength && algorithm.Folding is { } folding)
        {
            Span<byte> block = stackalloc byte[16];
            var folded = folding.Fold(crc, data, block);
            crc = UpdateTables(algorithm.Tables, 0, block);
            data = data[folded..];
        }

        return UpdateTables(algorithm.Tables, crc, data);
    }

    private static ulong UpdateTables(ulong[][] tables, ulong crc, ReadOnlySpan<byte> data)
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
}
