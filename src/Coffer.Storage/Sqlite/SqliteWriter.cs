using Coffer.Storage.Records;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

internal sealed class SqliteWriter(SqliteMetadataStore store, SqliteConnection connection, SqliteTransaction transaction)
    : SqliteReader(connection, transaction, ownsConnection: false), IMetadataWriter
{
    public BucketRecord CreateBucket(BucketRecord bucket)
    {
        using var command = Command(
            "INSERT INTO buckets (name, owner_app_id, region, created_at, versioning, record_format) " +
            "VALUES ($name, $owner, $region, $created, $versioning, $format) RETURNING id");
        command.Parameters.AddWithValue("$name", bucket.Name);
        command.Parameters.AddWithValue("$owner", bucket.OwnerAppId);
        command.Parameters.AddWithValue("$region", bucket.Region);
        command.Parameters.AddWithValue("$created", bucket.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$versioning", (int)bucket.Versioning);
        command.Parameters.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        var id = Convert.ToInt64(command.ExecuteScalar());
        return bucket with { Id = id };
    }

    public void DeleteBucket(long bucketId)
    {
        using var command = Command(
            "DELETE FROM bucket_configs WHERE bucket_id = $id; DELETE FROM buckets WHERE id = $id;");
        command.Parameters.AddWithValue("$id", bucketId);
        command.ExecuteNonQuery();
    }

    public ObjectVersionRecord InsertVersion(ObjectVersionRecord version)
    {
        var stored = version with { Sequence = store.NextSequence() };
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

    public void DeleteVersion(long bucketId, string key, long sequence)
    {
        using var command = Command("DELETE FROM object_versions WHERE bucket_id = $bucket AND key = $key AND seq = $seq");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$seq", sequence);
        command.ExecuteNonQuery();
    }

    public void SetLatest(long bucketId, string key, long sequence, bool isLatest)
    {
        using var command = Command(
            "UPDATE object_versions SET is_latest = $latest WHERE bucket_id = $bucket AND key = $key AND seq = $seq");
        command.Parameters.AddWithValue("$latest", isLatest ? 1 : 0);
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$seq", sequence);
        command.ExecuteNonQuery();
    }

    public void SetVersioning(long bucketId, VersioningState state)
    {
        using var command = Command("UPDATE buckets SET versioning = $state WHERE id = $id");
        command.Parameters.AddWithValue("$state", (int)state);
        command.Parameters.AddWithValue("$id", bucketId);
        command.ExecuteNonQuery();
    }

    public void SetTags(long bucketId, string key, long sequence, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        var version = GetVersionBySequence(bucketId, key, sequence)
            ?? throw new InvalidOperationException($"No version {sequence} of {key} to tag.");
        using var command = Command("UPDATE object_versions SET record = $record WHERE bucket_id = $bucket AND key = $key AND seq = $seq");
        command.Parameters.AddWithValue("$record", VersionRecordCodec.Encode(version with { Tags = tags }));
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$seq", sequence);
        command.ExecuteNonQuery();
    }

    public void InsertUpload(MultipartUploadRecord upload)
    {
        using var command = Command(
            "INSERT INTO multipart_uploads (bucket_id, upload_id, key, initiated_at, content_type, storage_class, user_metadata, headers, " +
            "tags, encryption, kms_key_id, record_format) " +
            "VALUES ($bucket, $upload, $key, $initiated, $type, $class, $meta, $headers, $tags, $encryption, $kms, $format)");
        var p = command.Parameters;
        p.AddWithValue("$bucket", upload.BucketId);
        p.AddWithValue("$upload", upload.UploadId);
        p.AddWithValue("$key", upload.Key);
        p.AddWithValue("$initiated", upload.InitiatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$type", (object?)upload.ContentType ?? DBNull.Value);
        p.AddWithValue("$class", upload.StorageClass);
        p.AddWithValue("$meta", (object?)RecordCodec.EncodePairs(upload.UserMetadata) ?? DBNull.Value);
        p.AddWithValue("$headers", (object?)RecordCodec.EncodePairs(upload.Headers) ?? DBNull.Value);
        p.AddWithValue("$tags", (object?)RecordCodec.EncodePairs(upload.Tags) ?? DBNull.Value);
        p.AddWithValue("$encryption", (object?)upload.Encryption ?? DBNull.Value);
        p.AddWithValue("$kms", (object?)upload.KmsKeyId ?? DBNull.Value);
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        command.ExecuteNonQuery();
    }

    public MultipartPartRecord? PutPart(MultipartPartRecord part)
    {
        var previous = ScanParts(part.BucketId, part.UploadId, part.PartNumber - 1).FirstOrDefault(p => p.PartNumber == part.PartNumber);
        using var command = Command(
            "INSERT OR REPLACE INTO multipart_parts (bucket_id, upload_id, part_number, size, etag, crc64, blob_id, last_modified, record_format, " +
            "blob_key) VALUES ($bucket, $upload, $number, $size, $etag, $crc, $blob, $modified, $format, $key)");
        var p = command.Parameters;
        p.AddWithValue("$bucket", part.BucketId);
        p.AddWithValue("$upload", part.UploadId);
        p.AddWithValue("$number", part.PartNumber);
        p.AddWithValue("$size", part.Size);
        p.AddWithValue("$etag", part.ETag);
        p.AddWithValue("$crc", part.Crc64 is { } crc ? unchecked((long)crc) : DBNull.Value);
        p.AddWithValue("$blob", part.BlobId);
        p.AddWithValue("$modified", part.LastModified.ToUnixTimeMilliseconds());
        p.AddWithValue("$key", (object?)part.WrappedKey ?? DBNull.Value);
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        command.ExecuteNonQuery();
        return previous;
    }

    public void DeleteUpload(long bucketId, string uploadId)
    {
        using var command = Command(
            "DELETE FROM multipart_parts WHERE bucket_id = $bucket AND upload_id = $upload; " +
            "DELETE FROM multipart_uploads WHERE bucket_id = $bucket AND upload_id = $upload;");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$upload", uploadId);
        command.ExecuteNonQuery();
    }

    public BucketConfigRecord PutConfig(long bucketId, string kind, string configId, byte[] body, DateTimeOffset now)
    {
        using var command = Command(
            "INSERT INTO bucket_configs (bucket_id, kind, config_id, seq, body, created_at, updated_at, record_format) " +
            "VALUES ($bucket, $kind, $id, $seq, $body, $now, $now, $format) " +
            "ON CONFLICT (bucket_id, kind, config_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at");
        var p = command.Parameters;
        p.AddWithValue("$bucket", bucketId);
        p.AddWithValue("$kind", kind);
        p.AddWithValue("$id", configId);
        p.AddWithValue("$seq", store.NextSequence());
        p.AddWithValue("$body", body);
        p.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        command.ExecuteNonQuery();
        return GetConfig(bucketId, kind, configId)!;
    }

    public bool DeleteConfig(long bucketId, string kind, string configId)
    {
        using var command = Command("DELETE FROM bucket_configs WHERE bucket_id = $bucket AND kind = $kind AND config_id = $id");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$id", configId);
        return command.ExecuteNonQuery() > 0;
    }

    public void InsertRun(InventoryRunRecord run) => WriteRun(run, insert: true);

    public void UpdateRun(InventoryRunRecord run) => WriteRun(run, insert: false);

    public void SetRunSummary(string jobId, byte[] summary)
    {
        using var command = Command("UPDATE inventory_runs SET summary = $summary WHERE job_id = $job");
        command.Parameters.AddWithValue("$summary", summary);
        command.Parameters.AddWithValue("$job", jobId);
        command.ExecuteNonQuery();
    }

    public void ClaimBlob(string blobId)
    {
        using var command = Command("DELETE FROM unreferenced_blobs WHERE blob_id = $id");
        command.Parameters.AddWithValue("$id", blobId);
        command.ExecuteNonQuery();
    }

    private readonly List<string> _released = [];

    private void WriteRun(InventoryRunRecord run, bool insert)
    {
        using var command = Command(insert
            ? "INSERT INTO inventory_runs (job_id, bucket_id, config_id, trigger, state, config, queued_at, started_at, finished_at, " +
              "objects_scanned, bytes_scanned, objects_matched, bytes_matched, files_written, manifest_key, error_code, error_message, " +
              "progress, lease_owner, lease_expires, record_format) VALUES ($job, $bucket, $config_id, $trigger, $state, $config, $queued, " +
              "$started, $finished, $scanned, $bytes_scanned, $matched, $bytes_matched, $files, $manifest, $error_code, $error_message, " +
              "$progress, $lease_owner, $lease_expires, $format)"
            : "UPDATE inventory_runs SET bucket_id = $bucket, config_id = $config_id, trigger = $trigger, state = $state, config = $config, " +
              "queued_at = $queued, started_at = $started, finished_at = $finished, objects_scanned = $scanned, bytes_scanned = $bytes_scanned, " +
              "objects_matched = $matched, bytes_matched = $bytes_matched, files_written = $files, manifest_key = $manifest, " +
              "error_code = $error_code, error_message = $error_message, progress = $progress, lease_owner = $lease_owner, " +
              "lease_expires = $lease_expires, record_format = $format WHERE job_id = $job");
        var p = command.Parameters;
        p.AddWithValue("$job", run.JobId);
        p.AddWithValue("$bucket", run.BucketId);
        p.AddWithValue("$config_id", run.ConfigId);
        p.AddWithValue("$trigger", run.Trigger);
        p.AddWithValue("$state", run.State);
        p.AddWithValue("$config", run.Config);
        p.AddWithValue("$queued", run.QueuedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$started", (object?)run.StartedAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        p.AddWithValue("$finished", (object?)run.FinishedAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        p.AddWithValue("$scanned", run.ObjectsScanned);
        p.AddWithValue("$bytes_scanned", run.BytesScanned);
        p.AddWithValue("$matched", run.ObjectsMatched);
        p.AddWithValue("$bytes_matched", run.BytesMatched);
        p.AddWithValue("$files", run.FilesWritten);
        p.AddWithValue("$manifest", (object?)run.ManifestKey ?? DBNull.Value);
        p.AddWithValue("$error_code", (object?)run.ErrorCode ?? DBNull.Value);
        p.AddWithValue("$error_message", (object?)run.ErrorMessage ?? DBNull.Value);
        p.AddWithValue("$progress", (object?)run.Progress ?? DBNull.Value);
        p.AddWithValue("$lease_owner", (object?)run.LeaseOwner ?? DBNull.Value);
        p.AddWithValue("$lease_expires", (object?)run.LeaseExpires?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"Inventory run {run.JobId} was not {(insert ? "inserted" : "found")}.");
        }
    }

    public IReadOnlyCollection<string> ReleasedBlobIds => _released;

    public void ReleaseBlobs(BlobLayout layout)
    {
        foreach (var segment in layout.Segments)
        {
            _released.Add(segment.BlobId);
            using var command = Command("INSERT OR REPLACE INTO unreferenced_blobs (blob_id, noted_at) VALUES ($id, $at)");
            command.Parameters.AddWithValue("$id", segment.BlobId);
            command.Parameters.AddWithValue("$at", store.NowMilliseconds());
            command.ExecuteNonQuery();
        }
    }

    public void InsertCredential(CredentialRecord credential)
    {
        using var command = Command(
            "INSERT INTO credentials (secret_id, secret_key, kind, app_id, uin, name, session_token, expires_at, policy, created_at, record_format) " +
            "VALUES ($id, $key, $kind, $app, $uin, $name, $token, $expires, $policy, $created, $format)");
        var p = command.Parameters;
        p.AddWithValue("$id", credential.SecretId);
        p.AddWithValue("$key", credential.SecretKey);
        p.AddWithValue("$kind", credential.Kind);
        p.AddWithValue("$app", credential.AppId);
        p.AddWithValue("$uin", credential.Uin);
        p.AddWithValue("$name", (object?)credential.Name ?? DBNull.Value);
        p.AddWithValue("$token", (object?)credential.SessionToken ?? DBNull.Value);
        p.AddWithValue("$expires", credential.ExpiresAt is { } expires ? expires.ToUnixTimeMilliseconds() : DBNull.Value);
        p.AddWithValue("$policy", (object?)credential.Policy ?? DBNull.Value);
        p.AddWithValue("$created", credential.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        command.ExecuteNonQuery();
    }

    public bool DeleteCredential(string secretId)
    {
        using var command = Command("DELETE FROM credentials WHERE secret_id = $id");
        command.Parameters.AddWithValue("$id", secretId);
        return command.ExecuteNonQuery() > 0;
    }

    public int DeleteExpiredCredentials(DateTimeOffset now)
    {
        using var command = Command("DELETE FROM credentials WHERE expires_at IS NOT NULL AND expires_at <= $now");
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        return command.ExecuteNonQuery();
    }
}
