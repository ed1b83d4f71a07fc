using Coffer.Model.Lifecycle;
using Coffer.Server.Maintenance;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Lifecycle;

/// <summary>
/// The server's lifecycle loop: every poll interval, run the pass of each bucket that is due (once a UTC day, and when
/// its configuration changed). Passes are leased through the database, so every node may run this loop.
/// </summary>
internal sealed partial class LifecycleBackgroundService(LifecycleWorker worker, CofferServerOptions options, ILogger<LifecycleBackgroundService> logger)
    : PollingService(logger)
{
    protected override string Name => "Lifecycle";

    protected override async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        foreach (var pass in await worker.RunDueAsync(cancellationToken))
        {
            LogPass(logger, pass.Bucket, pass.KeysScanned, pass.Expired, pass.VersionsDeleted, pass.UploadsAborted, pass.Transitioned);
        }
    }

    protected override Task WaitAsync(CancellationToken cancellationToken) => Task.Delay(options.Lifecycle.PollInterval, cancellationToken);

    /// <summary>Another node took the pass's lease over (this one was too slow): it finishes the pass.</summary>
    protected override string? ExpectedFailure(Exception error) => error is LifecycleLeaseLostException ? error.Message : null;

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Lifecycle: bucket {Bucket}: {Keys} key(s) scanned, {Expired} expired, {Deleted} version(s) deleted, {Aborted} upload(s) aborted, {Transitioned} version(s) transitioned")]
    private static partial void LogPass(ILogger logger, string bucket, long keys, long expired, long deleted, long aborted, long transitioned);
}
