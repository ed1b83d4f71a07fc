using System.Data.Common;
using Coffer.Storage.Records;
using static Coffer.Storage.Rows.RowValues;

namespace Coffer.Storage.Rows;

/// <summary>The columns of <c>multipart_uploads</c> and <c>multipart_parts</c> in the order both engines select them, and the records they make.</summary>
public static class UploadRows
{
    public const string Columns =
        "bucket_id, upload_id, key, initiated_at, content_type, storage_class, user_metadata, headers, tags, encryption, kms_key_id, " +
        "checksum_algorithm, initiator, acl, checksum_type";

    public const string PartColumns = "bucket_id, upload_id, part_number, size, etag, crc64, blob_id, last_modified, blob_key, checksum";

    /// <summary>An upload from a row of <see cref="Columns"/>.</summary>
    public static MultipartUploadRecord Read(DbDataReader reader) => new()
    {
        BucketId = reader.GetInt64(0),
        UploadId = reader.GetString(1),
        Key = reader.GetString(2),
        InitiatedAt = Millis(reader, 3),
        ContentType = Text(reader, 4),
        StorageClass = reader.GetString(5),
        UserMetadata = RecordCodec.DecodePairs(Blob(reader, 6)),
        Headers = RecordCodec.DecodePairs(Blob(reader, 7)),
        Tags = RecordCodec.DecodePairs(Blob(reader, 8)),
        Encryption = Text(reader, 9),
        KmsKeyId = Text(reader, 10),
        ChecksumAlgorithm = Text(reader, 11),
        Initiator = Text(reader, 12),
        Acl = Text(reader, 13),
        ChecksumType = Text(reader, 14),
    };

    /// <summary>A part from a row of <see cref="PartColumns"/>; the CRC-64 is stored as the signed integer both engines have.</summary>
    public static MultipartPartRecord ReadPart(DbDataReader reader) => new()
    {
        BucketId = reader.GetInt64(0),
        UploadId = reader.GetString(1),
        PartNumber = reader.GetInt32(2),
        Size = reader.GetInt64(3),
        ETag = reader.GetString(4),
        Crc64 = reader.IsDBNull(5) ? null : unchecked((ulong)reader.GetInt64(5)),
        BlobId = reader.GetString(6),
        LastModified = Millis(reader, 7),
        WrappedKey = Blob(reader, 8),
        Checksum = Text(reader, 9),
    };
}
