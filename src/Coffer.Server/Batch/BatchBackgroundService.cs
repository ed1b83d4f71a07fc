using Coffer.Batch;
using Coffer.Model.Batch;
using Coffer.Server.Maintenance;
using Coffer.Storage;
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
    ILogger<BatchBackgroundService> logger) : PollingService(logger)
{
    private bool _started;

    protected override string Name => "Batch";

    protected override async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        if (!_started && engine.OwnsDataFolder && await jobs.ReleaseAbandonedLeasesAsync(cancellationToken) is var taken and > 0)
        {
            LogTakeOver(logger, taken);
        }

        _started = true;
        await runner.RunPendingAsync(cancellationToken);
    }

    protected override Task WaitAsync(CancellationToken cancellationToken) => wakeup.WaitAsync(options.Batch.PollInterval, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch: {Count} job(s) left leased by an earlier process taken over")]
    private static partial void LogTakeOver(ILogger logger, int count);
}
