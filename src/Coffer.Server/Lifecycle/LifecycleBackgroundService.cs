using Coffer.Model.Lifecycle;
using Coffer.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Lifecycle;

/// <summary>
/// The server's lifecycle loop: every poll interval, run the pass of each bucket that is due (once a UTC day, and when
/// its configuration changed). Passes are leased through the database, so every node may run this loop.
/// </summary>
internal sealed partial class LifecycleBackgroundService(LifecycleWorker worker, CofferServerOptions options, ILogger<LifecycleBackgroundService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var pass in await worker.RunDueAsync(stoppingToken))
                {
                    LogPass(logger, pass.Bucket, pass.KeysScanned, pass.Expired, pass.VersionsDeleted, pass.UploadsAborted);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (LifecycleLeaseLostException error)
            {
                LogLeaseLost(logger, error.Message);
            }
            catch (MetadataUnavailableException error)
            {
                LogUnavailable(logger, error.Message);
            }
            catch (Exception error)
            {
                LogFailure(logger, error);
            }

            await Task.Delay(options.Lifecycle.PollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Lifecycle: bucket {Bucket}: {Keys} key(s) scanned, {Expired} expired, {Deleted} version(s) deleted, {Aborted} upload(s) aborted")]
    private static partial void LogPass(ILogger logger, string bucket, long keys, long expired, long deleted, long aborted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifecycle pass stopped: {Reason}")]
    private static partial void LogLeaseLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifecycle loop paused: {Reason}; retrying after the poll interval")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lifecycle loop failed; retrying after the poll interval")]
    private static partial void LogFailure(ILogger logger, Exception error);
}
