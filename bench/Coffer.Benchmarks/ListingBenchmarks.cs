using BenchmarkDotNet.Attributes;
using Coffer.Composition;
using Coffer.Model;
using Coffer.Model.Objects;
using Coffer.Storage;

namespace Coffer.Benchmarks;

/// <summary>A 1,000-key page of List Objects from a bucket of 100,000 objects in the embedded engine.</summary>
[MemoryDiagnoser]
public class ListingBenchmarks
{
    private const string Bucket = "bench-1250000000";
    private string _directory = null!;
    private StorageEngine _engine = null!;
    private ObjectService _service = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "coffer-bench-" + Guid.NewGuid().ToString("N"));
        _engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _directory, Time = TimeProvider.System });
        _service = new ObjectService(_engine, TimeProvider.System);
        _service.CreateBucketAsync(Bucket, "1250000000", "ap-guangzhou").GetAwaiter().GetResult();
        Seeding.SeedObjects(_engine, Bucket, 100_000);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public int ListPageOf1000() => _service.ListObjects(Bucket, new ListObjectsQuery { Prefix = "dir-5", MaxKeys = 1000 }).Objects.Count;

    [Benchmark]
    public int ListPageWithDelimiter() =>
        _service.ListObjects(Bucket, new ListObjectsQuery { Delimiter = "/", MaxKeys = 1000 }).CommonPrefixes.Count;
}
