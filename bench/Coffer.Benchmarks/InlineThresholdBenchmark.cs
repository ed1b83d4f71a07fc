using System.Diagnostics;
using Coffer.Composition;
using Coffer.Model;
using Coffer.Model.Objects;

namespace Coffer.Benchmarks;

/// <summary>
/// <c>inline-threshold DIR [COUNT]</c>: where the inline threshold should sit. For each body size from 4 to 128 KiB, COUNT
/// PUTs (32 at a time) and then COUNT GETs through the object service on the embedded engine, once with the body kept
/// inline and once in a blob file of its own (threshold 0), printing objects/s for each and the metadata database's size.
/// </summary>
internal static class InlineThresholdBenchmark
{
    private const string Bucket = "bench-1250000000";
    private const int InFlight = 32;

    public static async Task<int> RunAsync(string[] args)
    {
        var (root, count) = (args[0], args.Length > 1 ? int.Parse(args[1]) : 5000);
        Console.WriteLine("| size | PUT/s inline | PUT/s file | GET/s inline | GET/s file | database MiB (inline) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var kib in new[] { 4, 8, 16, 32, 64, 128 })
        {
            var inline = await MeasureAsync(Path.Combine(root, $"inline-{kib}"), kib * 1024, inlineThreshold: 128 * 1024, count);
            var file = await MeasureAsync(Path.Combine(root, $"file-{kib}"), kib * 1024, inlineThreshold: 0, count);
            Console.WriteLine($"| {kib} KiB | {inline.Puts:N0} | {file.Puts:N0} | {inline.Gets:N0} | {file.Gets:N0} | {inline.DatabaseBytes / 1048576.0:N1} |");
        }

        return 0;
    }

    private static async Task<(double Puts, double Gets, long DatabaseBytes)> MeasureAsync(string directory, int size, int inlineThreshold, int count)
    {
        var body = new byte[size];
        Random.Shared.NextBytes(body);
        double puts, gets;
        using (var engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = directory, Time = TimeProvider.System, InlineThreshold = inlineThreshold }))
        {
            var objects = new ObjectService(engine, TimeProvider.System);
            await objects.CreateBucketAsync(Bucket, "1250000000", "ap-guangzhou");
            puts = await RateAsync(count, i => objects.PutObjectAsync(new PutObjectRequest
            {
                Bucket = Bucket,
                Key = $"k/{i:0000000}",
                Body = new MemoryStream(body, writable: false),
                ContentLength = size,
            }));
            gets = await RateAsync(count, async i =>
            {
                var content = objects.GetObject(Bucket, $"k/{i:0000000}");
                await using var stream = content.Open();
                await stream.CopyToAsync(Stream.Null);
            });
        }

        var database = SizeOf(Path.Combine(directory, "metadata.db")) + SizeOf(Path.Combine(directory, "metadata.db-wal"));
        Directory.Delete(directory, recursive: true);
        return (puts, gets, database);
    }

    private static long SizeOf(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static async Task<double> RateAsync(int count, Func<int, Task> operation)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, InFlight).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                await operation(i);
            }
        })));
        return count / clock.Elapsed.TotalSeconds;
    }
}
