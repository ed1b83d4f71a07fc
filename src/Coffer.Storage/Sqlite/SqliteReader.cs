using Coffer.Storage.Records;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>Reads inside one SQLite transaction, so every query sees the same snapshot.</summary>
internal class SqliteReader : IMetadataReader
{
    /// <summary>The columns of an object version row, in the order <see cref="ReadVersion"/> and <see cref="VersionScan"/> read them.</summary>
    internal const string VersionColumns = "bucket_id, key, seq, version_id, is_latest, is_delete_marker, record";

    private const string UploadColumns =
        "bucket_id, upload_id, key, initiated_at, content_type, storage_class, user_metadata, headers, tags, encryption, kms_key_id";

    private const string CredentialColumns =
        "secret_id, secret_key, kind, app_id, uin, name, session_token, expires_at, policy, created_at";

    private const string ConfigColumns = "bucket_id, kind, config_id, seq, body, created_at, updated_at";

    private const string RunColumns =
        "job_id, bucket_id, config_id, trigger, state, config, queued_at, started_at, finished_at, objects_scanned, bytes_scanned, " +
        "objects_matched, bytes_matched, files_written, manifest_key, error_code, error_message, progress, lease_owner, lease_expires";

    private readonly bool _ownsConnection;

    public SqliteReader(SqliteConnection connection, SqliteTransaction transaction, bool ownsConnection)
    {
        Connection = connection;
        Transaction = transaction;
        _ownsConnection = ownsConnection;
    }

    protected SqliteConnection Connection { get; }

    protected SqliteTransaction Transaction { get; }

    public BucketRecord? GetBucket(string name)
    {
        using var command = Command("SELECT id, name, owner_app_id, region, created_at, versioning FROM buckets WHERE name = $name");
        command.Parameters.AddWithValue("$name", name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadBucket(reader) : null;
    }

    public BucketRecord? GetBucketById(long bucketId)
    {
        using var command = Command("SELECT id, name, owner_app_id, region, created_at, versioning FROM buckets WHERE id = $id");
        command.Parameters.AddWithValue("$id", bucketId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadBucket(reader) : null;
    }

    public IReadOnlyList<BucketRecord> ListBuckets(string ownerAppId)
    {
        using var command = Command(
            "SELECT id, name, owner_app_id, region, created_at, versioning FROM buckets WHERE owner_app_id = $owner ORDER BY name");
        command.Parameters.AddWithValue("$owner", ownerAppId);
        using var reader = command.ExecuteReader();
        var buckets = new List<BucketRecord>();
        while (reader.Read())
        {
            buckets.Add(ReadBucket(reader));
        }

        return buckets;
    }

    public ObjectVersionRecord? GetLatestVersion(long bucketId, string key)
    {
        using var command = Command(
            $"SELECT {VersionColumns} FROM object_versions WHERE bucket_id = $bucket AND key = $key ORDER BY seq DESC LIMIT 1");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$key", key);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadVersion(reader) : null;
    }

    public ObjectVersionRecord? GetVersion(long bucketId, string key, string versionId)
    {
        using var command = Command(
            $"SELECT {VersionColumns} FROM object_versions WHERE bucket_id = $bucket AND key = $key AND version_id = $version");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$version", versionId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadVersion(reader) : null;
    }

    /// <summary>One version by its sequence number (writers use it to rewrite a record).</summary>
    protected ObjectVersionRecord? GetVersionBySequence(long bucketId, string key, long sequence)
    {
        using var command = Command($"SELECT {VersionColumns} FROM object_versions WHERE bucket_id = $bucket AND key = $key AND seq = $seq");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$seq", sequence);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadVersion(reader) : null;
    }

    public IEnumerable<ObjectVersionRecord> ScanLatest(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey, VersionDetail detail = VersionDetail.All)
    {
        var lower = fromKeyInclusive ? ">=" : ">";
        var upper = toKey is null ? "" : "AND key < $to";
        using var scan = new VersionScan(Connection,
            $"SELECT {VersionColumns} FROM object_versions WHERE bucket_id = $bucket AND key {lower} $from {upper} AND is_latest = 1 ORDER BY key");
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
            using var sameKey = new VersionScan(Connection,
                $"SELECT {VersionColumns} FROM object_versions WHERE bucket_id = $bucket AND key = $key AND seq < $seq ORDER BY seq DESC");
            sameKey.Bind("$bucket", bucketId).Bind("$key", fromKey).Bind("$seq", sequence);
            foreach (var version in sameKey.Rows(bucketId, detail))
            {
                yield return version;
            }

            fromKeyInclusive = false;
        }

        var lower = fromKeyInclusive ? ">=" : ">";
        var upper = toKey is null ? "" : "AND key < $to";
        using var scan = new VersionScan(Connection,
            $"SELECT {VersionColumns} FROM object_versions WHERE bucket_id = $bucket AND key {lower} $from {upper} ORDER BY key, seq DESC");
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

    public bool HasObjects(long bucketId)
    {
        using var command = Command(
            "SELECT EXISTS (SELECT 1 FROM object_versions WHERE bucket_id = $bucket) OR EXISTS (SELECT 1 FROM multipart_uploads WHERE bucket_id = $bucket)");
        command.Parameters.AddWithValue("$bucket", bucketId);
        return Convert.ToInt64(command.ExecuteScalar()) != 0;
    }

    public MultipartUploadRecord? GetUpload(long bucketId, string uploadId)
    {
        using var command = Command($"SELECT {UploadColumns} FROM multipart_uploads WHERE bucket_id = $bucket AND upload_id = $upload");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$upload", uploadId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadUpload(reader) : null;
    }

    public IEnumerable<MultipartUploadRecord> ScanUploads(long bucketId, string fromKey, bool fromKeyInclusive, string? afterUploadId, string? toKey)
    {
        var lower = fromKeyInclusive ? ">=" : ">";
        var upper = toKey is null ? "" : "AND key < $to";
        using var command = Command(
            $"SELECT {UploadColumns} FROM multipart_uploads WHERE bucket_id = $bucket AND key {lower} $from {upper} ORDER BY key, initiated_at, upload_id");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$from", fromKey);
        if (toKey is not null)
        {
            command.Parameters.AddWithValue("$to", toKey);
        }

        using var reader = command.ExecuteReader();
        var skipping = afterUploadId is not null;
        while (reader.Read())
        {
            var upload = ReadUpload(reader);
            if (skipping)
            {
                // Uploads of the marker key up to and including the marker upload were listed already.
                if (upload.Key == fromKey)
                {
                    if (upload.UploadId == afterUploadId)
                    {
                        skipping = false;
                    }

                    continue;
                }

                skipping = false;
            }

            yield return upload;
        }
    }

    public IEnumerable<MultipartPartRecord> ScanParts(long bucketId, string uploadId, int afterPartNumber)
    {
        using var command = Command(
            "SELECT bucket_id, upload_id, part_number, size, etag, crc64, blob_id, last_modified, blob_key FROM multipart_parts " +
            "WHERE bucket_id = $bucket AND upload_id = $upload AND part_number > $after ORDER BY part_number");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$upload", uploadId);
        command.Parameters.AddWithValue("$after", afterPartNumber);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new MultipartPartRecord
            {
                BucketId = reader.GetInt64(0),
                UploadId = reader.GetString(1),
                PartNumber = reader.GetInt32(2),
                Size = reader.GetInt64(3),
                ETag = reader.GetString(4),
                Crc64 = reader.IsDBNull(5) ? null : unchecked((ulong)reader.GetInt64(5)),
                BlobId = reader.GetString(6),
                LastModified = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                WrappedKey = Blob(reader, 8),
            };
        }
    }

    public BucketConfigRecord? GetConfig(long bucketId, string kind, string configId)
    {
        using var command = Command(
            $"SELECT {ConfigColumns} FROM bucket_configs WHERE bucket_id = $bucket AND kind = $kind AND config_id = $id");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$id", configId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadConfig(reader) : null;
    }

    public IReadOnlyList<(BucketRecord Bucket, BucketConfigRecord Config)> ListAllConfigs(string kind)
    {
        using var command = Command(
            "SELECT b.id, b.name, b.owner_app_id, b.region, b.created_at, b.versioning, c.bucket_id, c.kind, c.config_id, c.seq, c.body, " +
            "c.created_at, c.updated_at FROM bucket_configs c JOIN buckets b ON b.id = c.bucket_id WHERE c.kind = $kind ORDER BY c.seq");
        command.Parameters.AddWithValue("$kind", kind);
        using var reader = command.ExecuteReader();
        var configs = new List<(BucketRecord, BucketConfigRecord)>();
        while (reader.Read())
        {
            configs.Add((ReadBucket(reader), new BucketConfigRecord
            {
                BucketId = reader.GetInt64(6),
                Kind = reader.GetString(7),
                ConfigId = reader.GetString(8),
                Sequence = reader.GetInt64(9),
                Body = reader.GetFieldValue<byte[]>(10),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11)),
                UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12)),
            }));
        }

        return configs;
    }

    public IReadOnlyList<BucketConfigRecord> ListConfigs(long bucketId, string kind, long afterSequence, int limit)
    {
        using var command = Command(
            $"SELECT {ConfigColumns} FROM bucket_configs WHERE bucket_id = $bucket AND kind = $kind AND seq > $after ORDER BY seq LIMIT $limit");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$after", afterSequence);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var configs = new List<BucketConfigRecord>();
        while (reader.Read())
        {
            configs.Add(ReadConfig(reader));
        }

        return configs;
    }

    public int CountConfigs(long bucketId, string kind)
    {
        using var command = Command("SELECT COUNT(*) FROM bucket_configs WHERE bucket_id = $bucket AND kind = $kind");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$kind", kind);
        return Convert.ToInt32(command.ExecuteScalar());
    }

    public InventoryRunRecord? GetRun(string jobId)
    {
        using var command = Command($"SELECT {RunColumns} FROM inventory_runs WHERE job_id = $job");
        command.Parameters.AddWithValue("$job", jobId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadRun(reader) : null;
    }

    public IReadOnlyList<InventoryRunRecord> ListRuns(long bucketId, string? configId, int limit, InventoryRunRecord? after = null)
    {
        using var command = Command(
            $"SELECT {RunColumns} FROM inventory_runs WHERE bucket_id = $bucket " +
            (configId is null ? "" : "AND config_id = $config ") +
            (after is null ? "" : "AND (queued_at < $queued OR (queued_at = $queued AND job_id < $job)) ") +
            "ORDER BY queued_at DESC, job_id DESC LIMIT $limit");
        command.Parameters.AddWithValue("$bucket", bucketId);
        if (configId is not null)
        {
            command.Parameters.AddWithValue("$config", configId);
        }

        if (after is not null)
        {
            command.Parameters.AddWithValue("$queued", after.QueuedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$job", after.JobId);
        }

        command.Parameters.AddWithValue("$limit", limit);
        return ReadRuns(command);
    }

    public byte[]? GetRunSummary(string jobId)
    {
        using var command = Command("SELECT summary FROM inventory_runs WHERE job_id = $job");
        command.Parameters.AddWithValue("$job", jobId);
        return command.ExecuteScalar() as byte[];
    }

    public IReadOnlyList<InventoryRunRecord> ListRunsInState(string state, int limit)
    {
        using var command = Command($"SELECT {RunColumns} FROM inventory_runs WHERE state = $state ORDER BY queued_at, job_id LIMIT $limit");
        command.Parameters.AddWithValue("$state", state);
        command.Parameters.AddWithValue("$limit", limit);
        return ReadRuns(command);
    }

    public CredentialRecord? GetCredential(string secretId)
    {
        using var command = Command($"SELECT {CredentialColumns} FROM credentials WHERE secret_id = $id");
        command.Parameters.AddWithValue("$id", secretId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCredential(reader) : null;
    }

    public IReadOnlyList<CredentialRecord> ListCredentials(string appId) =>
        ReadCredentials($"SELECT {CredentialColumns} FROM credentials WHERE app_id = $app ORDER BY uin, created_at, secret_id", appId, null);

    public IReadOnlyList<CredentialRecord> ListCredentials(string appId, string uin) =>
        ReadCredentials($"SELECT {CredentialColumns} FROM credentials WHERE app_id = $app AND uin = $uin ORDER BY created_at, secret_id", appId, uin);

    public void Dispose()
    {
        if (_ownsConnection)
        {
            Transaction.Dispose();
            Connection.Dispose();
        }
    }

    protected SqliteCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        return command;
    }

    private static BucketRecord ReadBucket(SqliteDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Name = reader.GetString(1),
        OwnerAppId = reader.GetString(2),
        Region = reader.GetString(3),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        Versioning = (VersioningState)reader.GetInt32(5),
    };

    private static ObjectVersionRecord ReadVersion(SqliteDataReader reader) => VersionRecordCodec.Decode(
        new VersionIdentity(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt64(4) != 0,
            reader.GetInt64(5) != 0),
        reader.GetFieldValue<byte[]>(6),
        VersionDetail.All);

    private static MultipartUploadRecord ReadUpload(SqliteDataReader reader) => new()
    {
        BucketId = reader.GetInt64(0),
        UploadId = reader.GetString(1),
        Key = reader.GetString(2),
        InitiatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        ContentType = reader.IsDBNull(4) ? null : reader.GetString(4),
        StorageClass = reader.GetString(5),
        UserMetadata = RecordCodec.DecodePairs(Blob(reader, 6)),
        Headers = RecordCodec.DecodePairs(Blob(reader, 7)),
        Tags = RecordCodec.DecodePairs(Blob(reader, 8)),
        Encryption = reader.IsDBNull(9) ? null : reader.GetString(9),
        KmsKeyId = reader.IsDBNull(10) ? null : reader.GetString(10),
    };

    private static BucketConfigRecord ReadConfig(SqliteDataReader reader) => new()
    {
        BucketId = reader.GetInt64(0),
        Kind = reader.GetString(1),
        ConfigId = reader.GetString(2),
        Sequence = reader.GetInt64(3),
        Body = reader.GetFieldValue<byte[]>(4),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
    };

    private static IReadOnlyList<InventoryRunRecord> ReadRuns(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var runs = new List<InventoryRunRecord>();
        while (reader.Read())
        {
            runs.Add(ReadRun(reader));
        }

        return runs;
    }

    private static InventoryRunRecord ReadRun(SqliteDataReader reader) => new()
    {
        JobId = reader.GetString(0),
        BucketId = reader.GetInt64(1),
        ConfigId = reader.GetString(2),
        Trigger = reader.GetString(3),
        State = reader.GetString(4),
        Config = reader.GetFieldValue<byte[]>(5),
        QueuedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
        StartedAt = Time(reader, 7),
        FinishedAt = Time(reader, 8),
        ObjectsScanned = reader.GetInt64(9),
        BytesScanned = reader.GetInt64(10),
        ObjectsMatched = reader.GetInt64(11),
        BytesMatched = reader.GetInt64(12),
        FilesWritten = reader.GetInt64(13),
        ManifestKey = reader.IsDBNull(14) ? null : reader.GetString(14),
        ErrorCode = reader.IsDBNull(15) ? null : reader.GetString(15),
        ErrorMessage = reader.IsDBNull(16) ? null : reader.GetString(16),
        Progress = Blob(reader, 17),
        LeaseOwner = reader.IsDBNull(18) ? null : reader.GetString(18),
        LeaseExpires = Time(reader, 19),
    };

    private IReadOnlyList<CredentialRecord> ReadCredentials(string sql, string appId, string? uin)
    {
        using var command = Command(sql);
        command.Parameters.AddWithValue("$app", appId);
        if (uin is not null)
        {
            command.Parameters.AddWithValue("$uin", uin);
        }

        using var reader = command.ExecuteReader();
        var credentials = new List<CredentialRecord>();
        while (reader.Read())
        {
            credentials.Add(ReadCredential(reader));
        }

        return credentials;
    }

    private static CredentialRecord ReadCredential(SqliteDataReader reader) => new()
    {
        SecretId = reader.GetString(0),
        SecretKey = reader.GetString(1),
        Kind = reader.GetString(2),
        AppId = reader.GetString(3),
        Uin = reader.GetString(4),
        Name = reader.IsDBNull(5) ? null : reader.GetString(5),
        SessionToken = reader.IsDBNull(6) ? null : reader.GetString(6),
        ExpiresAt = Time(reader, 7),
        Policy = Blob(reader, 8),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)),
    };

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static byte[]? Blob(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<byte[]>(ordinal);
}
