using Coffer.Inventory.Running;
using Coffer.Inventory.Scheduling;
using Coffer.Model.Inventory;
using Coffer.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Inventory;

/// <summary>
/// The server's inventory loop: queue what the schedules say is due, run what is queued (or abandoned by a dead
/// runner), then sleep until woken by a new run or the poll interval passes.
/// </summary>
internal sealed partial class InventoryBackgroundService(
    InventoryScheduler scheduler,
    InventoryRunner runner,
    InventoryRuns runs,
    InventoryWakeup wakeup,
    StorageEngine engine,
    CofferServerOptions options,
    ILogger<InventoryBackgroundService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!started && engine.OwnsDataFolder && await runs.ReleaseAbandonedLeasesAsync(stoppingToken) is var taken and > 0)
                {
                    // No other process can hold the folder: runs an earlier process left running are taken over now, not after their lease.
                    LogTakeOver(logger, taken);
                }

                started = true;
                await scheduler.TickAsync(stoppingToken);
                var ran = await runner.RunPendingAsync(stoppingToken);
                if (ran > 0)
                {
                    LogRuns(logger, ran);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (MetadataUnavailableException error)
            {
                // The database is away (restarting, failing over): nothing to do but wait for it.
                LogUnavailable(logger, error.Message);
            }
            catch (Exception error)
            {
                // The runner records run failures itself; this is the loop surviving a failure around it.
                LogFailure(logger, error);
            }

            await wakeup.WaitAsync(options.Inventory.PollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Inventory: {Count} run(s) left running by an earlier process taken over")]
    private static partial void LogTakeOver(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inventory: {Count} run(s) finished")]
    private static partial void LogRuns(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inventory loop paused: {Reason}; retrying after the poll interval")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inventory loop failed; retrying after the poll interval")]
    private static partial void LogFailure(ILogger logger, Exception error);
}
