using System.Globalization;
using Coffer.Storage.Records;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// The change journal. A change takes its sequence from the single writer's commit counter, so sequences are in commit
/// order and the changes between two pinned positions are those with a sequence between them. A mark's sequence is its
/// position; <c>store_info</c>'s <c>journal_horizon</c> is the highest sequence a purge removed.
/// </summary>
internal sealed class SqliteJournal(SqliteSession session) : SqliteAggregate(session), IChangeJournalWriter
{
    private const string Horizon = "journal_horizon";

    private const string Insert =
        "INSERT INTO change_journal (seq, bucket_id, key, version_id, version_seq, operation, is_latest, is_delete_marker, at, record, previous) " +
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

    /// <summary>Records a change of <paramref name="version"/> (encoded as <paramref name="record"/>) in the session's transaction.</summary>
    internal void Record(ChangeOperation operation, VersionIdentity version, byte[] record, byte[]? previous = null) =>
        Statement(Insert)
            .Bind(1, Session.Store.NextSequence(Session))
            .Bind(2, version.BucketId)
            .Bind(3, version.Key)
            .Bind(4, version.VersionId)
            .Bind(5, version.Sequence)
            .Bind(6, (long)operation)
            .Bind(7, version.IsLatest)
            .Bind(8, version.IsDeleteMarker)
            .Bind(9, Session.Store.NowMilliseconds())
            .Bind(10, record)
            .Bind(11, previous)
            .Execute();

    public IEnumerable<ChangeRecord> Read(long bucketId, SnapshotPoint after, SnapshotPoint upTo, string fromKey, string? toKey, ChangeOrder order,
        VersionDetail detail = VersionDetail.All)
    {
        var upper = toKey is null ? "" : "AND key < $to";
        var orderBy = order == ChangeOrder.Key ? "key, seq" : "seq";
        using var command = Command(
            "SELECT seq, operation, at, bucket_id, key, version_seq, version_id, is_latest, is_delete_marker, record, previous FROM change_journal " +
            $"WHERE bucket_id = $bucket AND seq > $after AND seq <= $up_to AND key >= $from {upper} ORDER BY {orderBy}");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$after", SqlitePins.Position(after));
        command.Parameters.AddWithValue("$up_to", SqlitePins.Position(upTo));
        command.Parameters.AddWithValue("$from", fromKey);
        if (toKey is not null)
        {
            command.Parameters.AddWithValue("$to", toKey);
        }

        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var identity = new VersionIdentity(reader.GetInt64(3), reader.GetString(4), reader.GetInt64(5), reader.GetString(6), reader.GetInt64(7) != 0,
                reader.GetInt64(8) != 0);
            var previous = Blob(reader, 10);
            yield return new ChangeRecord(
                reader.GetInt64(0),
                (ChangeOperation)reader.GetInt64(1),
                Millis(reader, 2),
                VersionRecordCodec.Decode(identity, reader.GetFieldValue<byte[]>(9), detail),
                previous is null ? null : VersionRecordCodec.Decode(identity, previous, detail));
        }
    }

    public bool Covers(SnapshotPoint after) => SqlitePins.Position(after) >= PurgedThrough();

    public JournalMark? GetMark(string owner)
    {
        using var command = Command("SELECT point, at FROM journal_marks WHERE owner = $owner");
        command.Parameters.AddWithValue("$owner", owner);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Mark(owner, reader.GetInt64(0), Millis(reader, 1)) : null;
    }

    public JournalMark Mark(string owner, SnapshotPoint point)
    {
        if (GetMark(owner) is { } marked)
        {
            return marked;
        }

        var position = SqlitePins.Position(point);
        var at = Session.Store.NowMilliseconds();
        using var command = Command("INSERT INTO journal_marks (owner, point, at) VALUES ($owner, $point, $at)");
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$point", position);
        command.Parameters.AddWithValue("$at", at);
        command.ExecuteNonQuery();
        return Mark(owner, position, DateTimeOffset.FromUnixTimeMilliseconds(at));
    }

    public int Purge(DateTimeOffset before, int limit)
    {
        // Sequences are in commit order and times nearly so: the oldest changes go first, up to the first one recorded since.
        long? through;
        using (var last = Command("SELECT MAX(seq) FROM (SELECT seq FROM change_journal WHERE at < $before ORDER BY seq LIMIT $limit)"))
        {
            last.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            last.Parameters.AddWithValue("$limit", limit);
            through = last.ExecuteScalar() as long?;
        }

        using (var marks = Command("DELETE FROM journal_marks WHERE at < $before"))
        {
            marks.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            marks.ExecuteNonQuery();
        }

        if (through is not { } horizon)
        {
            return 0;
        }

        using var delete = Command("DELETE FROM change_journal WHERE seq <= $through");
        delete.Parameters.AddWithValue("$through", horizon);
        var purged = delete.ExecuteNonQuery();
        using var remember = Command("INSERT OR REPLACE INTO store_info (name, value) VALUES ($name, $value)");
        remember.Parameters.AddWithValue("$name", Horizon);
        remember.Parameters.AddWithValue("$value", Math.Max(horizon, PurgedThrough()).ToString(CultureInfo.InvariantCulture));
        remember.ExecuteNonQuery();
        return purged;
    }

    /// <summary>The highest sequence a purge removed (0 before any).</summary>
    private long PurgedThrough()
    {
        using var command = Command("SELECT value FROM store_info WHERE name = $name");
        command.Parameters.AddWithValue("$name", Horizon);
        return command.ExecuteScalar() is string value ? long.Parse(value, CultureInfo.InvariantCulture) : 0;
    }

    private static JournalMark Mark(string owner, long position, DateTimeOffset at) =>
        new(owner, new SnapshotPoint("sqlite:" + position.ToString(CultureInfo.InvariantCulture)), position, at);
}
