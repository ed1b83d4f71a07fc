using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Coffer.Inventory.Running;
using Coffer.Model;
using Coffer.Model.Accounts;
using Coffer.Model.Inventory;
using Coffer.Storage;

namespace Coffer.Benchmarks;

/// <summary>
/// End to end: a bucket of N current objects seeded straight into the engine (one process), then a one-time inventory
/// with six optional fields run in a fresh process, from the POST (queueing) to manifest.checksum, timed, with that
/// process's peak resident memory.
/// </summary>
internal static class InventoryBenchmark
{
    private const string Source = "bench-1250000000";
    private const string Destination = "bench-reports-1250000000";
    private static readonly Account Owner = new("1250000000", "100000000001", "AKIDbench", "bench", "bench");

    /// <summary><c>inventory-seed DATA_DIR OBJECTS</c>.</summary>
    public static async Task<int> SeedAsync(string[] args)
    {
        var (directory, count) = (args[0], int.Parse(args[1]));
        var started = Stopwatch.StartNew();
        using var engine = StorageEngine.Open(directory, TimeProvider.System);
        var objects = new ObjectService(engine, TimeProvider.System);
        await objects.CreateBucketAsync(Source, Owner.AppId, "ap-guangzhou");
        await objects.CreateBucketAsync(Destination, Owner.AppId, "ap-guangzhou");
        Seeding.SeedObjects(engine, Source, count);
        Console.WriteLine($"seeded {count:N0} objects in {started.Elapsed.TotalSeconds:0.0} s");
        return 0;
    }

    /// <summary><c>inventory-run DATA_DIR</c>: prints seconds, objects/s, MB/s of CSV produced and peak RSS.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var time = TimeProvider.System;
        using var engine = StorageEngine.Open(args[0], time);
        var objects = new ObjectService(engine, time);
        var configurations = new InventoryConfigurations(engine.Metadata, time);
        var runs = new InventoryRuns(engine.Metadata, time);
        var runner = new InventoryRunner(objects, runs, new AccountDirectory([Owner]), time, new InventoryRunnerOptions());
        var configuration = new InventoryConfiguration
        {
            Id = $"bench-{Guid.NewGuid():N}",
            IncludedObjectVersions = IncludedVersions.Current,
            OptionalFields = ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus"],
            Destination = new InventoryDestination
            {
                Bucket = Destination,
                BucketReference = $"qcs::cos:ap-guangzhou::{Destination}",
                Format = InventoryFormat.Csv,
            },
        };

        var watch = Stopwatch.StartNew();
        var queued = await configurations.PostOneTimeAsync(Source, configuration);
        await runner.RunPendingAsync();
        watch.Stop();

        var run = runs.Get(Source, queued.JobId);
        if (run.State != InventoryRunState.Succeeded)
        {
            Console.Error.WriteLine($"run failed: {run.ErrorCode} {run.ErrorMessage}");
            return 1;
        }

        var peak = PeakResidentBytes();
        var (compressed, uncompressed) = ReportSizes(objects, run.ManifestKey!);
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            objects = run.ObjectsMatched,
            seconds = Math.Round(seconds, 3),
            objectsPerSecond = Math.Round(run.ObjectsMatched / seconds),
            csvMegabytesPerSecond = Math.Round(uncompressed / seconds / 1e6, 1),
            csvMegabytes = Math.Round(uncompressed / 1e6, 1),
            gzipMegabytes = Math.Round(compressed / 1e6, 1),
            files = run.FilesWritten,
            peakResidentMegabytes = peak >> 20,
        }));
        return 0;
    }

    private static (long Compressed, long Uncompressed) ReportSizes(ObjectService objects, string manifestKey)
    {
        using var manifestStream = objects.GetObject(Destination, manifestKey).Open();
        var manifest = JsonDocument.Parse(manifestStream).RootElement;
        long compressed = 0, uncompressed = 0;
        foreach (var file in manifest.GetProperty("files").EnumerateArray())
        {
            var content = objects.GetObject(Destination, file.GetProperty("key").GetString()!);
            compressed += content.Length;
            using var gzip = new GZipStream(content.Open(), CompressionMode.Decompress);
            var buffer = new byte[1 << 20];
            int read;
            while ((read = gzip.Read(buffer)) > 0)
            {
                uncompressed += read;
            }
        }

        return (compressed, uncompressed);
    }

    /// <summary>VmHWM: the most resident memory this process has had.</summary>
    private static long PeakResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
