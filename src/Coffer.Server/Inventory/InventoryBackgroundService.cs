using Coffer.Inventory.Running;
using Coffer.Inventory.Scheduling;
using Coffer.Model.Inventory;
using Coffer.Server.Maintenance;
using Coffer.Storage;
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
    ILogger<InventoryBackgroundService> logger) : PollingService(logger)
{
    private bool _started;

    protected override string Name => "Inventory";

    protected override async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        if (!_started && engine.OwnsDataFolder && await runs.ReleaseAbandonedLeasesAsync(cancellationToken) is var taken and > 0)
        {
            // No other process can hold the folder: runs an earlier process left running are taken over now, not after their lease.
            LogTakeOver(logger, taken);
        }

        _started = true;
        await scheduler.TickAsync(cancellationToken);
        var ran = await runner.RunPendingAsync(cancellationToken);
        if (ran > 0)
        {
            LogRuns(logger, ran);
        }
    }

    protected override Task WaitAsync(CancellationToken cancellationToken) => wakeup.WaitAsync(options.Inventory.PollInterval, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inventory: {Count} run(s) left running by an earlier process taken over")]
    private static partial void LogTakeOver(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inventory: {Count} run(s) finished")]
    private static partial void LogRuns(ILogger logger, int count);
}
