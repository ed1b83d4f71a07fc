using Coffer.Storage.Records;
using Npgsql;

namespace Coffer.Storage.Postgres;

internal sealed class PostgresBuckets(PostgresSession session) : PostgresAggregate(session), IBucketWriter
{
    private const string Columns = "id, name, owner_app_id, region, created_at, versioning";

    // Share-locked in a write transaction: a bucket read by a write cannot be deleted until the write commits.
    public BucketRecord? Get(string name) =>
        ReadOne(Command($"SELECT {Columns} FROM buckets WHERE name = $1{Locking("FOR SHARE")}", name), r => Read(r, 0));

    public BucketRecord? Get(long bucketId) =>
        ReadOne(Command($"SELECT {Columns} FROM buckets WHERE id = $1{Locking("FOR SHARE")}", bucketId), r => Read(r, 0));

    public IReadOnlyList<BucketRecord> List(string ownerAppId) =>
        ReadAll(Command($"SELECT {Columns} FROM buckets WHERE owner_app_id = $1 ORDER BY name", ownerAppId), r => Read(r, 0));

    public bool HasContent(long bucketId) => Scalar<bool>(Command(
        "SELECT EXISTS (SELECT 1 FROM object_versions WHERE bucket_id = $1 AND died_xid IS NULL) OR EXISTS (SELECT 1 FROM multipart_uploads WHERE bucket_id = $1)",
        bucketId));

    public BucketRecord Create(BucketRecord bucket) => bucket with
    {
        Id = Scalar<long>(Command(
            "INSERT INTO buckets (name, owner_app_id, region, created_at, versioning, record_format) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            bucket.Name, bucket.OwnerAppId, bucket.Region, bucket.CreatedAt.ToUnixTimeMilliseconds(), (short)bucket.Versioning,
            (short)PostgresMetadataStore.RecordFormat)),
    };

    public bool DeleteIfEmpty(long bucketId)
    {
        // The row lock waits for every write that read the bucket; the check after it sees what they committed.
        NonQuery(Command("SELECT 1 FROM buckets WHERE id = $1 FOR UPDATE", bucketId));
        if (HasContent(bucketId))
        {
            return false;
        }

        NonQuery(Command("DELETE FROM bucket_configs WHERE bucket_id = $1", bucketId));
        // Superseded revisions of its versions go too: a pinned read of a deleted bucket has no bucket to read.
        NonQuery(Command("DELETE FROM object_versions WHERE bucket_id = $1", bucketId));
        NonQuery(Command("DELETE FROM buckets WHERE id = $1", bucketId));
        return true;
    }

    public void SetVersioning(long bucketId, VersioningState state) =>
        NonQuery(Command("UPDATE buckets SET versioning = $1 WHERE id = $2", (short)state, bucketId));

    internal static BucketRecord Read(NpgsqlDataReader reader, int first) => new()
    {
        Id = reader.GetInt64(first),
        Name = reader.GetString(first + 1),
        OwnerAppId = reader.GetString(first + 2),
        Region = reader.GetString(first + 3),
        CreatedAt = Millis(reader, first + 4),
        Versioning = (VersioningState)reader.GetInt16(first + 5),
    };
}
