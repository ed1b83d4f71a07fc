using Coffer.Storage.Records;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

internal sealed class SqliteVersions(SqliteSession session) : SqliteAggregate(session), IVersionWriter
{
    /// <summary>The columns of an object version row, in the order <see cref="Read"/> and <see cref="VersionScan"/> read them.</summary>
    internal const string Columns = "bucket_id, key, seq, version_id, is_latest, is_delete_marker, record";

    public ObjectVersionRecord? GetLatest(long bucketId, string key)
    {
        using var command = Command($"SELECT {Columns} FROM object_versions WHERE bucket_id = $bucket AND key = $key ORDER BY seq DESC LIMIT 1");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$key", key);
        return ReadOne(command, Read);
    }

    public ObjectVersionRecord? Get(long bucketId, string key, string versionId)
    {
        using var command = Command($"SELECT {Columns} FROM object_versions WHERE bucket_id = $bucket AND key = $key AND version_id = $version");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$version", versionId);
        return ReadOne(command, Read);
    }

    public IEnumerable<ObjectVersionRecord> ScanLatest(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey, VersionDetail detail = VersionDetail.All)
    {
        var lower = fromKeyInclusive ? ">=" : ">";
        var upper = toKey is null ? "" : "AND key < $to";
        using var scan = new VersionScan(Session.Connection,
            $"SELECT {Columns} FROM object_versions WHERE bucket_id = $bucket AND key {lower} $from {upper} AND is_latest = 1 ORDER BY key");
        scan.Bind("$bucket", bucketId).Bind("$from", fromKey);
        if (toKey is not null)
        {
            scan.Bind("$to", toKey);
        }

        foreach (var version in scan.Rows(bucketId, detail))
        {
            yield return version;
        }
    }

    public IEnumerable<ObjectVersionRecord> ScanVersions(
        long bucketId, string fromKey, bool fromKeyInclusive, long? olderThanSequence, string? toKey, VersionDetail detail = VersionDetail.All)
    {
        if (olderThanSequence is { } sequence)
        {
            // Two range scans rather than one OR, so each is an index range: the rest of this key, then later keys.
            using var sameKey = new VersionScan(Session.Connection,
                $"SELECT {Columns} FROM object_versions WHERE bucket_id = $bucket AND key = $key AND seq < $seq ORDER BY seq DESC");
            sameKey.Bind("$bucket", bucketId).Bind("$key", fromKey).Bind("$seq", sequence);
            foreach (var version in sameKey.Rows(bucketId, detail))
            {
                yield return version;
            }

            fromKeyInclusive = false;
        }

        var lower = fromKeyInclusive ? ">=" : ">";
        var upper = toKey is null ? "" : "AND key < $to";
        using var scan = new VersionScan(Session.Connection,
            $"SELECT {Columns} FROM object_versions WHERE bucket_id = $bucket AND key {lower} $from {upper} ORDER BY key, seq DESC");
        scan.Bind("$bucket", bucketId).Bind("$from", fromKey);
        if (toKey is not null)
        {
            scan.Bind("$to", toKey);
        }

        foreach (var version in scan.Rows(bucketId, detail))
        {
            yield return version;
        }
    }

    public ObjectVersionRecord Insert(ObjectVersionRecord version)
    {
        var stored = version with { Sequence = Session.Store.NextSequence() };
        using var command = Command(
            "INSERT INTO object_versions (bucket_id, key, seq, version_id, is_latest, is_delete_marker, record) " +
            "VALUES ($bucket, $key, $seq, $version, $latest, $marker, $record)");
        var p = command.Parameters;
        p.AddWithValue("$bucket", stored.BucketId);
        p.AddWithValue("$key", stored.Key);
        p.AddWithValue("$seq", stored.Sequence);
        p.AddWithValue("$version", stored.VersionId);
        p.AddWithValue("$latest", stored.IsLatest ? 1 : 0);
        p.AddWithValue("$marker", stored.IsDeleteMarker ? 1 : 0);
        p.AddWithValue("$record", VersionRecordCodec.Encode(stored));
        command.ExecuteNonQuery();
        return stored;
    }

    public void InsertMany(IReadOnlyList<ObjectVersionRecord> versions)
    {
        // One prepared statement, rebound per row.
        using var command = Command(
            "INSERT INTO object_versions (bucket_id, key, seq, version_id, is_latest, is_delete_marker, record) " +
            "VALUES ($bucket, $key, $seq, $version, $latest, $marker, $record)");
        var p = command.Parameters;
        var (bucket, key, seq, version) = (p.Add("$bucket", SqliteType.Integer), p.Add("$key", SqliteType.Text), p.Add("$seq", SqliteType.Integer),
            p.Add("$version", SqliteType.Text));
        var (latest, marker, record) = (p.Add("$latest", SqliteType.Integer), p.Add("$marker", SqliteType.Integer), p.Add("$record", SqliteType.Blob));
        command.Prepare();
        foreach (var row in versions)
        {
            bucket.Value = row.BucketId;
            key.Value = row.Key;
            seq.Value = Session.Store.NextSequence();
            version.Value = row.VersionId;
            latest.Value = row.IsLatest ? 1 : 0;
            marker.Value = row.IsDeleteMarker ? 1 : 0;
            record.Value = VersionRecordCodec.Encode(row);
            command.ExecuteNonQuery();
        }
    }

    public void Delete(long bucketId, string key, long sequence)
    {
        using var command = Command("DELETE FROM object_versions WHERE bucket_id = $bucket AND key = $key AND seq = $seq");
        BindRow(command, bucketId, key, sequence);
        command.ExecuteNonQuery();
    }

    public void SetLatest(long bucketId, string key, long sequence, bool isLatest)
    {
        using var command = Command("UPDATE object_versions SET is_latest = $latest WHERE bucket_id = $bucket AND key = $key AND seq = $seq");
        command.Parameters.AddWithValue("$latest", isLatest ? 1 : 0);
        BindRow(command, bucketId, key, sequence);
        command.ExecuteNonQuery();
    }

    public void SetTags(long bucketId, string key, long sequence, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        ObjectVersionRecord? version;
        using (var select = Command($"SELECT {Columns} FROM object_versions WHERE bucket_id = $bucket AND key = $key AND seq = $seq"))
        {
            BindRow(select, bucketId, key, sequence);
            version = ReadOne(select, Read);
        }

        if (version is null)
        {
            throw new InvalidOperationException($"No version {sequence} of {key} to tag.");
        }

        using var command = Command("UPDATE object_versions SET record = $record WHERE bucket_id = $bucket AND key = $key AND seq = $seq");
        command.Parameters.AddWithValue("$record", VersionRecordCodec.Encode(version with { Tags = tags }));
        BindRow(command, bucketId, key, sequence);
        command.ExecuteNonQuery();
    }

    private static void BindRow(SqliteCommand command, long bucketId, string key, long sequence)
    {
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$seq", sequence);
    }

    private static ObjectVersionRecord Read(SqliteDataReader reader) => VersionRecordCodec.Decode(
        new VersionIdentity(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt64(4) != 0,
            reader.GetInt64(5) != 0),
        reader.GetFieldValue<byte[]>(6),
        VersionDetail.All);
}
