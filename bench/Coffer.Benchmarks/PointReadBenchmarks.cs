using BenchmarkDotNet.Attributes;
using Coffer.Composition;
using Coffer.Model;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Model.Objects;
using Coffer.Storage;

namespace Coffer.Benchmarks;

/// <summary>
/// What a small GET asks of the embedded engine, piece by piece: a snapshot, the bucket, its access rules, the object's
/// latest version and its inline bytes. Shows what each snapshot and point read costs on one core.
/// </summary>
[MemoryDiagnoser]
public class PointReadBenchmarks
{
    private const string Bucket = "bench-1250000000";
    private string _directory = null!;
    private StorageEngine _engine = null!;
    private ObjectService _service = null!;
    private AccessControl _access = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "coffer-bench-" + Guid.NewGuid().ToString("N"));
        _engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _directory, Time = TimeProvider.System });
        _service = new ObjectService(_engine, TimeProvider.System);
        _access = new AccessControl(_engine.Metadata, TimeProvider.System, new AccountDirectory([]));
        _service.CreateBucketAsync(Bucket, "1250000000", "ap-guangzhou").GetAwaiter().GetResult();
        for (var i = 0; i < 1000; i++)
        {
            _service.PutObjectAsync(new PutObjectRequest
            {
                Bucket = Bucket,
                Key = $"k/{i:000000}",
                Body = new MemoryStream(new byte[1024]),
                ContentLength = 1024,
            }).GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Description = "open and close a snapshot")]
    public bool Snapshot()
    {
        using var snapshot = _engine.Metadata.OpenSnapshot();
        return snapshot is not null;
    }

    [Benchmark(Description = "snapshot + bucket")]
    public long Bucket1()
    {
        using var snapshot = _engine.Metadata.OpenSnapshot();
        return snapshot.Buckets.Get(Bucket)!.Id;
    }

    [Benchmark(Description = "access rules (snapshot, bucket, policy, ACL)")]
    public object Rules() => _access.Rules(Bucket);

    [Benchmark(Description = "HeadObject (snapshot, bucket, version)")]
    public long Head() => _service.HeadObject(Bucket, "k/000500").Size;

    [Benchmark(Description = "GetObject of 1 KiB inline, read to the end")]
    public int Get()
    {
        var content = _service.GetObject(Bucket, "k/000500");
        using var stream = content.Open();
        Span<byte> buffer = stackalloc byte[2048];
        return stream.Read(buffer);
    }
}
