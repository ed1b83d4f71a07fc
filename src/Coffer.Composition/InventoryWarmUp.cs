using System.Diagnostics;
using Coffer.Inventory.Running;
using Coffer.Model.Accounts;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;

namespace Coffer.Composition;

/// <summary>
/// Runs the inventory pipeline right after a node starts, so that a user's first inventory finds its code compiled:
/// without it the first run of a million objects spends about a second in the JIT compiler (docs/performance.md). It
/// PUTs a few thousand small objects into a throw-away bucket in a temporary data folder (embedded SQLite) and runs a
/// partitioned one-time inventory of each report format, until tiered compilation has optimised what they run, through the same public services a node serves requests with.
/// Nothing touches the node's own data; the folder is deleted at the end, and nothing is kept once it is done.
/// </summary>
public static class InventoryWarmUp
{
    /// <summary>Enough rows for several partitions of a few parts' worth of rows each, and every path a row takes.</summary>
    public const int Objects = 4_000;

    private const string Source = "warm-up-1250000000";
    private const string Destination = "warm-up-reports-1250000000";
    /// <summary>The optional fields of the common report, every one of which a batch filled in place holds.</summary>
    private static readonly string[] InPlaceFields = ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus"];

    private static readonly Account Owner = new("1250000000", "100000000001", "AKIDwarmup", "warm-up", "warm-up");

    /// <summary>
    /// The pipeline is run again until tiering has settled (<see cref="WarmUpSupport.RepeatUntilSettledAsync(int, Func{int, Task}, CancellationToken)"/>), so the
    /// first real run starts from optimised code (docs/performance.md), at most this many times.
    /// </summary>
    private const int MaxPasses = 6;

    /// <summary>
    /// Runs the warm-up and returns how long it took and how many passes of the pipeline it ran; the temporary folder is
    /// gone when it returns, whatever happened.
    /// </summary>
    public static async Task<InventoryWarmUpResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var directory = WarmUpSupport.NewFolder();
        try
        {
            using (var core = CofferCore.Open(new CoreOptions
            {
                DataDirectory = directory,
                Accounts = [Owner],
                // Two workers and several partitions, as a server's run of a large bucket has.
                Runner = new InventoryRunnerOptions { Workers = 2, PartitionRows = Objects / 4, MinPartitionRows = Objects / 8, RecordsMetrics = false },
            }))
            {
                await FillAsync(core.Objects, cancellationToken);
                var passes = await WarmUpSupport.RepeatUntilSettledAsync(MaxPasses, async pass =>
                {
                    // Each format as most reports are written (their batches filled in place from the store's rows), then
                    // once with a column that makes the batches be filled from objects, so that path is compiled too.
                    foreach (var format in Enum.GetValues<InventoryFormat>())
                    {
                        await RunInventoryAsync(core, format, InPlaceFields, pass, cancellationToken);
                    }

                    await RunInventoryAsync(core, InventoryFormat.Csv, [.. InPlaceFields, "Crc64"], pass, cancellationToken);
                }, cancellationToken);

                return new InventoryWarmUpResult(Stopwatch.GetElapsedTime(started), passes);
            }
        }
        finally
        {
            WarmUpSupport.DeleteFolder(directory);
        }
    }

    private static async Task FillAsync(Model.ObjectService objects, CancellationToken cancellationToken)
    {
        await objects.CreateBucketAsync(Source, Owner.AppId, "ap-guangzhou", cancellationToken);
        await objects.CreateBucketAsync(Destination, Owner.AppId, "ap-guangzhou", cancellationToken);
        // Many PUTs in flight, so the commit queue writes them in a few transactions.
        await Parallel.ForEachAsync(Enumerable.Range(0, Objects), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var body = new byte[1 + i % 64];
                await objects.PutObjectAsync(new PutObjectRequest
                {
                    Bucket = Source,
                    Key = $"dir-{i % 10}/object-{i:D6}.bin",
                    Body = new MemoryStream(body),
                    ContentLength = body.Length,
                    StorageClass = i % 10 == 3 ? "STANDARD_IA" : Common.StorageClass.Standard,
                }, token);
            });
    }

    private static async Task RunInventoryAsync(
        CofferCore core, InventoryFormat format, IReadOnlyList<string> fields, int pass, CancellationToken cancellationToken)
    {
        var queued = await core.Configurations.PostOneTimeAsync(Source, new InventoryConfiguration
        {
            Id = $"warm-up-{format}-{fields.Count}-{pass}",
            IncludedObjectVersions = IncludedVersions.Current,
            OptionalFields = fields,
            Destination = new InventoryDestination
            {
                Bucket = Destination,
                BucketReference = $"qcs::cos:ap-guangzhou::{Destination}",
                Format = format,
            },
        }, cancellationToken);
        await core.Runner.RunPendingAsync(cancellationToken);
        var run = core.Runs.Get(Source, queued.JobId);
        if (run.State != InventoryRunState.Succeeded)
        {
            throw new InvalidOperationException($"The inventory warm-up's {format} run ended {run.State}: {run.ErrorCode} {run.ErrorMessage}");
        }
    }
}

/// <summary>What <see cref="InventoryWarmUp.RunAsync"/> did: how long it took, and how many passes of the pipeline it ran.</summary>
public readonly record struct InventoryWarmUpResult(TimeSpan Took, int Passes);
