using System.Collections.Concurrent;
using Coffer.Storage.Records;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

internal sealed class SqliteConfigs(SqliteSession session) : SqliteAggregate(session), IConfigWriter
{
    private const string Columns = "bucket_id, kind, config_id, seq, body, created_at, updated_at";

    // GetKinds' statement and parameter names by the number of kinds: built once per count, as its one caller (reading
    // a bucket's access rules when they are not cached) always asks for the same set of kinds.
    private static readonly ConcurrentDictionary<int, (string Text, string[] Parameters)> KindsStatements = new();

    public BucketConfigRecord? Get(long bucketId, string kind, string configId)
    {
        var kept = Session.WriterSettings;
        if (kept is not null && kept.TryGetConfig(bucketId, kind, configId, out var config))
        {
            return config;
        }

        using var command = Command($"SELECT {Columns} FROM bucket_configs WHERE bucket_id = $bucket AND kind = $kind AND config_id = $id");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$id", configId);
        config = ReadOne(command, r => Read(r, 0));
        kept?.KeepConfig(bucketId, kind, configId, config);
        return config;
    }

    // Not through WriterSettings on purpose: it keeps configurations by id and cannot tell which ids of a kind exist.
    public IReadOnlyList<BucketConfigRecord> GetKinds(long bucketId, IReadOnlyList<string> kinds)
    {
        if (kinds.Count == 0)
        {
            return [];
        }

        var (text, parameters) = KindsStatements.GetOrAdd(kinds.Count, KindsStatement);
        using var command = Command(text);
        command.Parameters.AddWithValue("$bucket", bucketId);
        for (var i = 0; i < kinds.Count; i++)
        {
            command.Parameters.AddWithValue(parameters[i], kinds[i]);
        }

        return ReadAll(command, r => Read(r, 0));
    }

    private static (string Text, string[] Parameters) KindsStatement(int count)
    {
        var parameters = Enumerable.Range(0, count).Select(i => "$kind" + i).ToArray();
        return ($"SELECT {Columns} FROM bucket_configs WHERE bucket_id = $bucket AND kind IN ({string.Join(", ", parameters)})", parameters);
    }

    public IReadOnlyList<(BucketRecord Bucket, BucketConfigRecord Config)> ListAll(string kind)
    {
        using var command = Command(
            "SELECT b.id, b.name, b.owner_app_id, b.region, b.created_at, b.versioning, c.bucket_id, c.kind, c.config_id, c.seq, c.body, " +
            "c.created_at, c.updated_at FROM bucket_configs c JOIN buckets b ON b.id = c.bucket_id WHERE c.kind = $kind ORDER BY c.seq");
        command.Parameters.AddWithValue("$kind", kind);
        return ReadAll(command, r => (SqliteBuckets.Read(r, 0), Read(r, 6)));
    }

    public IReadOnlyList<BucketConfigRecord> List(long bucketId, string kind, long afterSequence, int limit)
    {
        using var command = Command(
            $"SELECT {Columns} FROM bucket_configs WHERE bucket_id = $bucket AND kind = $kind AND seq > $after ORDER BY seq LIMIT $limit");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$after", afterSequence);
        command.Parameters.AddWithValue("$limit", limit);
        return ReadAll(command, r => Read(r, 0));
    }

    public int Count(long bucketId, string kind)
    {
        using var command = Command("SELECT COUNT(*) FROM bucket_configs WHERE bucket_id = $bucket AND kind = $kind");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$kind", kind);
        return Convert.ToInt32(command.ExecuteScalar());
    }

    public BucketConfigRecord Put(long bucketId, string kind, string configId, byte[] body, DateTimeOffset now)
    {
        using (var command = Command(
                   "INSERT INTO bucket_configs (bucket_id, kind, config_id, seq, body, created_at, updated_at, record_format) " +
                   "VALUES ($bucket, $kind, $id, $seq, $body, $now, $now, $format) " +
                   "ON CONFLICT (bucket_id, kind, config_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at"))
        {
            var p = command.Parameters;
            p.AddWithValue("$bucket", bucketId);
            p.AddWithValue("$kind", kind);
            p.AddWithValue("$id", configId);
            p.AddWithValue("$seq", Session.Store.NextSequence(Session));
            p.AddWithValue("$body", body);
            p.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
            command.ExecuteNonQuery();
        }

        Session.Store.BucketSettingsTouched();
        return Get(bucketId, kind, configId)!;
    }

    public bool Delete(long bucketId, string kind, string configId)
    {
        using var command = Command("DELETE FROM bucket_configs WHERE bucket_id = $bucket AND kind = $kind AND config_id = $id");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$id", configId);
        Session.Store.BucketSettingsTouched();
        return command.ExecuteNonQuery() > 0;
    }

    private static BucketConfigRecord Read(SqliteDataReader reader, int first) => new()
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
