using Coffer.Storage.Records;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// Object versions. Current reads take the rows with no <c>died</c>; a session opened at a pinned position takes, of
/// each version, the revision that was current then. While any instant is pinned, writes keep what they supersede.
/// </summary>
internal sealed class SqliteVersions(SqliteSession session) : SqliteAggregate(session), IVersionWriter
{
    /// <summary>The columns of an object version row, in the order <see cref="Read"/> and <see cref="VersionScan"/> read them.</summary>
    internal const string Columns = "bucket_id, key, seq, version_id, is_latest, is_delete_marker, record";

    /// <summary>
    /// The columns a scan read in place takes, in the order <see cref="VersionScan.InPlace"/> reads them: the bucket is
    /// bound, and the latest flag is selected (last) only where it is read, for reads now. Every column selected is a
    /// VDBE opcode and a column call a row.
    /// </summary>
    internal static string InPlaceColumns(bool pinned) =>
        pinned ? "key, seq, version_id, is_delete_marker, record" : "key, seq, version_id, is_delete_marker, record, is_latest";

    private const string VisibleNow = "died IS NULL";
    private const string VisibleAsOf = "born <= $as_of AND (died IS NULL OR died > $as_of)";

    /// <summary>Which revisions a read sees: the current ones, or those current at <c>$as_of</c>.</summary>
    private string Visible => VisibleAt(Session.AsOf);

    /// <summary>The condition on <c>born</c> and <c>died</c> for reads now (null) or at a pinned position bound as <c>$as_of</c>.</summary>
    internal static string VisibleAt(long? asOf) => asOf is null ? VisibleNow : VisibleAsOf;

    public ObjectVersionRecord? GetLatest(long bucketId, string key)
    {
        using var command = Command($"SELECT {Columns} FROM object_versions WHERE bucket_id = $bucket AND key = $key AND {Visible} ORDER BY seq DESC LIMIT 1");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$key", key);
        BindAsOf(command);
        var latest = ReadOne(command, Read);
        return latest is not null && Session.AsOf is not null ? latest with { IsLatest = true } : latest;
    }

    private const string GetByIdSql = "SELECT seq, is_latest, is_delete_marker, record FROM object_versions WHERE bucket_id = ?1 AND key = ?2 AND version_id = ?3 AND ";

    // A "null" version is not in object_versions_versioned_by_id: it is found among its key's revisions through the
    // primary key's (bucket_id, key) prefix, newest first, so a current one that is the key's newest revision (every
    // overwrite of a never-versioned key) is the first row read. Finding none reads every revision the key has: the
    // versions a suspended bucket's key kept, and the dead revisions a snapshot pin keeps until it goes (a PUT after a
    // DELETE of a hot key during an inventory run). An assigned id repeats the index's condition, which is what lets
    // SQLite use a partial index: one probe however many versions the key has.
    private const string GetNullNow = GetByIdSql + VisibleNow;
    internal const string GetAssignedNow = GetByIdSql + "version_id <> 'null' AND " + VisibleNow;
    private const string GetAsOf = GetByIdSql + VisibleAsOf;

    /// <summary>One version by id: on the writer, every PUT into a bucket not versioning looks up the null version it replaces.</summary>
    public ObjectVersionRecord? Get(long bucketId, string key, string versionId)
    {
        // Constant texts rather than one built every PUT: the writer looks one up a write.
        var sql = Session.AsOf is not null ? GetAsOf : versionId == ObjectVersionRecord.NullVersionId ? GetNullNow : GetAssignedNow;
        var statement = Statement(sql)
            .Bind(1, bucketId)
            .Bind(2, key)
            .Bind(3, versionId);
        if (Session.AsOf is { } asOf)
        {
            statement.Bind("$as_of", asOf);
        }

        // The key and version id are those bound: the columns compare as binary.
        var version = statement.ReadFirst((bucketId, key, versionId), static (row, found) => VersionRecordCodec.Decode(
            new VersionIdentity(found.bucketId, found.key, SqliteNative.ColumnInt64(row, 0), found.versionId, SqliteNative.ColumnInt64(row, 1) != 0,
                SqliteNative.ColumnInt64(row, 2) != 0),
            SqliteNative.Blob(row, 3),
            VersionDetail.All));
        if (version is null && Session.AsOf is null && versionId == ObjectVersionRecord.NullVersionId)
        {
            _withoutCurrentNull = (bucketId, key);
        }

        return version;
    }

    public IEnumerable<ObjectVersionRecord> ScanLatest(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey, VersionDetail detail = VersionDetail.All) =>
        ScanLatest(bucketId, fromKey, fromKeyInclusive, toKey, detail, VersionRecordCodec.ToRecord);

    public IEnumerable<T> ScanLatest<T>(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey, VersionDetail detail, VersionFactory<T> create)
    {
        using var scan = LatestScan(bucketId, fromKey, fromKeyInclusive, toKey);
        foreach (var version in scan.Rows(bucketId, detail, create, Session.AsOf is null ? VersionScan.LatestRows.AsFlagged : VersionScan.LatestRows.FirstOnly))
        {
            yield return version;
        }
    }

    // Rows read in place at a pinned instant are read on a connection of their own in multi-thread mode: the revisions
    // of that instant are selected by sequence, so any read transaction begun since the pin has them.
    public IVersionRowReader ReadLatestRows(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey)
    {
        var pinned = Session.AsOf is not null;
        var scan = LatestScan(bucketId, fromKey, fromKeyInclusive, toKey, InPlaceColumns(pinned), ownConnection: pinned);
        return scan.InPlace(Session.AsOf is null ? VersionScan.LatestRows.AsFlagged : VersionScan.LatestRows.FirstOnly);
    }

    public IVersionRowReader ReadVersionRows(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey)
    {
        var pinned = Session.AsOf is not null;
        var scan = VersionsScan(bucketId, fromKey, fromKeyInclusive, toKey, InPlaceColumns(pinned), ownConnection: pinned);
        return scan.InPlace(Session.AsOf is null ? VersionScan.LatestRows.AsFlagged : VersionScan.LatestRows.FirstOfKey);
    }

    private VersionScan LatestScan(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey, string columns = Columns, bool ownConnection = false)
    {
        var lower = fromKeyInclusive ? ">=" : ">";
        var upper = toKey is null ? "" : "AND key < $to";
        // The latest flag is today's; at a pinned instant the latest version of a key is its newest revision then.
        var latest = Session.AsOf is null ? "AND is_latest = 1" : "";
        return BindRange(Scan(
            $"SELECT {columns} FROM object_versions WHERE bucket_id = $bucket AND key {lower} $from {upper} {latest} AND {Visible} ORDER BY key, seq DESC",
            bucketId, ownConnection), bucketId, fromKey, toKey);
    }

    private VersionScan VersionsScan(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey, string columns = Columns, bool ownConnection = false)
    {
        var lower = fromKeyInclusive ? ">=" : ">";
        var upper = toKey is null ? "" : "AND key < $to";
        return BindRange(Scan(
            $"SELECT {columns} FROM object_versions WHERE bucket_id = $bucket AND key {lower} $from {upper} AND {Visible} ORDER BY key, seq DESC",
            bucketId, ownConnection), bucketId, fromKey, toKey);
    }

    private VersionScan Scan(string sql, long bucketId, bool ownConnection) =>
        ownConnection ? VersionScan.OnConnectionOfItsOwn(Session.Store.DatabasePath, sql, bucketId) : new VersionScan(Session.Connection, sql);

    private VersionScan BindRange(VersionScan scan, long bucketId, string fromKey, string? toKey)
    {
        try
        {
            scan.Bind("$bucket", bucketId).Bind("$from", fromKey);
            if (toKey is not null)
            {
                scan.Bind("$to", toKey);
            }

            BindAsOf(scan);
            return scan;
        }
        catch
        {
            scan.Dispose();
            throw;
        }
    }

    public IEnumerable<ObjectVersionRecord> ScanVersions(
        long bucketId, string fromKey, bool fromKeyInclusive, long? olderThanSequence, string? toKey, VersionDetail detail = VersionDetail.All) =>
        ScanVersions(bucketId, fromKey, fromKeyInclusive, olderThanSequence, toKey, detail, VersionRecordCodec.ToRecord);

    public IEnumerable<T> ScanVersions<T>(
        long bucketId, string fromKey, bool fromKeyInclusive, long? olderThanSequence, string? toKey, VersionDetail detail, VersionFactory<T> create)
    {
        if (olderThanSequence is { } sequence)
        {
            // Two range scans rather than one OR, so each is an index range: the rest of this key, then later keys.
            using var sameKey = new VersionScan(Session.Connection,
                $"SELECT {Columns} FROM object_versions WHERE bucket_id = $bucket AND key = $key AND seq < $seq AND {Visible} ORDER BY seq DESC");
            sameKey.Bind("$bucket", bucketId).Bind("$key", fromKey).Bind("$seq", sequence);
            BindAsOf(sameKey);
            // The rest of a key is never its latest version (at a pinned instant the flag of today is not read).
            foreach (var version in sameKey.Rows(bucketId, detail, create, Session.AsOf is null ? VersionScan.LatestRows.AsFlagged : VersionScan.LatestRows.None))
            {
                yield return version;
            }

            fromKeyInclusive = false;
        }

        using var scan = VersionsScan(bucketId, fromKey, fromKeyInclusive, toKey);
        foreach (var version in scan.Rows(bucketId, detail, create, Session.AsOf is null ? VersionScan.LatestRows.AsFlagged : VersionScan.LatestRows.FirstOfKey))
        {
            yield return version;
        }
    }

    public ObjectVersionRecord Insert(ObjectVersionRecord version)
    {
        var stored = version with { Sequence = Session.Store.NextSequence(Session) };
        InsertRow(stored);
        return stored;
    }

    public void InsertMany(IReadOnlyList<ObjectVersionRecord> versions)
    {
        foreach (var row in versions)
        {
            InsertRow(row with { Sequence = Session.Store.NextSequence(Session) });
        }
    }

    private const string InsertSql =
        "INSERT INTO object_versions (bucket_id, key, seq, version_id, is_latest, is_delete_marker, record, born) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?3)";

    // object_versions_versioned_by_id leaves "null" versions out, so the insert itself refuses a second current one of a
    // key, as the index refuses a second current row with an assigned id. Its look-up reads the key's revisions newest
    // first up to a current "null" one: all of them when there is none (see GetNullNow), hence _withoutCurrentNull.
    private const string InsertNullSql =
        "INSERT INTO object_versions (bucket_id, key, seq, version_id, is_latest, is_delete_marker, record, born) " +
        "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?3 WHERE NOT EXISTS " +
        "(SELECT 1 FROM object_versions WHERE bucket_id = ?1 AND key = ?2 AND version_id = 'null' AND died IS NULL)";

    // What SQLite itself reports when a unique index refuses a row.
    private const string NullVersionTaken =
        "UNIQUE constraint failed: object_versions.bucket_id, object_versions.key, object_versions.version_id";

    /// <summary>
    /// The key this work last established has no current "null" version: <see cref="Get"/> found none, or
    /// <see cref="Delete"/> retired it. The next insert, if it is a "null" version of that key, needs no check, so a PUT
    /// overwriting a key reads no revision twice, however many dead ones a snapshot pin keeps behind the current one.
    /// Only an insert makes a current "null" version (a rewrite replaces one), and every insert forgets the key, so it
    /// holds until then; a session is one work, whose failure discards it with its transaction or savepoint.
    /// </summary>
    private (long BucketId, string Key)? _withoutCurrentNull;

    /// <summary>Inserts a new current revision, born at its own sequence, and journals its creation.</summary>
    private void InsertRow(ObjectVersionRecord stored)
    {
        var record = VersionRecordCodec.Encode(stored);
        var needsNoCheck = stored.VersionId != ObjectVersionRecord.NullVersionId || _withoutCurrentNull == (stored.BucketId, stored.Key);
        _withoutCurrentNull = null;
        var inserted = Statement(needsNoCheck ? InsertSql : InsertNullSql)
            .Bind(1, stored.BucketId)
            .Bind(2, stored.Key)
            .Bind(3, stored.Sequence)
            .Bind(4, stored.VersionId)
            .Bind(5, stored.IsLatest)
            .Bind(6, stored.IsDeleteMarker)
            .Bind(7, record)
            .Execute();
        if (inserted == 0)
        {
            throw new SqliteException(NullVersionTaken, raw.SQLITE_CONSTRAINT, raw.SQLITE_CONSTRAINT_UNIQUE);
        }

        Session.Journal.Record(ChangeOperation.Create, Identity(stored), record);
    }

    public void Delete(long bucketId, string key, long sequence)
    {
        // What the row was goes into the journal with its removal.
        using var command = Command(Session.Store.HasPins
            ? "UPDATE object_versions SET died = $position WHERE bucket_id = $bucket AND key = $key AND seq = $seq AND died IS NULL " + Returning
            : "DELETE FROM object_versions WHERE bucket_id = $bucket AND key = $key AND seq = $seq AND died IS NULL " + Returning);
        BindRow(command, bucketId, key, sequence);
        if (Session.Store.HasPins)
        {
            command.Parameters.AddWithValue("$position", Session.Store.NextSequence(Session));
        }

        if (JournalReturned(command, ChangeOperation.Delete, bucketId, key, sequence) is { VersionId: ObjectVersionRecord.NullVersionId })
        {
            _withoutCurrentNull = (bucketId, key);
        }
    }

    public void SetLatest(long bucketId, string key, long sequence, bool isLatest)
    {
        // The latest flag serves current reads only (reads at an instant find the newest revision then), so it changes in place.
        using var command = Command(
            "UPDATE object_versions SET is_latest = $latest WHERE bucket_id = $bucket AND key = $key AND seq = $seq AND died IS NULL " +
            "AND is_latest <> $latest " + Returning);
        command.Parameters.AddWithValue("$latest", isLatest ? 1 : 0);
        BindRow(command, bucketId, key, sequence);
        JournalReturned(command, ChangeOperation.Latest, bucketId, key, sequence);
    }

    public void SetTags(long bucketId, string key, long sequence, IReadOnlyList<KeyValuePair<string, string>> tags) =>
        Rewrite(bucketId, key, sequence, version => version with { Tags = tags }, "tag");

    public void UpdateRecord(ObjectVersionRecord version) =>
        Rewrite(version.BucketId, version.Key, version.Sequence, _ => version, "update");

    /// <summary>Without reading the row again: the journal keeps <paramref name="current"/> re-encoded as the previous record.</summary>
    public void SetTags(ObjectVersionRecord current, IReadOnlyList<KeyValuePair<string, string>> tags) =>
        Replace(current, VersionRecordCodec.Encode(current), VersionRecordCodec.Encode(current with { Tags = tags }));

    /// <summary>
    /// Replaces the packed record of a current revision. The key columns (version id, latest and delete-marker flags) stay
    /// as the row has them. While an instant is pinned, the old revision dies where the new one is born, so the pinned
    /// instant still reads the record as it was.
    /// </summary>
    private void Rewrite(long bucketId, string key, long sequence, Func<ObjectVersionRecord, ObjectVersionRecord> change, string what)
    {
        ObjectVersionRecord? version;
        byte[]? previous = null;
        using (var select = Command($"SELECT {Columns} FROM object_versions WHERE bucket_id = $bucket AND key = $key AND seq = $seq AND died IS NULL"))
        {
            BindRow(select, bucketId, key, sequence);
            version = ReadOne(select, reader =>
            {
                previous = reader.GetFieldValue<byte[]>(6);
                return Read(reader);
            });
        }

        if (version is null)
        {
            throw new InvalidOperationException($"No version {sequence} of {key} to {what}.");
        }

        Replace(version, previous!, VersionRecordCodec.Encode(change(version)));
    }

    /// <summary>Puts <paramref name="record"/> in place of the current revision <paramref name="version"/>, whose record was <paramref name="previous"/>.</summary>
    private void Replace(ObjectVersionRecord version, byte[] previous, byte[] record)
    {
        var (bucketId, key, sequence) = (version.BucketId, version.Key, version.Sequence);
        // Every rewrite (tags, ACL, object lock) is journaled as a record replacement that keeps the previous record.
        Session.Journal.Record(ChangeOperation.Tags, Identity(version), record, previous);
        if (!Session.Store.HasPins)
        {
            using var update = Command("UPDATE object_versions SET record = $record WHERE bucket_id = $bucket AND key = $key AND seq = $seq AND died IS NULL");
            update.Parameters.AddWithValue("$record", record);
            BindRow(update, bucketId, key, sequence);
            update.ExecuteNonQuery();
            return;
        }

        var position = Session.Store.NextSequence(Session);
        using var retire = Command("UPDATE object_versions SET died = $position WHERE bucket_id = $bucket AND key = $key AND seq = $seq AND died IS NULL");
        retire.Parameters.AddWithValue("$position", position);
        BindRow(retire, bucketId, key, sequence);
        retire.ExecuteNonQuery();
        using var insert = Command(
            "INSERT INTO object_versions (bucket_id, key, seq, version_id, is_latest, is_delete_marker, record, born) " +
            "VALUES ($bucket, $key, $seq, $version, $latest, $marker, $record, $position)");
        BindRow(insert, bucketId, key, sequence);
        insert.Parameters.AddWithValue("$version", version.VersionId);
        insert.Parameters.AddWithValue("$latest", version.IsLatest ? 1 : 0);
        insert.Parameters.AddWithValue("$marker", version.IsDeleteMarker ? 1 : 0);
        insert.Parameters.AddWithValue("$record", record);
        insert.Parameters.AddWithValue("$position", position);
        insert.ExecuteNonQuery();
    }

    /// <summary>What a changing statement returns of the row it changed, for the journal.</summary>
    private const string Returning = "RETURNING version_id, is_latest, is_delete_marker, record";

    /// <summary>Runs a statement ending in <see cref="Returning"/> and journals the row it changed, if it changed one, which it returns.</summary>
    private VersionIdentity? JournalReturned(SqliteCommand command, ChangeOperation operation, long bucketId, string key, long sequence)
    {
        VersionIdentity identity;
        byte[] record;
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            identity = new VersionIdentity(bucketId, key, sequence, reader.GetString(0), reader.GetInt64(1) != 0, reader.GetInt64(2) != 0);
            record = reader.GetFieldValue<byte[]>(3);
        }

        Session.Journal.Record(operation, identity, record);
        return identity;
    }

    private static VersionIdentity Identity(ObjectVersionRecord version) =>
        new(version.BucketId, version.Key, version.Sequence, version.VersionId, version.IsLatest, version.IsDeleteMarker);

    private void BindAsOf(SqliteCommand command)
    {
        if (Session.AsOf is { } asOf)
        {
            command.Parameters.AddWithValue("$as_of", asOf);
        }
    }

    private void BindAsOf(VersionScan scan)
    {
        if (Session.AsOf is { } asOf)
        {
            scan.Bind("$as_of", asOf);
        }
    }

    private static void BindRow(SqliteCommand command, long bucketId, string key, long sequence)
    {
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$seq", sequence);
    }

    private static ObjectVersionRecord Read(SqliteDataReader reader) => ReadAt(reader, 0);

    /// <summary>A version from <see cref="Columns"/> read from column <paramref name="first"/> on.</summary>
    internal static ObjectVersionRecord ReadAt(SqliteDataReader reader, int first) => VersionRecordCodec.Decode(
        new VersionIdentity(reader.GetInt64(first), reader.GetString(first + 1), reader.GetInt64(first + 2), reader.GetString(first + 3),
            reader.GetInt64(first + 4) != 0, reader.GetInt64(first + 5) != 0),
        reader.GetFieldValue<byte[]>(first + 6),
        VersionDetail.All);
}
