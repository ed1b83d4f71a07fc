using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>The outbox of event notifications; leases are decided inside the single writer, so two never overlap.</summary>
internal sealed class SqliteOutbox(SqliteSession session) : SqliteAggregate(session), IOutboxWriter
{
    private const string Columns = "id, target, body, queued_at, next_attempt, attempts, last_error";

    public IReadOnlyDictionary<string, long> CountByTarget()
    {
        using var command = Command("SELECT target, COUNT(*) FROM notification_outbox GROUP BY target");
        return ReadAll(command, r => (r.GetString(0), r.GetInt64(1))).ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);
    }

    /// <summary>The single writer runs one transaction's work at a time: no other enqueue can be in flight.</summary>
    public IReadOnlyDictionary<string, long> LockAndCountByTarget() => CountByTarget();

    public void Enqueue(OutboxEvent outboxEvent)
    {
        using var command = Command(
            "INSERT INTO notification_outbox (id, target, body, queued_at, next_attempt, attempts, last_error) " +
            "VALUES ($id, $target, $body, $queued, $next, $attempts, $error)");
        var p = command.Parameters;
        p.AddWithValue("$id", outboxEvent.Id);
        p.AddWithValue("$target", outboxEvent.Target);
        p.AddWithValue("$body", outboxEvent.Body);
        p.AddWithValue("$queued", outboxEvent.QueuedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$next", outboxEvent.NextAttempt.ToUnixTimeMilliseconds());
        p.AddWithValue("$attempts", outboxEvent.Attempts);
        p.AddWithValue("$error", Nullable(outboxEvent.LastError));
        command.ExecuteNonQuery();
    }

    public IReadOnlyList<OutboxEvent> Lease(string owner, DateTimeOffset now, DateTimeOffset until, int limit)
    {
        using var command = Command(
            "UPDATE notification_outbox SET lease_owner = $owner, lease_until = $until WHERE seq IN (" +
            "SELECT seq FROM notification_outbox WHERE next_attempt <= $now AND (lease_until IS NULL OR lease_until < $now) ORDER BY next_attempt, seq LIMIT $limit) " +
            $"RETURNING seq, {Columns}");
        var p = command.Parameters;
        p.AddWithValue("$owner", owner);
        p.AddWithValue("$until", until.ToUnixTimeMilliseconds());
        p.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        p.AddWithValue("$limit", limit);
        // RETURNING gives rows in no promised order; the oldest go first.
        return ReadAll(command, r => (Sequence: r.GetInt64(0), Event: Read(r))).OrderBy(e => e.Sequence).Select(e => e.Event).ToArray();
    }

    public void Complete(IReadOnlyCollection<string> ids)
    {
        using var command = Command("DELETE FROM notification_outbox WHERE id = $id");
        var id = command.Parameters.Add("$id", SqliteType.Text);
        foreach (var value in ids)
        {
            id.Value = value;
            command.ExecuteNonQuery();
        }
    }

    public void Retry(string id, string owner, DateTimeOffset nextAttempt, string error)
    {
        using var command = Command(
            "UPDATE notification_outbox SET attempts = attempts + 1, next_attempt = $next, last_error = $error, lease_owner = NULL, lease_until = NULL " +
            "WHERE id = $id AND lease_owner = $owner");
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$next", nextAttempt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$error", error);
        command.ExecuteNonQuery();
    }

    public int Drop(string target)
    {
        using var command = Command("DELETE FROM notification_outbox WHERE target = $target");
        command.Parameters.AddWithValue("$target", target);
        return command.ExecuteNonQuery();
    }

    private static OutboxEvent Read(SqliteDataReader r) => new()
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
