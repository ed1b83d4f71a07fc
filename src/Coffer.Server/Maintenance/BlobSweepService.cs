using Coffer.Storage;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Maintenance;

/// <summary>
/// Deletes abandoned blobs now and then: files whose upload or release was cut short by a node that died. Start-up
/// recovery does the same for an embedded store; nodes sharing a database need it while running, since one node's
/// start-up may not touch another node's uploads in flight. It also purges superseded version revisions no pinned
/// instant needs (the embedded store purges as pins are released; a shared one leaves it to this).
/// </summary>
internal sealed partial class BlobSweepService(StorageEngine engine, TimeProvider time, ILogger<BlobSweepService> logger) : PollingService(logger)
{
    protected override string Name => "Sweeping abandoned blobs";

    protected override bool WaitsFirst => true;

    protected override async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        var swept = await engine.SweepAsync(cancellationToken);
        if (swept > 0)
        {
            LogSwept(logger, swept);
        }

        // Versions superseded while an inventory had the bucket pinned, and no pin needs any more.
        await engine.Metadata.PurgeSupersededAsync(cancellationToken);
    }

    protected override Task WaitAsync(CancellationToken cancellationToken) => Task.Delay(TimeSpan.FromMinutes(1), time, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} abandoned blob file(s)")]
    private static partial void LogSwept(ILogger logger, int count);
}
