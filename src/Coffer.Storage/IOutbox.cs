namespace Coffer.Storage;

/// <summary>
/// An event waiting to be delivered to a target: queued in the transaction of the change it tells of, so it survives
/// whatever happens after the commit, and deleted once delivered.
/// </summary>
public sealed record OutboxEvent
{
    /// <summary>Unique across all events: what a receiver deduplicates on (delivery is at least once).</summary>
    public required string Id { get; init; }

    /// <summary>The configured target the event goes to.</summary>
    public required string Target { get; init; }

    /// <summary>The body to deliver, as it is sent.</summary>
    public required byte[] Body { get; init; }

    public DateTimeOffset QueuedAt { get; init; }

    /// <summary>Not delivered before this.</summary>
    public DateTimeOffset NextAttempt { get; init; }

    /// <summary>Failed deliveries so far.</summary>
    public int Attempts { get; init; }

    public string? LastError { get; init; }
}

public interface IOutboxReader
{
    /// <summary>How many events wait for each target that has any.</summary>
    IReadOnlyDictionary<string, long> CountByTarget();
}

/// <summary>
/// The outbox of events. Deliverers lease events for a while: an event leased by one is not leased by another until the
/// lease runs out (its deliverer died), so each event is delivered by one deliverer at a time, and again only if the first
/// never said it was done.
/// </summary>
public interface IOutboxWriter : IOutboxReader
{
    void Enqueue(OutboxEvent outboxEvent);

    /// <summary>
    /// <see cref="IOutboxReader.CountByTarget"/> at this transaction's place among the writes: every transaction that
    /// enqueued before it has ended and is counted (committed) or not (rolled back), and none enqueues until this one ends.
    /// </summary>
    IReadOnlyDictionary<string, long> LockAndCountByTarget();

    /// <summary>
    /// Leases, for <paramref name="owner"/> until <paramref name="until"/>, up to <paramref name="limit"/> events due at
    /// <paramref name="now"/> that no live lease holds, oldest first.
    /// </summary>
    IReadOnlyList<OutboxEvent> Lease(string owner, DateTimeOffset now, DateTimeOffset until, int limit);

    /// <summary>Removes delivered events.</summary>
    void Complete(IReadOnlyCollection<string> ids);

    /// <summary>Releases <paramref name="owner"/>'s lease of an event that failed, to be tried again at <paramref name="nextAttempt"/>.</summary>
    void Retry(string id, string owner, DateTimeOffset nextAttempt, string error);

    /// <summary>Removes every event waiting for <paramref name="target"/>; returns how many (a target taken out of the configuration).</summary>
    int Drop(string target);
}
