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
            "INSERT INTO object_versions (bucket_id, key, seq, version_id, is_latest, is_delete_marker, size, etag, crc64, " +
            "content_type, storage_class, is_multipart, created_at, last_modified, layout, user_metadata, headers, tags, " +
            "replication_status, encryption, record_format) VALUES ($bucket, $key, $seq, $version, $latest, $marker, $size, " +
            "$etag, $crc, $type, $class, $multipart, $created, $modified, $layout, $meta, $headers, $tags, $replication, " +
            "$encryption, $format)");
        var p = command.Parameters;
        p.AddWithValue("$bucket", stored.BucketId);
        p.AddWithValue("$key", stored.Key);
        p.AddWithValue("$seq", stored.Sequence);
        p.AddWithValue("$version", stored.VersionId);
        p.AddWithValue("$latest", stored.IsLatest ? 1 : 0);
        p.AddWithValue("$marker", stored.IsDeleteMarker ? 1 : 0);
        p.AddWithValue("$size", stored.Size);
        p.AddWithValue("$etag", stored.ETag);
        p.AddWithValue("$crc", stored.Crc64 is { } crc ? unchecked((long)crc) : DBNull.Value);
        p.AddWithValue("$type", (object?)stored.ContentType ?? DBNull.Value);
        p.AddWithValue("$class", stored.StorageClass);
        p.AddWithValue("$multipart", stored.IsMultipartUploaded ? 1 : 0);
        p.AddWithValue("$created", stored.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$modified", stored.LastModified.ToUnixTimeMilliseconds());
        p.AddWithValue("$layout", (object?)RecordCodec.EncodeLayout(stored.Layout) ?? DBNull.Value);
        p.AddWithValue("$meta", (object?)RecordCodec.EncodePairs(stored.UserMetadata) ?? DBNull.Value);
        p.AddWithValue("$headers", (object?)RecordCodec.EncodePairs(stored.Headers) ?? DBNull.Value);
        p.AddWithValue("$tags", (object?)RecordCodec.EncodePairs(stored.Tags) ?? DBNull.Value);
        p.AddWithValue("$replication", (object?)stored.ReplicationStatus ?? DBNull.Value);
        p.AddWithValue("$encryption", (object?)stored.Encryption ?? DBNull.Value);
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
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
        using var command = Command("UPDATE object_versions SET tags = $tags WHERE bucket_id = $bucket AND key = $key AND seq = $seq");
        command.Parameters.AddWithValue("$tags", (object?)RecordCodec.EncodePairs(tags) ?? DBNull.Value);
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$seq", sequence);
        command.ExecuteNonQuery();
    }

    public void InsertUpload(MultipartUploadRecord upload)
    {
        using var command = Command(
            "INSERT INTO multipart_uploads (bucket_id, upload_id, key, initiated_at, content_type, storage_class, user_metadata, headers, " +
            "tags, encryption, record_format) VALUES ($bucket, $upload, $key, $initiated, $type, $class, $meta, $headers, $tags, $encryption, $format)");
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
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        command.ExecuteNonQuery();
    }

    public MultipartPartRecord? PutPart(MultipartPartRecord part)
    {
        var previous = ScanParts(part.BucketId, part.UploadId, part.PartNumber - 1).FirstOrDefault(p => p.PartNumber == part.PartNumber);
        using var command = Command(
            "INSERT OR REPLACE INTO multipart_parts (bucket_id, upload_id, part_number, size, etag, crc64, blob_id, last_modified, record_format) " +
            "VALUES ($bucket, $upload, $number, $size, $etag, $crc, $blob, $modified, $format)");
        var p = command.Parameters;
        p.AddWithValue("$bucket", part.BucketId);
        p.AddWithValue("$upload", part.UploadId);
        p.AddWithValue("$number", part.PartNumber);
        p.AddWithValue("$size", part.Size);
        p.AddWithValue("$etag", part.ETag);
        p.AddWithValue("$crc", part.Crc64 is { } crc ? unchecked((long)crc) : DBNull.Value);
        p.AddWithValue("$blob", part.BlobId);
        p.AddWithValue("$modified", part.LastModified.ToUnixTimeMilliseconds());
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

    public void ClaimBlob(string blobId)
    {
        using var command = Command("DELETE FROM unreferenced_blobs WHERE blob_id = $id");
        command.Parameters.AddWithValue("$id", blobId);
        command.ExecuteNonQuery();
    }

    private readonly List<string> _released = [];

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
}
