using System.CommandLine;
using Coffer.Common;
using Coffer.Composition;
using Coffer.Inventory.Running;
using Coffer.Model.Inventory;
using Coffer.Server.Accounts;
using Coffer.Storage;

namespace Coffer.Host;

/// <summary>
/// <c>coffer inventory run --bucket B --id ID</c>: runs a periodic configuration now. With no server on the data folder
/// the run happens in this process; beside a running server, or on a cluster's shared database, it is queued there and
/// this command waits for a node to run it.
/// </summary>
internal static class InventoryCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static Command Build(HostSettings settings)
    {
        var bucket = new Option<string>("--bucket") { Description = "The source bucket (name-appid).", Required = true };
        var id = new Option<string>("--id") { Description = "The inventory configuration id.", Required = true };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for a run queued on a running server.", DefaultValueFactory = _ => 600 };
        var run = new Command("run", "Run a periodic inventory configuration now and print how it ended.") { settings.Data, settings.Metadata, settings.Config, bucket, id, timeout };
        run.SetAction(async (parse, cancellationToken) =>
        {
            var (file, dataDirectory, location) = settings.Read(parse);
            var time = TimeProvider.System;
            var configuration = parse.GetValue(bucket)!;
            var configId = parse.GetValue(id)!;
            CofferCore? core = null;
            // A shared database is a cluster's: its nodes run what is queued.
            if (!location.IsShared)
            {
                core = TryOpenHere(file, dataDirectory, location, time);
            }

            try
            {
                var finished = core is not null
                    ? await RunHereAsync(core, configuration, configId, time, cancellationToken)
                    : await QueueOnServerAsync(dataDirectory, location, configuration, configId, time, TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken);
                Print(finished);
                return finished.State == InventoryRunState.Succeeded ? 0 : 1;
            }
            catch (CofferException error)
            {
                await Console.Error.WriteLineAsync($"coffer: {error.Code}: {error.Message}");
                return 2;
            }
            finally
            {
                core?.Dispose();
            }
        });

        var inventory = new Command("inventory", "Bucket inventory tools.");
        inventory.Subcommands.Add(run);
        return inventory;
    }

    /// <summary>Opens the embedded store to run the inventory in this process; null when a server has the folder.</summary>
    private static CofferCore? TryOpenHere(Server.Configuration.CofferConfigFile? file, string dataDirectory, MetadataLocation location, TimeProvider time)
    {
        try
        {
            var (accounts, _) = AccountSources.Resolve(file, Environment.GetEnvironmentVariable, dataDirectory);
            var options = file?.Inventory?.ToOptions() ?? new Server.InventoryServiceOptions();
            return CofferCore.Open(new CoreOptions
            {
                DataDirectory = dataDirectory,
                Metadata = location,
                Time = time,
                MasterKey = file?.ReadMasterKey(),
                Accounts = accounts,
                Runner = new InventoryRunnerOptions { MaxPartBytes = options.MaxPartBytes, Lease = options.Lease },
            });
        }
        catch (DataDirectoryInUseException)
        {
            // A server has the folder: the run is queued there, for its worker.
            return null;
        }
    }

    private static async Task<InventoryRun> RunHereAsync(CofferCore core, string bucket, string configId, TimeProvider time, CancellationToken cancellationToken)
    {
        var queued = await QueueAsync(core.Runs, core.Engine.Metadata, bucket, configId, time, cancellationToken);
        var claimed = await core.Runs.ClaimAsync(queued.JobId, core.Runner.Options.Owner, core.Runner.Options.Lease, cancellationToken)
            ?? throw new InvalidOperationException($"Run {queued.JobId} was taken by another runner.");
        return await core.Runner.RunAsync(claimed, cancellationToken);
    }

    private static async Task<InventoryRun> QueueOnServerAsync(string dataDirectory, MetadataLocation location, string bucket, string configId,
        TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var metadata = CofferCore.OpenMetadata(dataDirectory, location, time);
        var runs = new InventoryRuns(metadata, time);
        var queued = await QueueAsync(runs, metadata, bucket, configId, time, cancellationToken);
        Console.WriteLine($"queued {queued.JobId} on the running server; waiting");
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            var run = runs.Get(bucket, queued.JobId);
            if (run.State is InventoryRunState.Succeeded or InventoryRunState.Failed)
            {
                return run;
            }

            if (time.GetUtcNow() > deadline)
            {
                throw new CofferException(ErrorCode.InternalError, $"Run {queued.JobId} did not finish within {timeout.TotalSeconds:0} s; it stays queued.");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private static async Task<InventoryRun> QueueAsync(InventoryRuns runs, IMetadataStore metadata, string bucket, string configId,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var configuration = new InventoryConfigurations(metadata, time).Get(bucket, configId);
        if (!configuration.IsEnabled)
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"Inventory '{configId}' is disabled (IsEnabled is {configuration.IsEnabledText}).");
        }

        return await runs.EnqueueAsync(bucket, configId, InventoryTrigger.Manual, time.GetUtcNow(), cancellationToken);
    }

    private static void Print(InventoryRun run)
    {
        Console.WriteLine($"run {run.JobId}: {run.State}");
        Console.WriteLine($"  scanned  {run.ObjectsScanned} objects, {run.BytesScanned} bytes");
        Console.WriteLine($"  reported {run.ObjectsMatched} objects, {run.BytesMatched} bytes, in {run.FilesWritten} file(s)");
        if (run.ManifestKey is not null)
        {
            Console.WriteLine($"  manifest {run.Configuration.Destination.Bucket}/{run.ManifestKey}");
        }

        if (run.ErrorCode is not null)
        {
            Console.WriteLine($"  error    {run.ErrorCode}: {run.ErrorMessage}");
        }
    }
}
