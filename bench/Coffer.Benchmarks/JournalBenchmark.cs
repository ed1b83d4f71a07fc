using System.Diagnostics;
using System.Text.Json;
using Coffer.Composition;
using Coffer.Model.Accounts;
using Coffer.Model.Inventory;

namespace Coffer.Benchmarks;

/// <summary>
/// <c>journal-run DATA_DIR CHANGES</c>, on a folder seeded by <c>inventory-seed</c>: a full one-time inventory (the base),
/// then CHANGES new objects written into the bucket (journaled as they are written), then an incremental report from
/// the base, timed from the POST to manifest.checksum. The incremental run reads the journal, not the bucket, so its
/// time follows CHANGES, not the bucket's size.
/// </summary>
internal static class JournalBenchmark
{
    private const string Source = "bench-1250000000";
    private const string Destination = "bench-reports-1250000000";
    private static readonly Account Owner = new("1250000000", "100000000001", "AKIDbench", "bench", "bench");

    public static async Task<int> RunAsync(string[] args)
    {
        var (directory, changes) = (args[0], int.Parse(args[1]));
        var metadata = MetadataLocation.Parse(Environment.GetEnvironmentVariable("COFFER_METADATA"));
        using var core = CofferCore.Open(new CoreOptions { DataDirectory = directory, Metadata = metadata, Time = TimeProvider.System, Accounts = [Owner] });

        var (baseJob, baseSeconds, baseRows) = await RunOnceAsync(core, null);
        var written = Stopwatch.StartNew();
        Seeding.SeedObjects(core.Engine, Source, changes, first: 900_000_000);
        written.Stop();
        var (_, incrementalSeconds, incrementalRows) = await RunOnceAsync(core, new ChangeReport(ReportKind.Incremental, baseJob));
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            metadata = core.Engine.Metadata.Description,
            fullRows = baseRows,
            fullSeconds = Math.Round(baseSeconds, 3),
            changes,
            changesWrittenSeconds = Math.Round(written.Elapsed.TotalSeconds, 3),
            incrementalRows,
            incrementalSeconds = Math.Round(incrementalSeconds, 3),
        }));
        return 0;
    }

    private static async Task<(string JobId, double Seconds, long Rows)> RunOnceAsync(CofferCore core, ChangeReport? report)
    {
        var configuration = new InventoryConfiguration
        {
            Id = $"journal-{Guid.NewGuid():N}",
            IncludedObjectVersions = IncludedVersions.Current,
            OptionalFields = ["Size", "LastModifiedDate", "ETag", "StorageClass"],
            Destination = new InventoryDestination
            {
                Bucket = Destination,
                BucketReference = $"qcs::cos:ap-guangzhou::{Destination}",
                Format = InventoryFormat.Csv,
            },
            Report = report,
        };
        var watch = Stopwatch.StartNew();
        var queued = await core.Configurations.PostOneTimeAsync(Source, configuration);
        await core.Runner.RunPendingAsync();
        watch.Stop();
        var run = core.Runs.Get(Source, queued.JobId);
        if (run.State != InventoryRunState.Succeeded)
        {
            throw new InvalidOperationException($"run failed: {run.ErrorCode} {run.ErrorMessage}");
        }

        return (queued.JobId, watch.Elapsed.TotalSeconds, run.ObjectsMatched);
    }
}
