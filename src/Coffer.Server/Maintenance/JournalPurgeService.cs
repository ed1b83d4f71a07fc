using Coffer.Model.Inventory;
using Coffer.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Maintenance;

/// <summary>Keeps the change journal to its retention (<c>journal.retentionDays</c>, 7 by default): purges older changes now and then.</summary>
internal sealed partial class JournalPurgeService(InventoryRuns runs, CofferServerOptions options, TimeProvider time, ILogger<JournalPurgeService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A tenth of the retention at most, so the journal never holds much more than it should.
        var interval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromHours(1).Ticks, options.JournalRetention.Ticks / 10));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var purged = await runs.Journal.PurgeAsync(time.GetUtcNow() - options.JournalRetention, stoppingToken);
                if (purged > 0)
                {
                    LogPurged(logger, purged);
                }

                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (MetadataUnavailableException error)
            {
                LogUnavailable(logger, error.Message);
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception error)
            {
                LogFailure(logger, error);
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Change journal: {Count} change(s) older than the retention purged")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging the change journal paused: {Reason}; trying again later")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging the change journal failed; trying again later")]
    private static partial void LogFailure(ILogger logger, Exception error);
}
