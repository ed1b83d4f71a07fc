using Coffer.Inventory.Running;
using Coffer.Inventory.Scheduling;
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
    InventoryWakeup wakeup,
    CofferServerOptions options,
    ILogger<InventoryBackgroundService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Inventory: {Count} run(s) finished")]
    private static partial void LogRuns(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inventory loop paused: {Reason}; retrying after the poll interval")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inventory loop failed; retrying after the poll interval")]
    private static partial void LogFailure(ILogger logger, Exception error);
}
