using Coffer.Composition;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.WarmUp;

/// <summary>
/// Runs the start-up warm-ups once, in the background, right after start, one after the other (two at once would share
/// the cores with each other and with the first clients): <see cref="RequestWarmUp"/> (see
/// <see cref="CofferServerOptions.WarmUpRequests"/>), then <see cref="InventoryWarmUp"/> (see
/// <see cref="InventoryServiceOptions.WarmUp"/>). Start-up does not wait for them, and a failure is logged, never fatal.
/// </summary>
internal sealed partial class WarmUpService(CofferServerOptions options, WarmUpOutcome outcome, ILogger<WarmUpService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the start-up path: ExecuteAsync runs on the caller's thread until its first await.
        await Task.Yield();
        if (options.WarmUpRequests)
        {
            try
            {
                var result = await RequestWarmUp.RunAsync(options.Region, options.DomainSuffixes, cancellationToken: stoppingToken);
                LogRequestsDone(logger, result.Took.TotalSeconds, result.Rounds, result.Requests);
                outcome.RequestsDone(result);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopped before it finished; its folder is already gone.
                outcome.RequestsCancelled();
                return;
            }
            catch (Exception error)
            {
                LogRequestsFailed(logger, error);
                outcome.RequestsFailed(error);
            }
        }

        if (options.Inventory.WarmUp)
        {
            try
            {
                var result = await Task.Run(() => InventoryWarmUp.RunAsync(stoppingToken), stoppingToken);
                LogInventoryDone(logger, result.Took.TotalSeconds, result.Passes);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // As above.
            }
            catch (Exception error)
            {
                LogInventoryFailed(logger, error);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Requests: warm-up done in {Seconds:0.0} s, {Rounds} rounds, {Requests} requests (the request path's code is compiled for the first clients)")]
    private static partial void LogRequestsDone(ILogger logger, double seconds, int rounds, long requests);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Requests: warm-up failed; the first requests will compile the request path's code themselves")]
    private static partial void LogRequestsFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inventory: warm-up done in {Seconds:0.0} s, {Passes} passes (the pipeline's code is compiled for the first run)")]
    private static partial void LogInventoryDone(ILogger logger, double seconds, int passes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inventory: warm-up failed; the first run will compile the pipeline's code itself")]
    private static partial void LogInventoryFailed(ILogger logger, Exception error);
}
