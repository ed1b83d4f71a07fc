using System.Globalization;
using Coffer.Storage.Records;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// The change journal. A change takes its sequence from the single writer's commit counter, so sequences are in commit
/// order and the changes between two pinned positions are those with a sequence between them. A mark's sequence is its
/// position; <c>store_info</c>'s <c>journal_horizon</c> is the highest sequence a purge removed.
/// </summary>
internal sealed class SqliteJournal(SqliteSession session) : SqliteAggregate(session), IChangeJournalWriter, IDisposable
{
    private const string Horizon = "journal_horizon";

    private SqliteCommand? _insert;

    /// <summary>Records a change of <paramref name="version"/> (encoded as <paramref name="record"/>) in the session's transaction.</summary>
    internal void Record(ChangeOperation operation, VersionIdentity version, byte[] record, byte[]? previous = null)
    {
        if (_insert is null)
        {
            _insert = Command(
                "INSERT INTO change_journal (seq, bucket_id, key, version_id, version_seq, operation, is_latest, is_delete_marker, at, record, previous) " +
                "VALUES ($seq, $bucket, $key, $version, $version_seq, $operation, $latest, $marker, $at, $record, $previous)");
            var p = _insert.Parameters;
            p.Add("$seq", SqliteType.Integer);
            p.Add("$bucket", SqliteType.Integer);
            p.Add("$key", SqliteType.Text);
            p.Add("$version", SqliteType.Text);
            p.Add("$version_seq", SqliteType.Integer);
            p.Add("$operation", SqliteType.Integer);
            p.Add("$latest", SqliteType.Integer);
            p.Add("$marker", SqliteType.Integer);
            p.Add("$at", SqliteType.Integer);
            p.Add("$record", SqliteType.Blob);
            p.Add("$previous", SqliteType.Blob);
            _insert.Prepare();
        }

        var values = _insert.Parameters;
        values[0].Value = Session.Store.NextSequence(Session);
        values[1].Value = version.BucketId;
        values[2].Value = version.Key;
        values[3].Value = version.VersionId;
        values[4].Value = version.Sequence;
        values[5].Value = (int)operation;
        values[6].Value = version.IsLatest ? 1 : 0;
        values[7].Value = version.IsDeleteMarker ? 1 : 0;
        values[8].Value = Session.Store.NowMilliseconds();
        values[9].Value = record;
        values[10].Value = (object?)previous ?? DBNull.Value;
        _insert.ExecuteNonQuery();
    }

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

    /// <summary>Hands the insert back to the connection's cache once the session ends (only once: another session may take it next).</summary>
    public void Dispose()
    {
        _insert?.Dispose();
        _insert = null;
    }

    private static JournalMark Mark(string owner, long position, DateTimeOffset at) =>
        new(owner, new SnapshotPoint("sqlite:" + position.ToString(CultureInfo.InvariantCulture)), position, at);
}
