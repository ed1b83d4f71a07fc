using System.Buffers.Binary;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Coffer.Common;
using Hashing = System.IO.Hashing;

namespace Coffer.Benchmarks;

/// <summary>
/// The checksums uploaded bytes go through, 1 MiB at a time (the upload copy buffer): MD5 (the ETag) and CRC-64/XZ on
/// every byte, and one of S3's flexible checksums when the client sends one. Each CRC is measured folded (carry-less
/// multiplication, what runs) and through the slice-by-8 tables alone (what ran before, and what CPUs without
/// PCLMULQDQ run); CRC-32 also through System.IO.Hashing, whose CRC-32 is vectorized too.
/// </summary>
[MemoryDiagnoser]
public class ChecksumBenchmarks
{
    private readonly byte[] _data = new byte[1 << 20];

    [GlobalSetup]
    public void Setup() => new Random(1).NextBytes(_data);

    [Benchmark(Description = "CRC-64/XZ, folded")]
    public ulong Crc64Xz() => Crc64.Compute(Crc64.Xz, _data);

    [Benchmark(Description = "CRC-64/XZ, slice-by-8")]
    public ulong Crc64XzTables() => Crc64.ComputePortable(Crc64.Xz, _data);

    [Benchmark(Description = "CRC-64/NVME, folded")]
    public ulong Crc64Nvme() => Crc64.Compute(Crc64.Nvme, _data);

    [Benchmark(Description = "CRC-64/NVME, slice-by-8")]
    public ulong Crc64NvmeTables() => Crc64.ComputePortable(Crc64.Nvme, _data);

    [Benchmark(Description = "CRC-32, folded")]
    public uint Crc32Ieee()
    {
        var crc = Crc32.CreateIeee();
        crc.Append(_data);
        return crc.Value;
    }

    [Benchmark(Description = "CRC-32, System.IO.Hashing")]
    public uint Crc32Hashing() => Hashing.Crc32.HashToUInt32(_data);

    [Benchmark(Description = "CRC-32, slice-by-8")]
    public uint Crc32Tables() => Crc32.ComputePortable(false, _data);

    [Benchmark(Description = "CRC-32C, folded")]
    public uint Crc32C()
    {
        var crc = Crc32.CreateCastagnoli();
        crc.Append(_data);
        return crc.Value;
    }

    [Benchmark(Description = "CRC-32C, SSE 4.2 crc32 instruction alone")]
    public uint Crc32CInstruction()
    {
        ulong crc = uint.MaxValue;
        var data = _data.AsSpan();
        for (var i = 0; i + 8 <= data.Length; i += 8)
        {
            crc = Sse42.X64.Crc32(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }

        return ~(uint)crc;
    }

    [Benchmark(Description = "CRC-32C, slice-by-8")]
    public uint Crc32CTables() => Crc32.ComputePortable(true, _data);

    [Benchmark(Description = "MD5")]
    public byte[] Md5() => MD5.HashData(_data);
}
