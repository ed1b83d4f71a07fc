using Coffer.Storage.Records;
using Coffer.Storage.Rows;

namespace Coffer.Storage.Postgres;

internal sealed class PostgresUploads(PostgresSession session) : PostgresAggregate(session), IUploadWriter
{
    private const int Batch = 1000;

    // Row-locked in a write transaction: an upload part, a completion and an abort of one upload run one after the other.
    public MultipartUploadRecord? Get(long bucketId, string uploadId) =>
        ReadOne(Command($"SELECT {UploadRows.Columns} FROM multipart_uploads WHERE bucket_id = $1 AND upload_id = $2{Locking("FOR UPDATE")}", bucketId, uploadId),
            UploadRows.Read);

    public IEnumerable<MultipartUploadRecord> Scan(long bucketId, string fromKey, bool fromKeyInclusive, string? afterUploadId, string? toKey)
    {
        var upper = toKey is null ? "" : " AND key < $3";
        var first = ReadAll(Command(
                $"SELECT {UploadRows.Columns} FROM multipart_uploads WHERE bucket_id = $1 AND key {(fromKeyInclusive ? ">=" : ">")} $2{upper} " +
                $"ORDER BY key, initiated_at, upload_id LIMIT {Batch}",
                toKey is null ? [bucketId, fromKey] : [bucketId, fromKey, toKey]),
            UploadRows.Read);
        var skipping = afterUploadId is not null;
        for (var rows = first; ;)
        {
            foreach (var upload in rows)
            {
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

            if (rows.Count < Batch)
            {
                yield break;
            }

            var last = rows[^1];
            rows = ReadAll(Command(
                    $"SELECT {UploadRows.Columns} FROM multipart_uploads WHERE bucket_id = $1 AND (key, initiated_at, upload_id) > ($2, $3, $4){upper.Replace("$3", "$5")} " +
                    $"ORDER BY key, initiated_at, upload_id LIMIT {Batch}",
                    toKey is null
                        ? [bucketId, last.Key, last.InitiatedAt.ToUnixTimeMilliseconds(), last.UploadId]
                        : [bucketId, last.Key, last.InitiatedAt.ToUnixTimeMilliseconds(), last.UploadId, toKey]),
                UploadRows.Read);
        }
    }

    public IEnumerable<MultipartPartRecord> ScanParts(long bucketId, string uploadId, int afterPartNumber)
    {
        var after = afterPartNumber;
        while (true)
        {
            var rows = ReadAll(Command(
                $"SELECT {UploadRows.PartColumns} FROM multipart_parts WHERE bucket_id = $1 AND upload_id = $2 AND part_number > $3 ORDER BY part_number LIMIT {Batch}",
                bucketId, uploadId, after), UploadRows.ReadPart);
            foreach (var part in rows)
            {
                yield return part;
            }

            if (rows.Count < Batch)
            {
                yield break;
            }

            after = rows[^1].PartNumber;
        }
    }

    public void Insert(MultipartUploadRecord upload) => NonQuery(Command(
        "INSERT INTO multipart_uploads (bucket_id, upload_id, key, initiated_at, content_type, storage_class, user_metadata, headers, tags, " +
        "encryption, kms_key_id, record_format, checksum_algorithm, checksum_type, initiator, acl) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        upload.BucketId, upload.UploadId, upload.Key, upload.InitiatedAt.ToUnixTimeMilliseconds(), upload.ContentType, upload.StorageClass,
        RecordCodec.EncodePairs(upload.UserMetadata), RecordCodec.EncodePairs(upload.Headers), RecordCodec.EncodePairs(upload.Tags),
        upload.Encryption, upload.KmsKeyId, (short)PostgresMetadataStore.RecordFormat, upload.ChecksumAlgorithm, upload.ChecksumType, upload.Initiator,
        upload.Acl));

    public MultipartPartRecord? PutPart(MultipartPartRecord part)
    {
        var previous = ReadOne(Command(
                $"SELECT {UploadRows.PartColumns} FROM multipart_parts WHERE bucket_id = $1 AND upload_id = $2 AND part_number = $3 FOR UPDATE",
                part.BucketId, part.UploadId, part.PartNumber),
            UploadRows.ReadPart);
        NonQuery(Command(
            "INSERT INTO multipart_parts (bucket_id, upload_id, part_number, size, etag, crc64, blob_id, last_modified, record_format, blob_key, " +
            "checksum) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (bucket_id, upload_id, part_number) DO UPDATE SET " +
            "size = excluded.size, etag = excluded.etag, crc64 = excluded.crc64, blob_id = excluded.blob_id, last_modified = excluded.last_modified, " +
            "record_format = excluded.record_format, blob_key = excluded.blob_key, checksum = excluded.checksum",
            part.BucketId, part.UploadId, part.PartNumber, part.Size, part.ETag, part.Crc64 is { } crc ? unchecked((long)crc) : null, part.BlobId,
            part.LastModified.ToUnixTimeMilliseconds(), (short)PostgresMetadataStore.RecordFormat, part.WrappedKey, part.Checksum));
        return previous;
    }

    public void Delete(long bucketId, string uploadId)
    {
        NonQuery(Command("DELETE FROM multipart_parts WHERE bucket_id = $1 AND upload_id = $2", bucketId, uploadId));
        NonQuery(Command("DELETE FROM multipart_uploads WHERE bucket_id = $1 AND upload_id = $2", bucketId, uploadId));
    }
}
