using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Coffer.Common;

namespace Coffer.Benchmarks;

/// <summary>The two checksums every uploaded byte goes through. Their sum bounds PUT throughput per core.</summary>
[MemoryDiagnoser]
public class ChecksumBenchmarks
{
    private readonly byte[] _data = new byte[1 << 20];

    [GlobalSetup]
    public void Setup() => new Random(1).NextBytes(_data);

    [Benchmark(Description = "CRC-64/XZ, 1 MiB")]
    public ulong Crc64OneMiB() => Crc64.Compute(_data);

    [Benchmark(Description = "MD5, 1 MiB")]
    public byte[] Md5OneMiB() => MD5.HashData(_data);
}
