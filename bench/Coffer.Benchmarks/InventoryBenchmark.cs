using System.Diagnostics;
using System.Runtime;
using System.Text.Json;
using Coffer.Composition;
using Coffer.Model;
using Coffer.Model.Accounts;
using Coffer.Model.Inventory;

namespace Coffer.Benchmarks;

/// <summary>
/// End to end: a bucket of N current objects seeded straight into the engine (one process), then, in another process,
/// one-time inventories with six optional fields, each timed from the POST (queueing) to manifest.checksum, with the
/// process's peak resident memory.
/// </summary>
internal static class InventoryBenchmark
{
    private const string Source = "bench-1250000000";
    private const string Destination = "bench-reports-1250000000";
    private static readonly Account Owner = new("1250000000", "100000000001", "AKIDbench", "bench", "bench");

    /// <summary>The metadata engine, as <c>coffer serve</c> reads it: <c>COFFER_METADATA=postgres://...</c>, SQLite in DATA_DIR otherwise.</summary>
    private static MetadataLocation Metadata => MetadataLocation.Parse(Environment.GetEnvironmentVariable("COFFER_METADATA"));

    /// <summary><c>inventory-seed DATA_DIR OBJECTS</c>.</summary>
    public static async Task<int> SeedAsync(string[] args)
    {
        var (directory, count) = (args[0], int.Parse(args[1]));
        var started = Stopwatch.StartNew();
        using var engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = directory, Metadata = Metadata, Time = TimeProvider.System });
        var objects = new ObjectService(engine, TimeProvider.System);
        await objects.CreateBucketAsync(Source, Owner.AppId, "ap-guangzhou");
        await objects.CreateBucketAsync(Destination, Owner.AppId, "ap-guangzhou");
        Seeding.SeedObjects(engine, Source, count);
        Console.WriteLine($"seeded {count:N0} objects into {engine.Metadata.Description} in {started.Elapsed.TotalSeconds:0.0} s " +
            $"({count / started.Elapsed.TotalSeconds:N0} objects/s)");
        return 0;
    }

    /// <summary>
    /// <c>inventory-run DATA_DIR [FORMAT [ROUNDS]]</c>: runs ROUNDS (default 2) one-time inventories one after the other
    /// in this process and prints a line for each: the first pays for JIT compilation, as the first run after a server
    /// starts does; later ones are what a running server does. Seconds, CPU seconds, objects/s, MB/s of the objects
    /// inventoried (their sizes), report size and MB/s written, peak RSS, and the JIT time and methods compiled in the round.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var format = args.Length > 1 ? Enum.Parse<InventoryFormat>(args[1], ignoreCase: true) : InventoryFormat.Csv;
        var rounds = args.Length > 2 ? int.Parse(args[2]) : 2;
        var time = TimeProvider.System;
        using var core = CofferCore.Open(new CoreOptions { DataDirectory = args[0], Metadata = Metadata, Time = time, Accounts = [Owner] });
        var (configurations, runs, runner) = (core.Configurations, core.Runs, core.Runner);
        for (var round = 1; round <= rounds; round++)
        {
            var configuration = new InventoryConfiguration
            {
                Id = $"bench-{Guid.NewGuid():N}",
                IncludedObjectVersions = IncludedVersions.Current,
                OptionalFields = ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus"],
                Destination = new InventoryDestination
                {
                    Bucket = Destination,
                    BucketReference = $"qcs::cos:ap-guangzhou::{Destination}",
                    Format = format,
                },
            };

            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var jitBefore = JitInfo.GetCompilationTime();
            var methodsBefore = JitInfo.GetCompiledMethodCount();
            var watch = Stopwatch.StartNew();
            var queued = await configurations.PostOneTimeAsync(Source, configuration);
            await runner.RunPendingAsync();
            watch.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

            var run = runs.Get(Source, queued.JobId);
            if (run.State != InventoryRunState.Succeeded)
            {
                Console.Error.WriteLine($"run failed: {run.ErrorCode} {run.ErrorMessage}");
                return 1;
            }

            var seconds = watch.Elapsed.TotalSeconds;
            var reportBytes = ReportBytes(core.Objects, run.ManifestKey!);
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                round,
                format = format.ToString(),
                objects = run.ObjectsMatched,
                seconds = Math.Round(seconds, 3),
                cpuSeconds = Math.Round(cpu.TotalSeconds, 3),
                objectsPerSecond = Math.Round(run.ObjectsMatched / seconds),
                inventoriedMegabytesPerSecond = Math.Round(run.BytesMatched / 1e6 / seconds),
                reportMegabytes = Math.Round(reportBytes / 1e6, 1),
                reportMegabytesPerSecond = Math.Round(reportBytes / 1e6 / seconds, 1),
                files = run.FilesWritten,
                peakResidentMegabytes = PeakResidentBytes() >> 20,
                jitSeconds = Math.Round((JitInfo.GetCompilationTime() - jitBefore).TotalSeconds, 3),
                jitMethods = JitInfo.GetCompiledMethodCount() - methodsBefore,
            }));
        }

        return 0;
    }

    /// <summary>The bytes of the report's files, as delivered.</summary>
    private static long ReportBytes(ObjectService objects, string manifestKey)
    {
        using var manifestStream = objects.GetObject(Destination, manifestKey).Open();
        var manifest = JsonDocument.Parse(manifestStream).RootElement;
        return manifest.GetProperty("files").EnumerateArray().Sum(file => objects.HeadObject(Destination, file.GetProperty("key").GetString()!).Size);
    }

    /// <summary>VmHWM: the most resident memory this process has had.</summary>
    private static long PeakResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
