using System.Diagnostics;
using System.Text.Json;
using Coffer.Batch;
using Coffer.Composition;
using Coffer.Model.Accounts;
using Coffer.Model.Batch;
using Coffer.Model.Inventory;
using Coffer.Storage.Records;

namespace Coffer.Benchmarks;

/// <summary>
/// End to end: a batch job over every object of a bucket seeded by <c>inventory-seed</c>, listed by a one-time CSV inventory
/// report of that bucket. The job is created with CreateJob's checks and run by the server's runner in this process, timed
/// from CreateJob to Complete (the manifest read into chunks, then the tasks), with a completion report of the failed tasks.
/// </summary>
internal static class BatchBenchmark
{
    private const string Source = "bench-1250000000";
    private const string Reports = "bench-reports-1250000000";
    private static readonly Account Owner = new("1250000000", "100000000001", "AKIDbench", "bench", "bench");

    private static MetadataLocation Metadata => MetadataLocation.Parse(Environment.GetEnvironmentVariable("COFFER_METADATA"));

    /// <summary>
    /// <c>batch-run DATA_DIR [OPERATION [CHUNK_SIZE [PARALLELISM]]]</c>: OPERATION is <c>tagging</c> (default) or
    /// <c>untagging</c>; prints the inventory's time, then one JSON line for the job: tasks, seconds (preparing and
    /// active apart), tasks/s, CPU seconds and peak resident memory.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var operation = args.Length > 1 ? args[1] : "tagging";
        var chunkSize = args.Length > 2 ? int.Parse(args[2]) : new BatchRunnerOptions().ChunkSize;
        var parallelism = args.Length > 3 ? int.Parse(args[3]) : new BatchRunnerOptions().Parallelism;
        using var core = CofferCore.Open(new CoreOptions
        {
            DataDirectory = args[0],
            Metadata = Metadata,
            Time = TimeProvider.System,
            Accounts = [Owner],
            Batch = new BatchRunnerOptions { ChunkSize = chunkSize, Parallelism = parallelism },
        });

        var inventoryClock = Stopwatch.StartNew();
        var queued = await core.Configurations.PostOneTimeAsync(Source, new InventoryConfiguration
        {
            Id = $"batch-{Guid.NewGuid():N}",
            IncludedObjectVersions = IncludedVersions.Current,
            Destination = new InventoryDestination { Bucket = Reports, BucketReference = $"arn:aws:s3:::{Reports}", Format = InventoryFormat.Csv },
        });
        await core.Runner.RunPendingAsync();
        var run = core.Runs.Get(Source, queued.JobId);
        if (run.State != InventoryRunState.Succeeded)
        {
            await Console.Error.WriteLineAsync($"inventory failed: {run.ErrorCode} {run.ErrorMessage}");
            return 1;
        }

        Console.WriteLine($"inventory of {run.ObjectsMatched:N0} objects in {inventoryClock.Elapsed.TotalSeconds:0.0} s: {run.ManifestKey}");

        var manifest = core.Objects.HeadObject(Reports, run.ManifestKey!, null);
        var kind = operation switch
        {
            "tagging" => BatchOperationKind.PutObjectTagging,
            "untagging" => BatchOperationKind.DeleteObjectTagging,
            _ => throw new ArgumentException($"unknown operation '{operation}' (tagging, untagging)"),
        };
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var jobId = await core.Jobs.CreateAsync(new CreateBatchJobRequest
        {
            Account = Owner.AppId,
            ClientToken = Guid.NewGuid().ToString("N"),
            Spec = new BatchJobSpec
            {
                Dialect = BatchDialect.S3,
                Operation = new BatchOperation { Kind = kind, Tags = kind == BatchOperationKind.PutObjectTagging ? [new("batch", "bench")] : [] },
                Manifest = new BatchManifest { Format = ManifestFormats.S3InventoryReport, Bucket = Reports, Key = run.ManifestKey!, ETag = manifest.ETag },
                Report = new BatchReport { Enabled = true, Bucket = Reports, Prefix = "completion", Scope = "FailedTasksOnly" },
                Creator = new BatchCreator(Owner.AppId, Owner.Uin, Owner.SecretId),
            },
        });
        await core.BatchRunner.RunPendingAsync();
        clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

        var job = core.Jobs.Find(jobId)!;
        if (job.Status != BatchJobStates.Complete || job.TasksFailed > 0)
        {
            await Console.Error.WriteLineAsync($"job ended {job.Status} ({job.FailureCode} {job.FailureReason}), {job.TasksFailed} failed tasks");
            return 1;
        }

        var active = job.ActiveMilliseconds / 1000.0;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            operation,
            chunkSize,
            parallelism,
            tasks = job.TotalTasks,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
            preparingSeconds = Math.Round(clock.Elapsed.TotalSeconds - active, 2),
            activeSeconds = Math.Round(active, 2),
            tasksPerSecond = Math.Round(job.TotalTasks / clock.Elapsed.TotalSeconds),
            activeTasksPerSecond = Math.Round(job.TotalTasks / active),
            cpuSeconds = Math.Round(cpu.TotalSeconds, 2),
            peakResidentMegabytes = PeakResidentBytes() >> 20,
        }));
        return 0;
    }

    private static long PeakResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
