using Coffer.Storage.Records;
using Npgsql;

namespace Coffer.Storage.Postgres;

internal sealed class PostgresConfigs(PostgresSession session) : PostgresAggregate(session), IConfigWriter
{
    private const string Columns = "bucket_id, kind, config_id, seq, body, created_at, updated_at";
    private const byte KindLock = 2;

    // In a write transaction, every read of a bucket's configurations of one kind holds that kind: a limit checked by
    // counting and a run queued after a look at the runs stay true until the commit.
    public BucketConfigRecord? Get(long bucketId, string kind, string configId)
    {
        Session.Hold(KindLock, bucketId, kind);
        return ReadOne(Command($"SELECT {Columns} FROM bucket_configs WHERE bucket_id = $1 AND kind = $2 AND config_id = $3", bucketId, kind, configId),
            r => Read(r, 0));
    }

    public IReadOnlyList<BucketConfigRecord> GetKinds(long bucketId, IReadOnlyList<string> kinds)
    {
        if (kinds.Count == 0)
        {
            return [];
        }

        // In one order for every writer: two holding kinds in opposite orders would wait on each other.
        foreach (var kind in kinds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            Session.Hold(KindLock, bucketId, kind);
        }

        return ReadAll(Command($"SELECT {Columns} FROM bucket_configs WHERE bucket_id = $1 AND kind = ANY($2)", bucketId, kinds.ToArray()), r => Read(r, 0));
    }

    public IReadOnlyList<(BucketRecord Bucket, BucketConfigRecord Config)> ListAll(string kind) => ReadAll(Command(
            "SELECT b.id, b.name, b.owner_app_id, b.region, b.created_at, b.versioning, c.bucket_id, c.kind, c.config_id, c.seq, c.body, " +
            "c.created_at, c.updated_at FROM bucket_configs c JOIN buckets b ON b.id = c.bucket_id WHERE c.kind = $1 ORDER BY c.seq", kind),
        r => (PostgresBuckets.Read(r, 0), Read(r, 6)));

    public IReadOnlyList<BucketConfigRecord> List(long bucketId, string kind, long afterSequence, int limit)
    {
        Session.Hold(KindLock, bucketId, kind);
        return ReadAll(Command(
                $"SELECT {Columns} FROM bucket_configs WHERE bucket_id = $1 AND kind = $2 AND seq > $3 ORDER BY seq LIMIT $4", bucketId, kind, afterSequence,
                limit),
            r => Read(r, 0));
    }

    public int Count(long bucketId, string kind)
    {
        Session.Hold(KindLock, bucketId, kind);
        return (int)Scalar<long>(Command("SELECT COUNT(*) FROM bucket_configs WHERE bucket_id = $1 AND kind = $2", bucketId, kind));
    }

    public BucketConfigRecord Put(long bucketId, string kind, string configId, byte[] body, DateTimeOffset now)
    {
        Session.Hold(KindLock, bucketId, kind);
        return ReadOne(Command(
                "INSERT INTO bucket_configs (bucket_id, kind, config_id, seq, body, created_at, updated_at, record_format) " +
                "VALUES ($1, $2, $3, nextval('coffer_seq'), $4, $5, $5, $6) " +
                "ON CONFLICT (bucket_id, kind, config_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at " +
                $"RETURNING {Columns}",
                bucketId, kind, configId, body, now.ToUnixTimeMilliseconds(), (short)PostgresMetadataStore.RecordFormat),
            r => Read(r, 0))!;
    }

    public bool Delete(long bucketId, string kind, string configId)
    {
        Session.Hold(KindLock, bucketId, kind);
        return NonQuery(Command("DELETE FROM bucket_configs WHERE bucket_id = $1 AND kind = $2 AND config_id = $3", bucketId, kind, configId)) > 0;
    }

    private static BucketConfigRecord Read(NpgsqlDataReader reader, int first) => new()
    {
        BucketId = reader.GetInt64(first),
        Kind = reader.GetString(first + 1),
        ConfigId = reader.GetString(first + 2),
        Sequence = reader.GetInt64(first + 3),
        Body = reader.GetFieldValue<byte[]>(first + 4),
        CreatedAt = Millis(reader, first + 5),
        UpdatedAt = Millis(reader, first + 6),
    };
}
