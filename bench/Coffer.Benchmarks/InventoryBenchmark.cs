using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime;
using System.Text.Json;
using Coffer.Composition;
using Coffer.Inventory.Running;
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
    /// <c>inventory-run DATA_DIR [FORMAT [ROUNDS [WARM_UP]]]</c>: runs ROUNDS (default 2) one-time inventories one after
    /// the other in this process and prints a line for each: the first is the first run after a server starts; later ones
    /// are what a running server does. WARM_UP is what the process does at start, as <c>coffer serve</c> does:
    /// <c>wait</c> (the default) runs <see cref="InventoryWarmUp"/> in the background and posts the first run once it has
    /// finished (a user's first run that many seconds after start), <c>beside</c> posts the first run at once while the
    /// warm-up runs, <c>off</c> has no warm-up (the first run pays for JIT compilation). Seconds, CPU seconds, objects/s,
    /// MB/s of the objects inventoried (their sizes), report size and MB/s written, peak RSS, the JIT time and methods
    /// compiled in the round, the split pass's milliseconds and rows (<see cref="InventoryMetrics.Split"/>), and the GC's
    /// share: bytes allocated in the round (all, and on the large object heap), gen-2 collections, and the highest managed
    /// heap and GC-committed memory seen (sampled every 20 ms).
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var format = args.Length > 1 ? Enum.Parse<InventoryFormat>(args[1], ignoreCase: true) : InventoryFormat.Csv;
        var rounds = args.Length > 2 ? int.Parse(args[2]) : 2;
        var warmUp = args.Length > 3 ? args[3] : "wait";
        var time = TimeProvider.System;
        var start = Stopwatch.StartNew();
        var done = new ConcurrentDictionary<string, int>();
        var options = Runner((jobId, _) => done.AddOrUpdate(jobId, 1, (_, count) => count + 1));
        using var core = CofferCore.Open(new CoreOptions { DataDirectory = args[0], Metadata = Metadata, Time = time, Accounts = [Owner], Runner = options });
        var warming = warmUp is "off" ? null : Task.Run(() => InventoryWarmUp.RunAsync());
        if (warmUp is "wait" && warming is not null)
        {
            var warmedUp = await warming;
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                warmUpSeconds = Math.Round(warmedUp.Took.TotalSeconds, 3),
                warmUpPasses = warmedUp.Passes,
                secondsSinceStart = Math.Round(start.Elapsed.TotalSeconds, 3),
                cpuSeconds = Math.Round(Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, 3),
                jitMethods = JitInfo.GetCompiledMethodCount(),
            }));
        }

        var (configurations, runs, runner) = (core.Configurations, core.Runs, core.Runner);
        using var split = new SplitListener();
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
            split.Reset();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
            // The large object heap as the last collection before the round left it.
            var largeBefore = GC.GetGCMemoryInfo().GenerationInfo[3].SizeAfterBytes;
            var gen2Before = GC.CollectionCount(2);
            using var gcPeak = new GcPeakSampler();
            var watch = Stopwatch.StartNew();
            var queued = await configurations.PostOneTimeAsync(Source, configuration);
            await runner.RunPendingAsync();
            while (runs.Get(Source, queued.JobId).State is InventoryRunState.Queued or InventoryRunState.Running)
            {
                // With `inventory-help` beside it, the other process may have claimed the run: help with it until it ends.
                await Task.Delay(5);
                await runner.RunPendingAsync();
            }

            watch.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            // Stopped (with a last sample) before its peaks are printed.
            gcPeak.Dispose();

            if (round == 1 && warmUp is "beside" && warming is not null)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { warmUpSeconds = Math.Round((await warming).Took.TotalSeconds, 3), ranBesideTheFirstRound = true }));
            }

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
                partitionsHere = done.GetValueOrDefault(run.JobId),
                peakResidentMegabytes = PeakResidentBytes() >> 20,
                jitSeconds = Math.Round((JitInfo.GetCompilationTime() - jitBefore).TotalSeconds, 3),
                jitMethods = JitInfo.GetCompiledMethodCount() - methodsBefore,
                splitMilliseconds = Math.Round(split.Seconds * 1000, 1),
                splitRows = split.Rows,
                splitRowsEstimated = split.Estimated,
                allocatedMegabytes = (GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore) >> 20,
                gen2Collections = GC.CollectionCount(2) - gen2Before,
                peakManagedMegabytes = gcPeak.PeakHeapBytes >> 20,
                peakGcCommittedMegabytes = gcPeak.PeakCommittedBytes >> 20,
                largeObjectHeapMegabytes = GC.GetGCMemoryInfo().GenerationInfo[3].SizeAfterBytes >> 20,
                largeObjectHeapBeforeMegabytes = largeBefore >> 20,
            }));
        }

        return 0;
    }

    /// <summary>
    /// <c>inventory-help DATA_DIR SECONDS</c>: a second node beside <c>inventory-run</c> on the same PostgreSQL metadata
    /// (and data folder): for SECONDS it takes the partitions of runs the other process coordinates, and prints a line for
    /// each partition it has scanned.
    /// </summary>
    public static async Task<int> HelpAsync(string[] args)
    {
        var deadline = Stopwatch.StartNew();
        var options = Runner((jobId, partition) => Console.WriteLine(JsonSerializer.Serialize(new { jobId, partition, scannedBy = "helper" })));
        using var core = CofferCore.Open(new CoreOptions { DataDirectory = args[0], Metadata = Metadata, Accounts = [Owner], Runner = options });
        while (deadline.Elapsed.TotalSeconds < double.Parse(args[1], CultureInfo.InvariantCulture))
        {
            await core.Runner.RunPendingAsync();
            await Task.Delay(20);
        }

        return 0;
    }

    /// <summary>The server's defaults, or BENCH_WORKERS workers and partitions of at most BENCH_PARTITION_ROWS rows; calls <paramref name="partitionDone"/> for each partition scanned here.</summary>
    private static InventoryRunnerOptions Runner(Action<string, int> partitionDone)
    {
        var defaults = new InventoryRunnerOptions();
        var workers = Environment.GetEnvironmentVariable("BENCH_WORKERS") is { } w ? int.Parse(w, CultureInfo.InvariantCulture) : defaults.Workers;
        var rows = Environment.GetEnvironmentVariable("BENCH_PARTITION_ROWS") is { } r ? long.Parse(r, CultureInfo.InvariantCulture) : defaults.PartitionRows;
        return defaults with
        {
            Workers = workers,
            PartitionRows = rows,
            MinPartitionRows = Math.Min(rows, defaults.MinPartitionRows),
            PartitionDone = partitionDone,
        };
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

    /// <summary>The split passes of the current round, as <see cref="InventoryMetrics"/> records them.</summary>
    private sealed class SplitListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private double _seconds;
        private long _rows;
        private bool _estimated;

        public SplitListener()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == InventoryMetrics.MeterName &&
                    instrument.Name is InventoryMetrics.SplitDurationName or InventoryMetrics.SplitRowsName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) =>
            {
                lock (_listener)
                {
                    _seconds += seconds;
                }
            });
            _listener.SetMeasurementEventCallback<long>((_, rows, tags, _) =>
            {
                Interlocked.Add(ref _rows, rows);
                foreach (var tag in tags)
                {
                    if (tag is { Key: "estimated", Value: true })
                    {
                        Volatile.Write(ref _estimated, true);
                    }
                }
            });
            _listener.Start();
        }

        public double Seconds
        {
            get
            {
                lock (_listener)
                {
                    return _seconds;
                }
            }
        }

        public long Rows => Interlocked.Read(ref _rows);

        /// <summary>True when a split pass of the round estimated its rows from the index's pages.</summary>
        public bool Estimated => Volatile.Read(ref _estimated);

        public void Reset()
        {
            lock (_listener)
            {
                _seconds = 0;
            }

            Interlocked.Exchange(ref _rows, 0);
            Volatile.Write(ref _estimated, false);
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>The highest managed heap size and GC-committed memory seen while a round runs, sampled every 20 ms.</summary>
    private sealed class GcPeakSampler : IDisposable
    {
        private readonly Lock _sampling = new();
        private readonly Timer _timer;

        public GcPeakSampler() => _timer = new Timer(_ => Sample(), null, 0, 20);

        public long PeakHeapBytes { get; private set; }

        public long PeakCommittedBytes { get; private set; }

        public void Dispose()
        {
            _timer.Dispose();
            Sample();
        }

        private void Sample()
        {
            lock (_sampling)
            {
                PeakHeapBytes = Math.Max(PeakHeapBytes, GC.GetTotalMemory(forceFullCollection: false));
                PeakCommittedBytes = Math.Max(PeakCommittedBytes, GC.GetGCMemoryInfo().TotalCommittedBytes);
            }
        }
    }
}
