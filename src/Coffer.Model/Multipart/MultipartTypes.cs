using Coffer.Model.Objects;

namespace Coffer.Model.Multipart;

public sealed record CreateMultipartUploadRequest
{
    public required string Bucket { get; init; }

    public required string Key { get; init; }

    public string? ContentType { get; init; }

    public string StorageClass { get; init; } = Common.StorageClass.Standard;

    public IReadOnlyList<KeyValuePair<string, string>> UserMetadata { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>The object's encryption (<c>AES256</c> or <c>aws:kms</c>); null takes the bucket's default. Parts are encrypted as they arrive.</summary>
    public string? ServerSideEncryption { get; init; }

    public string? KmsKeyId { get; init; }
}

public sealed record MultipartUploadInfo(
    string Bucket, string Key, string UploadId, DateTimeOffset InitiatedAt, string StorageClass, ObjectEncryption? Encryption = null);

public sealed record UploadPartRequest
{
    public required string Bucket { get; init; }

    public required string Key { get; init; }

    public required string UploadId { get; init; }

    public int PartNumber { get; init; }

    public required Stream Body { get; init; }

    public long? ContentLength { get; init; }

    public byte[]? ContentMd5 { get; init; }
}

/// <param name="Encryption">The upload's encryption, which the part was stored under; set on the answer to an upload only.</param>
public sealed record PartInfo(int PartNumber, long Size, string ETag, ulong? Crc64, DateTimeOffset LastModified, ObjectEncryption? Encryption = null);

/// <summary>A part as the client lists it when completing: its number and the ETag it got back.</summary>
public sealed record CompletedPart(int PartNumber, string ETag);

public sealed record CompleteMultipartUploadRequest
{
    public required string Bucket { get; init; }

    public required string Key { get; init; }

    public required string UploadId { get; init; }

    public required IReadOnlyList<CompletedPart> Parts { get; init; }

    /// <summary>Every part but the last must be at least this big (COS: 1 MiB, S3: 5 MiB).</summary>
    public long MinPartSize { get; init; } = MultipartLimits.CosMinPartSize;
}

public static class MultipartLimits
{
    public const int MaxPartNumber = 10_000;
    public const long CosMinPartSize = 1L << 20;
    public const long S3MinPartSize = 5L << 20;
    public const long MaxPartSize = 5L << 30;
}

public sealed record ListPartsPage(
    MultipartUploadInfo Upload,
    IReadOnlyList<PartInfo> Parts,
    bool IsTruncated,
    int NextPartNumberMarker);

public sealed record ListUploadsQuery
{
    public string Prefix { get; init; } = "";

    public string? Delimiter { get; init; }

    public string? KeyMarker { get; init; }

    public string? UploadIdMarker { get; init; }

    public int MaxUploads { get; init; } = 1000;
}

public sealed record ListUploadsPage(
    IReadOnlyList<MultipartUploadInfo> Uploads,
    IReadOnlyList<string> CommonPrefixes,
    bool IsTruncated,
    string? NextKeyMarker,
    string? NextUploadIdMarker);
