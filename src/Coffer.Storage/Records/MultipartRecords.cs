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
}
