using Coffer.Model.Inventory;

namespace Coffer.Inventory.Scheduling;

/// <summary>
/// Queues periodic runs as they come due. A configuration that is disabled never runs; one whose previous run is still
/// queued or running waits for it, then gets the latest occurrence that passed meanwhile (missed ones are not replayed).
/// Time comes only from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class InventoryScheduler(InventoryRuns runs, TimeProvider time, ScheduleOptions options)
{
    /// <summary>Queues what is due now; returns the runs queued.</summary>
    public async Task<IReadOnlyList<InventoryRun>> TickAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var queued = new List<InventoryRun>();
        foreach (var (bucket, configuration, createdAt, lastScheduled, busy) in runs.Periodic())
        {
            if (!configuration.IsEnabled || configuration.Schedule is not { } schedule || busy)
            {
                continue;
            }

            var anchor = lastScheduled?.QueuedAt ?? createdAt;
            if (ScheduleCalculator.LatestDue(schedule, anchor, now, options) is { } due
                && await runs.EnqueueScheduledAsync(bucket, configuration.Id, due, cancellationToken) is { } run)
            {
                queued.Add(run);
            }
        }

        return queued;
    }
}
