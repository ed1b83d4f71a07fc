using Coffer.Batch;
using Coffer.Model.Batch;
using Coffer.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Batch;

/// <summary>
/// The server's batch loop: work the jobs that are ready (or abandoned by a dead runner), then sleep until woken or the
/// poll interval passes. A server that holds the data folder first takes over the jobs an earlier process left leased.
/// </summary>
internal sealed partial class BatchBackgroundService(
    BatchRunner runner,
    BatchJobs jobs,
    BatchWakeup wakeup,
    StorageEngine engine,
    CofferServerOptions options,
    ILogger<BatchBackgroundService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!started && engine.OwnsDataFolder && await jobs.ReleaseAbandonedLeasesAsync(stoppingToken) is var taken and > 0)
                {
                    LogTakeOver(logger, taken);
                }

                started = true;
                await runner.RunPendingAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (MetadataUnavailableException error)
            {
                LogUnavailable(logger, error.Message);
            }
            catch (Exception error)
            {
                // The runner records job failures itself; this is the loop surviving a failure around it.
                LogFailure(logger, error);
            }

            await wakeup.WaitAsync(options.Batch.PollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch: {Count} job(s) left leased by an earlier process taken over")]
    private static partial void LogTakeOver(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch loop paused: {Reason}; retrying after the poll interval")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Batch loop failed; retrying after the poll interval")]
    private static partial void LogFailure(ILogger logger, Exception error);
}
