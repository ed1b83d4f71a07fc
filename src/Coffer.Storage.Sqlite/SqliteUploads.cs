using Coffer.Storage.Records;
using Coffer.Storage.Rows;

namespace Coffer.Storage.Sqlite;

internal sealed class SqliteUploads(SqliteSession session) : SqliteAggregate(session), IUploadWriter
{
    public MultipartUploadRecord? Get(long bucketId, string uploadId)
    {
        using var command = Command($"SELECT {UploadRows.Columns} FROM multipart_uploads WHERE bucket_id = $bucket AND upload_id = $upload");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$upload", uploadId);
        return ReadOne(command, UploadRows.Read);
    }

    public IEnumerable<MultipartUploadRecord> Scan(long bucketId, string fromKey, bool fromKeyInclusive, string? afterUploadId, string? toKey)
    {
        var lower = fromKeyInclusive ? ">=" : ">";
        var upper = toKey is null ? "" : "AND key < $to";
        using var command = Command(
            $"SELECT {UploadRows.Columns} FROM multipart_uploads WHERE bucket_id = $bucket AND key {lower} $from {upper} ORDER BY key, initiated_at, upload_id");
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
            var upload = UploadRows.Read(reader);
            if (skipping)
            {
                // Uploads of the marker key up to and including the marker upload were listed already.
                if (upload.Key == fromKey)
                {
                    skipping = upload.UploadId != afterUploadId;
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
            $"SELECT {UploadRows.PartColumns} FROM multipart_parts WHERE bucket_id = $bucket AND upload_id = $upload AND part_number > $after ORDER BY part_number");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$upload", uploadId);
        command.Parameters.AddWithValue("$after", afterPartNumber);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return UploadRows.ReadPart(reader);
        }
    }

    public void Insert(MultipartUploadRecord upload)
    {
        using var command = Command(
            "INSERT INTO multipart_uploads (bucket_id, upload_id, key, initiated_at, content_type, storage_class, user_metadata, headers, " +
            "tags, encryption, kms_key_id, record_format, checksum_algorithm, checksum_type, initiator, acl) " +
            "VALUES ($bucket, $upload, $key, $initiated, $type, $class, $meta, $headers, $tags, $encryption, $kms, $format, $checksum, $checksum_type, " +
            "$initiator, $acl)");
        var p = command.Parameters;
        p.AddWithValue("$bucket", upload.BucketId);
        p.AddWithValue("$upload", upload.UploadId);
        p.AddWithValue("$key", upload.Key);
        p.AddWithValue("$initiated", upload.InitiatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$type", Nullable(upload.ContentType));
        p.AddWithValue("$class", upload.StorageClass);
        p.AddWithValue("$meta", Nullable(RecordCodec.EncodePairs(upload.UserMetadata)));
        p.AddWithValue("$headers", Nullable(RecordCodec.EncodePairs(upload.Headers)));
        p.AddWithValue("$tags", Nullable(RecordCodec.EncodePairs(upload.Tags)));
        p.AddWithValue("$encryption", Nullable(upload.Encryption));
        p.AddWithValue("$kms", Nullable(upload.KmsKeyId));
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        p.AddWithValue("$checksum", Nullable(upload.ChecksumAlgorithm));
        p.AddWithValue("$checksum_type", Nullable(upload.ChecksumType));
        p.AddWithValue("$initiator", Nullable(upload.Initiator));
        p.AddWithValue("$acl", Nullable(upload.Acl));
        command.ExecuteNonQuery();
    }

    public MultipartPartRecord? PutPart(MultipartPartRecord part)
    {
        MultipartPartRecord? previous;
        using (var select = Command($"SELECT {UploadRows.PartColumns} FROM multipart_parts WHERE bucket_id = $bucket AND upload_id = $upload AND part_number = $number"))
        {
            select.Parameters.AddWithValue("$bucket", part.BucketId);
            select.Parameters.AddWithValue("$upload", part.UploadId);
            select.Parameters.AddWithValue("$number", part.PartNumber);
            previous = ReadOne(select, UploadRows.ReadPart);
        }

        using var command = Command(
            "INSERT OR REPLACE INTO multipart_parts (bucket_id, upload_id, part_number, size, etag, crc64, blob_id, last_modified, record_format, " +
            "blob_key, checksum) VALUES ($bucket, $upload, $number, $size, $etag, $crc, $blob, $modified, $format, $key, $checksum)");
        var p = command.Parameters;
        p.AddWithValue("$bucket", part.BucketId);
        p.AddWithValue("$upload", part.UploadId);
        p.AddWithValue("$number", part.PartNumber);
        p.AddWithValue("$size", part.Size);
        p.AddWithValue("$etag", part.ETag);
        p.AddWithValue("$crc", part.Crc64 is { } crc ? unchecked((long)crc) : DBNull.Value);
        p.AddWithValue("$blob", part.BlobId);
        p.AddWithValue("$modified", part.LastModified.ToUnixTimeMilliseconds());
        p.AddWithValue("$key", Nullable(part.WrappedKey));
        p.AddWithValue("$checksum", Nullable(part.Checksum));
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        command.ExecuteNonQuery();
        return previous;
    }

    public void Delete(long bucketId, string uploadId)
    {
        using var command = Command(
            "DELETE FROM multipart_parts WHERE bucket_id = $bucket AND upload_id = $upload; " +
            "DELETE FROM multipart_uploads WHERE bucket_id = $bucket AND upload_id = $upload;");
        command.Parameters.AddWithValue("$bucket", bucketId);
        command.Parameters.AddWithValue("$upload", uploadId);
        command.ExecuteNonQuery();
    }
}
