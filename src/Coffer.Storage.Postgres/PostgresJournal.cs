using System.Globalization;
using Coffer.Storage.Records;
using Npgsql;

namespace Coffer.Storage.Postgres;

/// <summary>
/// The change journal. The changes between two pinned snapshots are the rows whose transaction the later snapshot sees
/// and the earlier one does not; the xid range between the earlier one's xmin and the later one's xmax bounds the index
/// scan. A mark's sequence is taken from <c>coffer_seq</c> when it is made: every change its snapshot sees has a lower one.
/// </summary>
internal sealed class PostgresJournal(PostgresSession session) : PostgresAggregate(session), IChangeJournalWriter
{
    /// <summary>The columns of a journal row a change is inserted with, in this order.</summary>
    internal const string Insertable = "seq, bucket_id, key, version_id, version_seq, operation, is_latest, is_delete_marker, at, record, previous";

    public IEnumerable<ChangeRecord> Read(long bucketId, SnapshotPoint after, SnapshotPoint upTo, string fromKey, string? toKey, ChangeOrder order,
        VersionDetail detail = VersionDetail.All)
    {
        var from = PostgresPins.Snapshot(after);
        var to = PostgresPins.Snapshot(upTo);
        var parameters = new List<object?>
        {
            bucketId, PostgresPins.Xmin(from).ToString(CultureInfo.InvariantCulture), PostgresPins.Xmax(to).ToString(CultureInfo.InvariantCulture),
            to, from, fromKey,
        };
        var upper = "";
        if (toKey is not null)
        {
            parameters.Add(toKey);
            upper = " AND key < $7";
        }

        using var command = Command(
            "SELECT seq, operation, at, bucket_id, key, version_seq, version_id, is_latest, is_delete_marker, record, previous FROM change_journal " +
            "WHERE bucket_id = $1 AND xid >= $2::text::xid8 AND xid < $3::text::xid8 AND pg_visible_in_snapshot(xid, $4::text::pg_snapshot) " +
            $"AND NOT pg_visible_in_snapshot(xid, $5::text::pg_snapshot) AND key >= $6{upper} ORDER BY {(order == ChangeOrder.Key ? "key, seq" : "seq")}",
            [.. parameters]);
        using var reader = Session.Run(() => command.ExecuteReader());
        while (Session.Run(reader.Read))
        {
            var identity = new VersionIdentity(reader.GetInt64(3), reader.GetString(4), reader.GetInt64(5), reader.GetString(6), reader.GetBoolean(7),
                reader.GetBoolean(8));
            var previous = Blob(reader, 10);
            yield return new ChangeRecord(
                reader.GetInt64(0),
                (ChangeOperation)reader.GetInt16(1),
                Millis(reader, 2),
                VersionRecordCodec.Decode(identity, reader.GetFieldValue<byte[]>(9), detail),
                previous is null ? null : VersionRecordCodec.Decode(identity, previous, detail));
        }
    }

    public bool Covers(SnapshotPoint after)
    {
        var xmin = PostgresPins.Xmin(PostgresPins.Snapshot(after));
        var purged = Session.Run(() =>
        {
            using var command = Command("SELECT purged_xid FROM journal_horizon");
            return command.ExecuteScalar() as long?;
        });
        // Every transaction below a snapshot's xmin had ended when it was taken: a purge that stayed below it removed only what it sees.
        return purged is not { } horizon || (ulong)horizon <= xmin;
    }

    public JournalMark? GetMark(string owner) =>
        ReadOne(Command("SELECT owner, point, seq, at FROM journal_marks WHERE owner = $1", owner), ReadMark);

    public JournalMark Mark(string owner, SnapshotPoint point) =>
        ReadOne(Command(
            "INSERT INTO journal_marks (owner, point, seq, at) VALUES ($1, $2, nextval('coffer_seq'), $3) ON CONFLICT (owner) DO NOTHING " +
            "RETURNING owner, point, seq, at",
            owner, PostgresPins.Snapshot(point), Session.Store.NowMilliseconds()), ReadMark)
        ?? GetMark(owner)!;

    public int Purge(DateTimeOffset before, int limit)
    {
        var cutoff = before.ToUnixTimeMilliseconds();
        NonQuery(Command("DELETE FROM journal_marks WHERE at < $1", cutoff));
        // Only changes every remaining mark (and every snapshot from now on) sees go: those of transactions below all their
        // xmins. The horizon remembers that bound, so an instant is covered when its xmin is at or above it.
        var horizon = ReadAll(Command("SELECT point FROM journal_marks UNION ALL SELECT pg_current_snapshot()::text"), r => PostgresPins.Xmin(r.GetString(0))).Min();
        var count = NonQuery(Command(
            "DELETE FROM change_journal WHERE ctid IN (SELECT ctid FROM change_journal WHERE at < $1 AND xid < $2::text::xid8 LIMIT $3)",
            cutoff, horizon.ToString(CultureInfo.InvariantCulture), limit));
        if (count > 0)
        {
            NonQuery(Command(
                "INSERT INTO journal_horizon (only_row, purged_xid) VALUES (true, $1) " +
                "ON CONFLICT (only_row) DO UPDATE SET purged_xid = greatest(journal_horizon.purged_xid, excluded.purged_xid)",
                (long)horizon));
        }

        return count;
    }

    private static JournalMark ReadMark(NpgsqlDataReader reader) =>
        new(reader.GetString(0), new SnapshotPoint(reader.GetString(1)), reader.GetInt64(2), Millis(reader, 3));
}
