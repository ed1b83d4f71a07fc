using Coffer.Storage.Records;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

internal sealed class SqliteBuckets(SqliteSession session) : SqliteAggregate(session), IBucketWriter
{
    private const string Columns = "id, name, owner_app_id, region, created_at, versioning";

    /// <summary>The store_info row that keeps the highest id a deleted bucket had, so that no new bucket takes it.</summary>
    private const string BucketIdHigh = "bucket_id_high";

    public BucketRecord? Get(string name)
    {
        var kept = Session.WriterSettings;
        if (kept is not null && kept.TryGetBucket(name, out var bucket))
        {
            return bucket;
        }

        using var command = Command($"SELECT {Columns} FROM buckets WHERE name = $name");
        command.Parameters.AddWithValue("$name", name);
        bucket = ReadOne(command, Read);
        if (bucket is not null)
        {
            kept?.KeepBucket(name, bucket);
        }

        return bucket;
    }

    public BucketRecord? Get(long bucketId)
    {
        using var command = Command($"SELECT {Columns} FROM buckets WHERE id = $id");
        command.Parameters.AddWithValue("$id", bucketId);
        return ReadOne(command, Read);
    }

    public IReadOnlyList<BucketRecord> List(string ownerAppId)
    {
        using var command = Command($"SELECT {Columns} FROM buckets WHERE owner_app_id = $owner ORDER BY name");
        command.Parameters.AddWithValue("$owner", ownerAppId);
        return ReadAll(command, Read);
    }

    public bool HasContent(long bucketId)
    {
        // SQLite takes the primary key's bucket_id prefix (EXPLAIN QUERY PLAN, on schema 10 as on 11), so this steps
        // through the dead revisions a snapshot pin keeps of the bucket until it meets a current one: all of them when
        // the bucket is empty, once a DELETE Bucket, and none once no pin is held and the sweep purged them.
        using var command = Command(
            "SELECT EXISTS (SELECT 1 FROM object_versions WHERE bucket_id = $bucket AND died IS NULL) OR EXISTS (SELECT 1 FROM multipart_uploads WHERE bucket_id = $bucket)");
        command.Parameters.AddWithValue("$bucket", bucketId);
        return Convert.ToInt64(command.ExecuteScalar()) != 0;
    }

    public BucketRecord Create(BucketRecord bucket)
    {
        // A rowid table gives a new row the highest id plus one, which a deleted bucket's can be: its inventory runs and
        // journal entries, kept by id after it, would be the new bucket's. Ids go past every one used, as PostgreSQL's do
        // (the runs and the journal cover stores that deleted buckets before BucketIdHigh was kept).
        using var command = Command(
            "INSERT INTO buckets (id, name, owner_app_id, region, created_at, versioning, record_format) " +
            "VALUES (1 + max(COALESCE((SELECT max(id) FROM buckets), 0), " +
            $"COALESCE((SELECT CAST(value AS INTEGER) FROM store_info WHERE name = '{BucketIdHigh}'), 0), " +
            "COALESCE((SELECT max(bucket_id) FROM inventory_runs), 0), COALESCE((SELECT max(bucket_id) FROM change_journal), 0)), " +
            "$name, $owner, $region, $created, $versioning, $format) RETURNING id");
        var p = command.Parameters;
        p.AddWithValue("$name", bucket.Name);
        p.AddWithValue("$owner", bucket.OwnerAppId);
        p.AddWithValue("$region", bucket.Region);
        p.AddWithValue("$created", bucket.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$versioning", (int)bucket.Versioning);
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        Session.Store.BucketSettingsTouched();
        return bucket with { Id = Convert.ToInt64(command.ExecuteScalar()) };
    }

    public bool DeleteIfEmpty(long bucketId)
    {
        // The one writer connection makes the check and the delete atomic.
        if (HasContent(bucketId))
        {
            return false;
        }

        // Superseded revisions of its versions go too: a pinned read of a deleted bucket has no bucket to read.
        using var command = Command("DELETE FROM bucket_configs WHERE bucket_id = $id; DELETE FROM object_versions WHERE bucket_id = $id; DELETE FROM buckets WHERE id = $id; " +
            $"INSERT INTO store_info (name, value) VALUES ('{BucketIdHigh}', CAST($id AS TEXT)) " +
            "ON CONFLICT (name) DO UPDATE SET value = CAST(max(CAST(value AS INTEGER), $id) AS TEXT);");
        command.Parameters.AddWithValue("$id", bucketId);
        command.ExecuteNonQuery();
        Session.Store.BucketSettingsTouched();
        return true;
    }

    public void SetVersioning(long bucketId, VersioningState state)
    {
        using var command = Command("UPDATE buckets SET versioning = $state WHERE id = $id");
        command.Parameters.AddWithValue("$state", (int)state);
        command.Parameters.AddWithValue("$id", bucketId);
        command.ExecuteNonQuery();
        Session.Store.BucketSettingsTouched();
    }

    internal static BucketRecord Read(SqliteDataReader reader) => Read(reader, 0);

    internal static BucketRecord Read(SqliteDataReader reader, int first) => new()
    {
        Id = reader.GetInt64(first),
        Name = reader.GetString(first + 1),
        OwnerAppId = reader.GetString(first + 2),
        Region = reader.GetString(first + 3),
        CreatedAt = Millis(reader, first + 4),
        Versioning = (VersioningState)reader.GetInt32(first + 5),
    };
}
