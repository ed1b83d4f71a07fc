using System.Buffers;
using Coffer.Storage.Records;
using Npgsql;

namespace Coffer.Storage.Postgres;

/// <summary>
/// Object versions. Scans read in batches, each an index range that starts where the last one ended (inside one snapshot,
/// so together they see one instant), so a scan of any size holds one batch in memory and the connection is free for
/// other queries between batches. Writes never remove a version or rewrite its record: they mark the revision they
/// supersede (<c>died_xid</c>) and add the new one, so a read at a pinned snapshot finds each version as it was then;
/// <see cref="PostgresMetadataStore.PurgeSupersededAsync"/> removes what no pin needs.
/// </summary>
internal sealed class PostgresVersions(PostgresSession session) : PostgresAggregate(session), IVersionWriter
{
    private const string Columns = "bucket_id, key, seq, version_id, is_latest, is_delete_marker, record";
    private const string Insertable = "bucket_id, key, seq, version_id, is_latest, is_delete_marker, record";
    private const byte KeyLock = 1;
    private const int FirstBatch = 256;
    private const int LargestBatch = 8192;
    private const string StreamSavepoint = "streamed_scan";

    /// <summary>Which revisions a read sees: the current ones, or those current in the session's pinned snapshot.</summary>
    private string Visible => VisibleAt(Session.AsOf);

    /// <summary>The condition on <c>born_xid</c> and <c>died_xid</c> for reads now (null) or in a pinned snapshot (checked text).</summary>
    /// <remarks>
    /// A transaction older than the snapshot's xmin had ended when it was taken, so a row it wrote (or superseded) that
    /// this transaction sees was written (or superseded) before the snapshot: the comparison spares most rows the call.
    /// </remarks>
    internal static string VisibleAt(string? asOf) => asOf is { } at
        ? $"(born_xid < '{Xmin(at)}'::xid8 OR pg_visible_in_snapshot(born_xid, '{at}'::pg_snapshot)) AND " +
          $"(died_xid IS NULL OR (died_xid >= '{Xmin(at)}'::xid8 AND NOT pg_visible_in_snapshot(died_xid, '{at}'::pg_snapshot)))"
        : "died_xid IS NULL";

    /// <summary>The xmin of a <c>pg_snapshot</c> in its text form <c>xmin:xmax:xip,...</c>.</summary>
    private static string Xmin(string snapshot) => snapshot[..snapshot.IndexOf(':', StringComparison.Ordinal)];

    public ObjectVersionRecord? GetLatest(long bucketId, string key)
    {
        Session.Hold(KeyLock, bucketId, key);
        var latest = ReadOne(Command($"SELECT {Columns} FROM object_versions WHERE bucket_id = $1 AND key = $2 AND {Visible} ORDER BY seq DESC LIMIT 1",
            bucketId, key), Read);
        return latest is not null && Session.AsOf is not null ? latest with { IsLatest = true } : latest;
    }

    public ObjectVersionRecord? Get(long bucketId, string key, string versionId)
    {
        Session.Hold(KeyLock, bucketId, key);
        return ReadOne(Command($"SELECT {Columns} FROM object_versions WHERE bucket_id = $1 AND key = $2 AND version_id = $3 AND {Visible}",
            bucketId, key, versionId), Read);
    }

    public IEnumerable<ObjectVersionRecord> ScanLatest(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey, VersionDetail detail = VersionDetail.All)
    {
        if (Session.AsOf is not null)
        {
            // The latest flag is today's; in a pinned snapshot the latest version of a key is its newest one then.
            foreach (var version in StreamVersions(bucketId, fromKey, fromKeyInclusive, toKey, detail, VersionRecordCodec.ToRecord, firstOnly: true))
            {
                yield return version;
            }

            yield break;
        }

        var after = fromKey;
        var inclusive = fromKeyInclusive;
        var batch = FirstBatch;
        while (true)
        {
            var rows = ReadBatch(
                $"SELECT {Columns} FROM object_versions WHERE bucket_id = $1 AND key {(inclusive ? ">=" : ">")} $2{Upper(toKey)} AND is_latest AND died_xid IS NULL " +
                $"ORDER BY key LIMIT {batch}",
                detail, Parameters(bucketId, after, toKey));
            foreach (var row in rows)
            {
                yield return row;
            }

            if (rows.Count < batch)
            {
                yield break;
            }

            after = rows[^1].Key;
            inclusive = false;
            batch = Math.Min(batch * 2, LargestBatch);
        }
    }

    public IEnumerable<ObjectVersionRecord> ScanVersions(
        long bucketId, string fromKey, bool fromKeyInclusive, long? olderThanSequence, string? toKey, VersionDetail detail = VersionDetail.All)
    {
        if (Session.AsOf is not null && olderThanSequence is null)
        {
            return StreamVersions(bucketId, fromKey, fromKeyInclusive, toKey, detail, VersionRecordCodec.ToRecord, firstOnly: false);
        }

        return ScanVersionsInBatches(bucketId, fromKey, fromKeyInclusive, olderThanSequence, toKey, detail);
    }

    /// <summary>A pinned scan (an inventory's) makes its rows straight from the records it streams; batched reads go through records.</summary>
    public IEnumerable<T> ScanLatest<T>(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey, VersionDetail detail, VersionFactory<T> create) =>
        Session.AsOf is not null
            ? StreamVersions(bucketId, fromKey, fromKeyInclusive, toKey, detail, create, firstOnly: true)
            : ScanLatest(bucketId, fromKey, fromKeyInclusive, toKey, detail).Select(v => create(VersionRecordCodec.IdentityOf(v), VersionRecordCodec.AttributesOf(v)));

    public IEnumerable<T> ScanVersions<T>(
        long bucketId, string fromKey, bool fromKeyInclusive, long? olderThanSequence, string? toKey, VersionDetail detail, VersionFactory<T> create) =>
        Session.AsOf is not null && olderThanSequence is null
            ? StreamVersions(bucketId, fromKey, fromKeyInclusive, toKey, detail, create, firstOnly: false)
            : ScanVersions(bucketId, fromKey, fromKeyInclusive, olderThanSequence, toKey, detail)
                .Select(v => create(VersionRecordCodec.IdentityOf(v), VersionRecordCodec.AttributesOf(v)));

    /// <summary>
    /// A scan of a pinned snapshot (an inventory run or one of its partitions) reads to its end: one query whose rows
    /// are read as they arrive lets PostgreSQL produce the next rows while the scan consumes these, where batches
    /// would leave one side idle during every round trip.
    /// </summary>
    /// <remarks>With <paramref name="firstOnly"/>, only the first (newest) version of each key is made, as its latest.</remarks>
    private IEnumerable<T> StreamVersions<T>(long bucketId, string fromKey, bool inclusive, string? toKey, VersionDetail detail, VersionFactory<T> create,
        bool firstOnly)
    {
        // A scan left before its end is cancelled; the savepoint keeps the snapshot's transaction usable after that.
        Session.Run(() =>
        {
            Session.Transaction.Save(StreamSavepoint);
            return 0;
        });
        using var command = Command(
            $"SELECT {Columns} FROM object_versions WHERE bucket_id = $1 AND key {(inclusive ? ">=" : ">")} $2{Upper(toKey)} AND {Visible} ORDER BY key, seq DESC",
            Parameters(bucketId, fromKey, toKey));
        var reader = Session.Run(() => command.ExecuteReader());
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var repeated = new RepeatedStrings();
        var finished = false;
        string? previousKey = null;
        try
        {
            while (Session.Run(reader.Read))
            {
                var length = (int)reader.GetBytes(6, 0, null, 0, 0);
                if (length > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }

                var identity = Identity(reader);
                // In a pinned snapshot the first version of each key is its latest.
                var isLatest = identity.Key != previousKey;
                previousKey = identity.Key;
                if (firstOnly && !isLatest)
                {
                    continue;
                }

                reader.GetBytes(6, 0, buffer, 0, length);
                yield return create(identity with { IsLatest = isLatest }, VersionRecordCodec.DecodeAttributes(buffer.AsSpan(0, length), detail, repeated));
            }

            finished = true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            CloseStream(command, reader, finished);
        }
    }

    private void CloseStream(NpgsqlCommand command, NpgsqlDataReader reader, bool finished)
    {
        if (finished)
        {
            reader.Dispose();
            Session.Run(() =>
            {
                Session.Transaction.Release(StreamSavepoint);
                return 0;
            });
            return;
        }

        // Read to its end, the rest of a large scan could take as long as the scan; cancelled, it stops at once.
        command.Cancel();
        try
        {
            reader.Dispose();
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            // The cancellation asked for above.
        }

        Session.Run(() =>
        {
            Session.Transaction.Rollback(StreamSavepoint);
            return 0;
        });
    }

    private IEnumerable<ObjectVersionRecord> ScanVersionsInBatches(
        long bucketId, string fromKey, bool fromKeyInclusive, long? olderThanSequence, string? toKey, VersionDetail detail)
    {
        // Where the next batch starts: inside a key (its versions older than a sequence), or after (or at) a key.
        var key = fromKey;
        var olderThan = olderThanSequence;
        var inclusive = fromKeyInclusive && olderThanSequence is null;
        var batch = FirstBatch;
        // In a pinned snapshot the first version of each key is its latest; the rest of a key resumed inside is not.
        string? previousKey = olderThanSequence is null ? null : fromKey;
        while (true)
        {
            var rows = olderThan is { } sequence
                ? ReadBatch($"SELECT {Columns} FROM object_versions WHERE bucket_id = $1 AND key = $2 AND seq < $3 AND {Visible} ORDER BY seq DESC LIMIT {batch}",
                    detail, [bucketId, key, sequence])
                : ReadBatch(
                    $"SELECT {Columns} FROM object_versions WHERE bucket_id = $1 AND key {(inclusive ? ">=" : ">")} $2{Upper(toKey)} AND {Visible} " +
                    $"ORDER BY key, seq DESC LIMIT {batch}",
                    detail, Parameters(bucketId, key, toKey));
            foreach (var row in rows)
            {
                if (Session.AsOf is null)
                {
                    yield return row;
                    continue;
                }

                yield return row with { IsLatest = row.Key != previousKey };
                previousKey = row.Key;
            }

            if (rows.Count == batch)
            {
                // The batch may have stopped inside a key: the next one takes the rest of that key first.
                key = rows[^1].Key;
                olderThan = rows[^1].Sequence;
            }
            else if (olderThan is not null)
            {
                // The rest of the key is done: go on after it.
                olderThan = null;
                inclusive = false;
            }
            else
            {
                yield break;
            }

            batch = Math.Min(batch * 2, LargestBatch);
        }
    }

    public ObjectVersionRecord Insert(ObjectVersionRecord version)
    {
        // The packed record holds no sequence, so the row can take its sequence as it is inserted; the journal row goes in
        // with it, in the same statement.
        var sequence = Scalar<long>(Command(
            $"WITH v AS (INSERT INTO object_versions ({Insertable}) VALUES ($1, $2, nextval('coffer_seq'), $3, $4, $5, $6) RETURNING seq) " +
            $"INSERT INTO change_journal ({PostgresJournal.Insertable}) SELECT nextval('coffer_seq'), $1, $2, $3, v.seq, {(int)ChangeOperation.Create}, $4, $5, $7, $6, NULL " +
            "FROM v RETURNING version_seq",
            version.BucketId, version.Key, version.VersionId, version.IsLatest, version.IsDeleteMarker, VersionRecordCodec.Encode(version),
            Session.Store.NowMilliseconds()));
        return version with { Sequence = sequence };
    }

    public void InsertMany(IReadOnlyList<ObjectVersionRecord> versions)
    {
        if (versions.Count == 0)
        {
            return;
        }

        // Binary COPY: one stream of rows instead of a round trip each; the sequences are taken in one query first (increasing,
        // though not always consecutive while other nodes take theirs).
        var sequences = ReadAll(Command("SELECT nextval('coffer_seq') FROM generate_series(1, $1)", 2 * versions.Count), r => r.GetInt64(0));
        sequences.Sort();
        var records = versions.Select(VersionRecordCodec.Encode).ToArray();
        Session.Run(() =>
        {
            using var import = Session.Connection.BeginBinaryImport($"COPY object_versions ({Insertable}) FROM STDIN (FORMAT BINARY)");
            for (var i = 0; i < versions.Count; i++)
            {
                var row = versions[i];
                import.StartRow();
                import.Write(row.BucketId, NpgsqlTypes.NpgsqlDbType.Bigint);
                import.Write(row.Key, NpgsqlTypes.NpgsqlDbType.Text);
                import.Write(sequences[i], NpgsqlTypes.NpgsqlDbType.Bigint);
                import.Write(row.VersionId, NpgsqlTypes.NpgsqlDbType.Text);
                import.Write(row.IsLatest, NpgsqlTypes.NpgsqlDbType.Boolean);
                import.Write(row.IsDeleteMarker, NpgsqlTypes.NpgsqlDbType.Boolean);
                import.Write(records[i], NpgsqlTypes.NpgsqlDbType.Bytea);
            }

            return import.Complete();
        });
        var at = Session.Store.NowMilliseconds();
        Session.Run(() =>
        {
            using var import = Session.Connection.BeginBinaryImport($"COPY change_journal ({PostgresJournal.Insertable}) FROM STDIN (FORMAT BINARY)");
            for (var i = 0; i < versions.Count; i++)
            {
                var row = versions[i];
                import.StartRow();
                import.Write(sequences[versions.Count + i], NpgsqlTypes.NpgsqlDbType.Bigint);
                import.Write(row.BucketId, NpgsqlTypes.NpgsqlDbType.Bigint);
                import.Write(row.Key, NpgsqlTypes.NpgsqlDbType.Text);
                import.Write(row.VersionId, NpgsqlTypes.NpgsqlDbType.Text);
                import.Write(sequences[i], NpgsqlTypes.NpgsqlDbType.Bigint);
                import.Write((short)ChangeOperation.Create, NpgsqlTypes.NpgsqlDbType.Smallint);
                import.Write(row.IsLatest, NpgsqlTypes.NpgsqlDbType.Boolean);
                import.Write(row.IsDeleteMarker, NpgsqlTypes.NpgsqlDbType.Boolean);
                import.Write(at, NpgsqlTypes.NpgsqlDbType.Bigint);
                import.Write(records[i], NpgsqlTypes.NpgsqlDbType.Bytea);
                import.WriteNull();
            }

            return import.Complete();
        });
    }

    public void Delete(long bucketId, string key, long sequence) => NonQuery(Command(
        "WITH d AS (UPDATE object_versions SET died_xid = pg_current_xact_id() WHERE bucket_id = $1 AND key = $2 AND seq = $3 AND died_xid IS NULL " +
        $"RETURNING {Columns}) {JournalReturned(ChangeOperation.Delete, "$4")}",
        bucketId, key, sequence, Session.Store.NowMilliseconds()));

    // The latest flag serves current reads only (reads in a pinned snapshot find the newest revision then), so it changes in place.
    public void SetLatest(long bucketId, string key, long sequence, bool isLatest) => NonQuery(Command(
        "WITH d AS (UPDATE object_versions SET is_latest = $4 WHERE bucket_id = $1 AND key = $2 AND seq = $3 AND died_xid IS NULL AND is_latest <> $4 " +
        $"RETURNING {Columns}) {JournalReturned(ChangeOperation.Latest, "$5")}",
        bucketId, key, sequence, isLatest, Session.Store.NowMilliseconds()));

    public void SetTags(long bucketId, string key, long sequence, IReadOnlyList<KeyValuePair<string, string>> tags) =>
        Rewrite(bucketId, key, sequence, version => version with { Tags = tags }, "tag");

    public void UpdateRecord(ObjectVersionRecord version) =>
        Rewrite(version.BucketId, version.Key, version.Sequence, _ => version, "update");

    /// <summary>
    /// Replaces the packed record of a current revision, keeping the row's key columns: the old revision dies in the
    /// transaction the new one is born in, so a pinned snapshot still reads the record as it was.
    /// </summary>
    private void Rewrite(long bucketId, string key, long sequence, Func<ObjectVersionRecord, ObjectVersionRecord> change, string what)
    {
        Session.Hold(KeyLock, bucketId, key);
        byte[]? previous = null;
        var version = ReadOne(Command($"SELECT {Columns} FROM object_versions WHERE bucket_id = $1 AND key = $2 AND seq = $3 AND died_xid IS NULL",
                bucketId, key, sequence), reader =>
            {
                previous = reader.GetFieldValue<byte[]>(6);
                return Read(reader);
            })
            ?? throw new InvalidOperationException($"No version {sequence} of {key} to {what}.");
        var record = VersionRecordCodec.Encode(change(version));
        // The old revision dies in the transaction the new one is born in; the journal keeps both, as a record
        // replacement (tags, ACL, object lock) with the previous record.
        NonQuery(Command("UPDATE object_versions SET died_xid = pg_current_xact_id() WHERE bucket_id = $1 AND key = $2 AND seq = $3 AND died_xid IS NULL",
            bucketId, key, sequence));
        NonQuery(Command($"INSERT INTO object_versions ({Insertable}) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            bucketId, key, sequence, version.VersionId, version.IsLatest, version.IsDeleteMarker, record));
        NonQuery(Command(
            $"INSERT INTO change_journal ({PostgresJournal.Insertable}) VALUES (nextval('coffer_seq'), $1, $2, $3, $4, {(int)ChangeOperation.Tags}, $5, $6, $7, $8, $9)",
            bucketId, key, version.VersionId, sequence, version.IsLatest, version.IsDeleteMarker, Session.Store.NowMilliseconds(), record, previous));
    }

    /// <summary>The journal insert of the rows a change returned (as <c>d</c>, with <see cref="Columns"/>), at the time in parameter <paramref name="at"/>.</summary>
    private static string JournalReturned(ChangeOperation operation, string at) =>
        $"INSERT INTO change_journal ({PostgresJournal.Insertable}) SELECT nextval('coffer_seq'), bucket_id, key, version_id, seq, {(int)operation}, " +
        $"is_latest, is_delete_marker, {at}, record, NULL FROM d";

    private static string Upper(string? toKey) => toKey is null ? "" : " AND key < $3";

    private static object?[] Parameters(long bucketId, string from, string? toKey) => toKey is null ? [bucketId, from] : [bucketId, from, toKey];

    private List<ObjectVersionRecord> ReadBatch(string sql, VersionDetail detail, object?[] parameters) => Session.Run(() =>
    {
        using var command = Command(sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<ObjectVersionRecord>();
        // Records are read into one reused buffer: a scan allocates the decoded versions, not a byte array per row.
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var repeated = new RepeatedStrings();
        try
        {
            while (reader.Read())
            {
                var length = (int)reader.GetBytes(6, 0, null, 0, 0);
                if (length > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }

                reader.GetBytes(6, 0, buffer, 0, length);
                rows.Add(VersionRecordCodec.Decode(Identity(reader), buffer.AsSpan(0, length), detail, repeated));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return rows;
    });

    private static ObjectVersionRecord Read(NpgsqlDataReader reader) =>
        VersionRecordCodec.Decode(Identity(reader), reader.GetFieldValue<byte[]>(6), VersionDetail.All);

    private static VersionIdentity Identity(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetBoolean(4), reader.GetBoolean(5));
}
