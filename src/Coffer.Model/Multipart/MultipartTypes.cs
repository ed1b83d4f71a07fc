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

    /// <summary>The customer-provided key (SSE-C) every part is then encrypted with; every part must carry it again.</summary>
    public Storage.Encryption.CustomerKey? CustomerKey { get; init; }

    /// <summary>The flexible checksum every part must carry (one of <see cref="MultipartChecksum.Algorithms"/>); null for none.</summary>
    public string? ChecksumAlgorithm { get; init; }

    /// <summary>How the object's checksum is made of the parts' (<see cref="MultipartChecksum.Composite"/> or <see cref="MultipartChecksum.FullObject"/>).</summary>
    public string? ChecksumType { get; init; }

    /// <summary>Who initiates the upload, as a CAM principal; null when anonymous.</summary>
    public string? Initiator { get; init; }

    /// <summary>The object's own canned ACL (<c>private</c>); null to follow its bucket's.</summary>
    public string? Acl { get; init; }

    /// <summary>The retention and legal hold the object gets once completed (object lock headers); none by default.</summary>
    public Common.ObjectLock.ObjectLockRequest Lock { get; init; } = Common.ObjectLock.ObjectLockRequest.None;
}

/// <param name="ChecksumAlgorithm">The parts' flexible checksum (<c>CRC32</c>...), when the upload was initiated with one.</param>
/// <param name="ChecksumType">With <paramref name="ChecksumAlgorithm"/>: <c>COMPOSITE</c> or <c>FULL_OBJECT</c>.</param>
/// <param name="Initiator">The CAM principal that initiated the upload; null when anonymous (or recorded before it was kept).</param>
/// <param name="Acl">The ACL the object gets, as <see cref="Access.AclCodec"/> stores it (its owner is the object's); null to follow the bucket's.</param>
public sealed record MultipartUploadInfo(
    string Bucket,
    string Key,
    string UploadId,
    DateTimeOffset InitiatedAt,
    string StorageClass,
    ObjectEncryption? Encryption = null,
    string? ChecksumAlgorithm = null,
    string? Initiator = null,
    string? ChecksumType = null,
    string? Acl = null);

public sealed record UploadPartRequest
{
    public required string Bucket { get; init; }

    public required string Key { get; init; }

    public required string UploadId { get; init; }

    public int PartNumber { get; init; }

    public required Stream Body { get; init; }

    public long? ContentLength { get; init; }

    public byte[]? ContentMd5 { get; init; }

    /// <summary>The upload's customer-provided key, when it was initiated with one (SSE-C).</summary>
    public Storage.Encryption.CustomerKey? CustomerKey { get; init; }

    /// <summary>The flexible checksum the body was verified against (header name and base64 value), known once it is read.</summary>
    public Func<KeyValuePair<string, string>?>? ChecksumAfterBody { get; init; }
}

/// <summary>
/// UploadPartCopy: part <see cref="PartNumber"/> of an upload is a range of another object (or all of it), copied on
/// the server.
/// </summary>
public sealed record UploadPartCopyRequest
{
    public required string Bucket { get; init; }

    public required string Key { get; init; }

    public required string UploadId { get; init; }

    public int PartNumber { get; init; }

    public required string SourceBucket { get; init; }

    public required string SourceKey { get; init; }

    public string? SourceVersionId { get; init; }

    /// <summary>The first and last byte to copy (<c>x-amz-copy-source-range: bytes=first-last</c>); null copies the whole source.</summary>
    public (long First, long Last)? SourceRange { get; init; }

    /// <summary>Conditions on the source; any miss is PreconditionFailed.</summary>
    public Preconditions SourceCondition { get; init; } = Preconditions.None;

    /// <summary>The upload's customer-provided key, when it was initiated with one (SSE-C).</summary>
    public Storage.Encryption.CustomerKey? CustomerKey { get; init; }

    /// <summary>The key the source was written with, when it is an SSE-C object.</summary>
    public Storage.Encryption.CustomerKey? SourceCustomerKey { get; init; }
}

/// <param name="SourceVersionId">The version the part was copied from ("null" when it has no real id).</param>
/// <param name="ChecksumAlgorithm">The upload's checksum algorithm, which <see cref="PartInfo.Checksum"/> is in; null for none.</param>
public sealed record CopiedPart(PartInfo Part, string SourceVersionId, string? ChecksumAlgorithm);

/// <param name="Encryption">The upload's encryption, which the part was stored under; set on the answer to an upload only.</param>
/// <param name="Checksum">The part's checksum (base64) in its upload's checksum algorithm, when the upload has one.</param>
public sealed record PartInfo(
    int PartNumber, long Size, string ETag, ulong? Crc64, DateTimeOffset LastModified, ObjectEncryption? Encryption = null, string? Checksum = null);

/// <summary>A part as the client lists it when completing: its number, the ETag it got back and, optionally, its checksum.</summary>
public sealed record CompletedPart(int PartNumber, string ETag, string? Checksum = null);

public sealed record CompleteMultipartUploadRequest
{
    public required string Bucket { get; init; }

    public required string Key { get; init; }

    public required string UploadId { get; init; }

    public required IReadOnlyList<CompletedPart> Parts { get; init; }

    /// <summary>Every part but the last must be at least this big (COS: 1 MiB, S3: 5 MiB).</summary>
    public long MinPartSize { get; init; } = MultipartLimits.CosMinPartSize;

    /// <summary>If-Match / If-None-Match on the object the completion would replace, checked atomically with it.</summary>
    public Preconditions Condition { get; init; } = Preconditions.None;

    /// <summary>What the client says the object will be; a first completion that makes another object fails.</summary>
    public ExpectedObject Expected { get; init; } = ExpectedObject.None;

    /// <summary>The SSE-C upload's key, optional on a completion: when given it must be the upload's.</summary>
    public Storage.Encryption.CustomerKey? CustomerKey { get; init; }
}

/// <summary>
/// S3's checks on the object a completion makes: its checksum (<c>x-amz-checksum-crc32</c>, ...: the object's, not the
/// request body's; BadDigest), its checksum type (<c>x-amz-checksum-type</c>; BadDigest) and its size
/// (<c>x-amz-mp-object-size</c>; InvalidRequest).
/// </summary>
/// <param name="ChecksumHeader">The checksum's header name in lower case, with <paramref name="Checksum"/>.</param>
public sealed record ExpectedObject(string? ChecksumHeader, string? Checksum, string? ChecksumType, long? Size)
{
    public static ExpectedObject None { get; } = new(null, null, null, null);
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
