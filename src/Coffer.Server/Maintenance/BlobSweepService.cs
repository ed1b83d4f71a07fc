using Coffer.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Maintenance;

/// <summary>
/// Deletes abandoned blobs now and then: files whose upload or release was cut short by a node that died. Start-up
/// recovery does the same for an embedded store; nodes sharing a database need it while running, since one node's
/// start-up may not touch another node's uploads in flight. It also purges superseded version revisions no pinned
/// instant needs (the embedded store purges as pins are released; a shared one leaves it to this).
/// </summary>
internal sealed partial class BlobSweepService(StorageEngine engine, TimeProvider time, ILogger<BlobSweepService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
                var swept = await engine.SweepAsync(stoppingToken);
                if (swept > 0)
                {
                    LogSwept(logger, swept);
                }

                // Versions superseded while an inventory had the bucket pinned, and no pin needs any more.
                await engine.Metadata.PurgeSupersededAsync(stoppingToken);
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
                LogFailure(logger, error);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} abandoned blob file(s)")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping abandoned blobs paused: {Reason}; trying again later")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping abandoned blobs failed; trying again later")]
    private static partial void LogFailure(ILogger logger, Exception error);
}
