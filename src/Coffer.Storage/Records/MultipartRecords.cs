namespace Coffer.Storage.Records;

/// <summary>A multipart upload in progress: what the object will be once completed.</summary>
public sealed record MultipartUploadRecord
{
    public long BucketId { get; init; }

    public required string UploadId { get; init; }

    public required string Key { get; init; }

    public DateTimeOffset InitiatedAt { get; init; }

    public string? ContentType { get; init; }

    public string StorageClass { get; init; } = Common.StorageClass.Standard;

    public IReadOnlyList<KeyValuePair<string, string>> UserMetadata { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>Encryption of the object to be (<c>AES256</c> or <c>aws:kms</c>); its parts are encrypted when set.</summary>
    public string? Encryption { get; init; }

    public string? KmsKeyId { get; init; }

    /// <summary>The flexible checksum every part carries (<c>CRC32</c>, <c>CRC32C</c>, <c>SHA1</c>, <c>SHA256</c>, <c>CRC64NVME</c>); null for none.</summary>
    public string? ChecksumAlgorithm { get; init; }

    /// <summary>How the object's checksum is made of the parts': <c>COMPOSITE</c> or <c>FULL_OBJECT</c>; null without an algorithm.</summary>
    public string? ChecksumType { get; init; }

    /// <summary>Who initiated the upload, as a CAM principal (<c>qcs::cam::uin/&lt;root&gt;:uin/&lt;uin&gt;</c>); null when anonymous.</summary>
    public string? Initiator { get; init; }

    /// <summary>The object's own canned ACL once completed (<c>private</c>); null when it follows its bucket's.</summary>
    public string? Acl { get; init; }
}

/// <summary>One uploaded part; uploading the same number again replaces it.</summary>
public sealed record MultipartPartRecord
{
    public long BucketId { get; init; }

    public required string UploadId { get; init; }

    public int PartNumber { get; init; }

    public long Size { get; init; }

    /// <summary>Hex MD5 of the part, without quotes.</summary>
    public required string ETag { get; init; }

    public ulong? Crc64 { get; init; }

    public required string BlobId { get; init; }

    /// <summary>The blob's data key wrapped by the master key, when the part is encrypted.</summary>
    public byte[]? WrappedKey { get; init; }

    public DateTimeOffset LastModified { get; init; }

    /// <summary>The part's checksum (base64) in its upload's <see cref="MultipartUploadRecord.ChecksumAlgorithm"/>; null when it has none.</summary>
    public string? Checksum { get; init; }
}
