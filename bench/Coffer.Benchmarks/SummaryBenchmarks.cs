using BenchmarkDotNet.Attributes;
using Coffer.Inventory.Summary;
using Coffer.Model.Objects;

namespace Coffer.Benchmarks;

/// <summary>
/// What the report summary costs: adding up 1,000,000 rows as a run does while it writes them (keys spread over
/// 1,000 top-level prefixes, so the prefix caps are hit), and reading back the largest summary the caps allow, which
/// is what opening a dashboard costs whatever the report's size.
/// </summary>
[MemoryDiagnoser]
public class SummaryBenchmarks
{
    private const int Rows = 1_000_000;
    private static readonly DateTimeOffset ScanStart = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private ObjectInfo[] _rows = [];
    private byte[] _largestSummary = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        string[] classes = ["STANDARD", "STANDARD", "STANDARD", "STANDARD_IA", "ARCHIVE"];
        _rows = [.. Enumerable.Range(0, Rows).Select(i => new ObjectInfo
        {
            Bucket = "bench-1250000000",
            Key = $"dir-{i % 1000:D4}/sub-{i % 97:D3}/object-{i:D9}.bin",
            VersionId = ObjectInfo.NullVersionId,
            IsLatest = true,
            Size = random.NextInt64(0, 1L << 30),
            StorageClass = classes[i % classes.Length],
            LastModified = ScanStart - TimeSpan.FromMinutes(random.Next(0, 60 * 24 * 800)),
            IsMultipartUploaded = i % 10 == 0,
            Encryption = i % 7 == 0 ? "AES256" : null,
        })];
        _largestSummary = AddAll().Encode();
    }

    [Benchmark(Description = "Summary of 1,000,000 rows")]
    public ReportSummary AddAll()
    {
        var builder = new SummaryBuilder(ScanStart);
        foreach (var row in _rows)
        {
            builder.Add(row);
        }

        return builder.Build();
    }

    [Benchmark(Description = "Read the largest summary the caps allow")]
    public ReportSummary? ReadLargest() => ReportSummary.Decode(_largestSummary);
}
