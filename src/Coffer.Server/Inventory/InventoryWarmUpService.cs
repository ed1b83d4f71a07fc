using Coffer.Composition;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Inventory;

/// <summary>
/// Runs <see cref="InventoryWarmUp"/> once, in the background, right after start (see
/// <see cref="InventoryServiceOptions.WarmUp"/>): start-up does not wait for it, and a failure is logged, never fatal.
/// </summary>
internal sealed partial class InventoryWarmUpService(ILogger<InventoryWarmUpService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Off the start-up path: ExecuteAsync runs on the caller's thread until its first await.
            var result = await Task.Run(() => InventoryWarmUp.RunAsync(stoppingToken), stoppingToken);
            LogDone(logger, result.Took.TotalSeconds, result.Passes);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before it finished; its folder is already gone.
        }
        catch (Exception error)
        {
            LogFailed(logger, error);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Inventory: warm-up done in {Seconds:0.0} s, {Passes} passes (the pipeline's code is compiled for the first run)")]
    private static partial void LogDone(ILogger logger, double seconds, int passes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inventory: warm-up failed; the first run will compile the pipeline's code itself")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
