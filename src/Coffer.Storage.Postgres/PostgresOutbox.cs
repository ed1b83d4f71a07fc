using Npgsql;

namespace Coffer.Storage.Postgres;

/// <summary>
/// The outbox of event notifications. A lease takes its events <c>FOR UPDATE SKIP LOCKED</c>: two nodes leasing at once
/// take different events, and a leased event is skipped by every lease until its lease runs out.
/// </summary>
internal sealed class PostgresOutbox(PostgresSession session) : PostgresAggregate(session), IOutboxWriter
{
    private const string Columns = "id, target, body, queued_at, next_attempt, attempts, last_error";
    private const string CountSavepoint = "outbox_count";

    /// <summary>How long a recount waits for the outbox's SHARE lock; PostgreSQL's own deadlock check waits as long.</summary>
    private const string CountLockTimeout = "1s";

    public IReadOnlyDictionary<string, long> CountByTarget() =>
        ReadAll(Command("SELECT target, count(*) FROM notification_outbox GROUP BY target"), r => (r.GetString(0), r.GetInt64(1)))
            .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

    /// <summary>
    /// A SHARE lock on the outbox waits for every transaction that inserted into it (ROW EXCLUSIVE) to end and keeps new
    /// inserts waiting until this transaction ends; the count, a statement of its own under READ COMMITTED, then sees
    /// every one that committed. Deliverers' leases and completions wait too, for as long as the count takes. Every
    /// enqueuer queues behind the lock while it waits, so it waits at most <see cref="CountLockTimeout"/> for a long
    /// transaction (a large DeleteObjects, say) and then counts without it, as a snapshot that misses the events of
    /// transactions still open: the limit may then be passed by those.
    /// </summary>
    public IReadOnlyDictionary<string, long> LockAndCountByTarget()
    {
        Session.Transaction.Save(CountSavepoint);
        try
        {
            NonQuery(Command($"SET LOCAL lock_timeout = '{CountLockTimeout}'"));
            using (var lockTable = Command("LOCK TABLE notification_outbox IN SHARE MODE"))
            {
                lockTable.ExecuteNonQuery();
            }

            Session.Transaction.Release(CountSavepoint);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            Session.Transaction.Rollback(CountSavepoint);
        }

        return CountByTarget();
    }

    public void Enqueue(OutboxEvent outboxEvent) => NonQuery(Command(
        $"INSERT INTO notification_outbox ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        outboxEvent.Id, outboxEvent.Target, outboxEvent.Body, outboxEvent.QueuedAt.ToUnixTimeMilliseconds(),
        outboxEvent.NextAttempt.ToUnixTimeMilliseconds(), outboxEvent.Attempts, outboxEvent.LastError));

    public IReadOnlyList<OutboxEvent> Lease(string owner, DateTimeOffset now, DateTimeOffset until, int limit) =>
        ReadAll(Command(
                "UPDATE notification_outbox SET lease_owner = $1, lease_until = $2 WHERE seq IN (" +
                "SELECT seq FROM notification_outbox WHERE next_attempt <= $3 AND (lease_until IS NULL OR lease_until < $3) " +
                "ORDER BY next_attempt, seq LIMIT $4 FOR UPDATE SKIP LOCKED) " +
                $"RETURNING seq, {Columns}",
                owner, until.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), limit),
            r => (Sequence: r.GetInt64(0), Event: Read(r)))
        .OrderBy(e => e.Sequence).Select(e => e.Event).ToArray();

    public void Complete(IReadOnlyCollection<string> ids)
    {
        if (ids.Count > 0)
        {
            NonQuery(Command("DELETE FROM notification_outbox WHERE id = ANY($1)", (object)ids.ToArray()));
        }
    }

    public void Retry(string id, string owner, DateTimeOffset nextAttempt, string error) => NonQuery(Command(
        "UPDATE notification_outbox SET attempts = attempts + 1, next_attempt = $3, last_error = $4, lease_owner = NULL, lease_until = NULL " +
        "WHERE id = $1 AND lease_owner = $2",
        id, owner, nextAttempt.ToUnixTimeMilliseconds(), error));

    public int Drop(string target) => NonQuery(Command("DELETE FROM notification_outbox WHERE target = $1", target));

    private static OutboxEvent Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(1),
        Target = r.GetString(2),
        Body = r.GetFieldValue<byte[]>(3),
        QueuedAt = Millis(r, 4),
        NextAttempt = Millis(r, 5),
        Attempts = r.GetInt32(6),
        LastError = Text(r, 7),
    };
}
