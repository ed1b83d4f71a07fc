using Coffer.Model.Inventory;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Maintenance;

/// <summary>Keeps the change journal to its retention (<c>journal.retentionDays</c>, 7 by default): purges older changes now and then.</summary>
internal sealed partial class JournalPurgeService(InventoryRuns runs, CofferServerOptions options, TimeProvider time, ILogger<JournalPurgeService> logger)
    : PollingService(logger)
{
    protected override string Name => "Purging the change journal";

    protected override async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        var purged = await runs.Journal.PurgeAsync(time.GetUtcNow() - options.JournalRetention, cancellationToken);
        if (purged > 0)
        {
            LogPurged(logger, purged);
        }
    }

    // A tenth of the retention at most, so the journal never holds much more than it should.
    protected override Task WaitAsync(CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromTicks(Math.Min(TimeSpan.FromHours(1).Ticks, options.JournalRetention.Ticks / 10)), time, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Change journal: {Count} change(s) older than the retention purged")]
    private static partial void LogPurged(ILogger logger, int count);
}
