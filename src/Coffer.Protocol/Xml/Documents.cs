namespace Coffer.Protocol.Xml;

/// <summary>The <c>&lt;Error&gt;</c> body; COS clients need all five elements, non-empty.</summary>
public sealed record ErrorDocument(string Code, string Message, string Resource, string RequestId, string TraceId)
{
    /// <summary>Elements written after Message, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Details { get; init; } = [];
}

public sealed record BucketEntry(string Name, string Location, DateTimeOffset CreationDate);

/// <summary>GET Service; S3's paged form adds the token of the next page (null on the last) and echoes the prefix asked for.</summary>
public sealed record ListAllMyBucketsDocument(string OwnerId, string OwnerDisplayName, IReadOnlyList<BucketEntry> Buckets,
    string? ContinuationToken = null, string? Prefix = null);

/// <summary>One object of a listing; S3 names the algorithm and type of its checksum, when it has one.</summary>
public sealed record ObjectEntry(string Key, DateTimeOffset LastModified, string ETag, long Size, string OwnerId, string StorageClass,
    string? ChecksumAlgorithm = null, string? ChecksumType = null);

/// <summary>GET Bucket (List Objects, version 1). Keys and prefixes are written URL-encoded when <see cref="EncodingType"/> is "url".</summary>
public sealed record ListBucketDocument(
    string Name,
    string Prefix,
    string Marker,
    int MaxKeys,
    string? Delimiter,
    string? EncodingType,
    bool IsTruncated,
    string? NextMarker,
    IReadOnlyList<string> CommonPrefixes,
    IReadOnlyList<ObjectEntry> Contents);

public sealed record VersionEntry(
    string Key,
    string VersionId,
    bool IsLatest,
    bool IsDeleteMarker,
    DateTimeOffset LastModified,
    string ETag,
    long Size,
    string StorageClass,
    string OwnerId,
    string? ChecksumAlgorithm = null,
    string? ChecksumType = null);

/// <summary>GET Bucket Object versions. Entries are Version or DeleteMarker elements, in listing order.</summary>
public sealed record ListVersionsDocument(
    string Name,
    string Prefix,
    string KeyMarker,
    string VersionIdMarker,
    int MaxKeys,
    string? Delimiter,
    string? EncodingType,
    bool IsTruncated,
    string? NextKeyMarker,
    string? NextVersionIdMarker,
    IReadOnlyList<string> CommonPrefixes,
    IReadOnlyList<VersionEntry> Versions);

/// <summary>ListObjectsV2. Owners appear only when <see cref="FetchOwner"/> is set.</summary>
public sealed record ListBucketV2Document(
    string Name,
    string Prefix,
    string? Delimiter,
    int MaxKeys,
    string? EncodingType,
    bool IsTruncated,
    string? ContinuationToken,
    string? NextContinuationToken,
    string? StartAfter,
    bool FetchOwner,
    IReadOnlyList<string> CommonPrefixes,
    IReadOnlyList<ObjectEntry> Contents);

public sealed record TaggingDocument(IReadOnlyList<KeyValuePair<string, string>> Tags);

/// <summary>
/// PUT / GET Bucket encryption: <c>ServerSideEncryptionConfiguration/Rule/ApplyServerSideEncryptionByDefault</c> with the
/// algorithm as the dialect names it (COS <c>AES256</c> | <c>KMS</c>, S3 <c>AES256</c> | <c>aws:kms</c>).
/// </summary>
/// <param name="BucketKeyEnabled">S3 only; null when the request did not say.</param>
public sealed record EncryptionConfigurationDocument(string Algorithm, string? KmsMasterKeyId, bool? BucketKeyEnabled);

/// <summary>GET Bucket versioning; <see cref="Status"/> is null for a bucket that never had versioning.</summary>
public sealed record VersioningDocument(string? Status);

public sealed record LocationDocument(string Region);

public sealed record InitiateMultipartUploadDocument(string Bucket, string Key, string UploadId);

/// <param name="ChecksumAlgorithm">The algorithm of the object's checksum (<c>CRC32</c>...), with <paramref name="Checksum"/>; S3 only.</param>
/// <param name="ChecksumType"><c>COMPOSITE</c> or <c>FULL_OBJECT</c>, with <paramref name="Checksum"/>.</param>
public sealed record CompleteMultipartUploadDocument(
    string Location, string Bucket, string Key, string ETag, string? ChecksumAlgorithm = null, string? Checksum = null, string? ChecksumType = null);

/// <param name="Checksum">The part's checksum in the upload's algorithm, when it has one.</param>
public sealed record PartEntry(int PartNumber, DateTimeOffset LastModified, string ETag, long Size, string? Checksum = null);

/// <param name="InitiatorId">Who initiated the upload, in the dialect's terms (COS: the CAM principal; S3: the uin).</param>
/// <param name="ChecksumAlgorithm">The algorithm the upload was initiated with (<c>CRC32</c>...); S3 only.</param>
/// <param name="ChecksumType">With <paramref name="ChecksumAlgorithm"/>: <c>COMPOSITE</c> or <c>FULL_OBJECT</c>.</param>
public sealed record ListPartsDocument(
    string Bucket,
    string Key,
    string UploadId,
    string OwnerId,
    string StorageClass,
    int PartNumberMarker,
    int NextPartNumberMarker,
    int MaxParts,
    bool IsTruncated,
    IReadOnlyList<PartEntry> Parts,
    string InitiatorId,
    string InitiatorName,
    string? ChecksumAlgorithm = null,
    string? ChecksumType = null);

public sealed record UploadEntry(
    string Key, string UploadId, string OwnerId, string StorageClass, DateTimeOffset Initiated, string InitiatorId, string InitiatorName,
    string? ChecksumAlgorithm = null, string? ChecksumType = null);

public sealed record ListUploadsDocument(
    string Bucket,
    string? EncodingType,
    string KeyMarker,
    string UploadIdMarker,
    string? NextKeyMarker,
    string? NextUploadIdMarker,
    string Prefix,
    string? Delimiter,
    int MaxUploads,
    bool IsTruncated,
    IReadOnlyList<UploadEntry> Uploads,
    IReadOnlyList<string> CommonPrefixes);

/// <summary>Upload Part - Copy: the part's ETag and time, and in S3 its checksum in the upload's algorithm.</summary>
public sealed record CopyPartDocument(string ETag, DateTimeOffset LastModified, string? ChecksumAlgorithm = null, string? Checksum = null);

/// <summary>PUT Object - Copy; COS adds the copy's CRC-64, S3 the copy's flexible checksum (of all of it) when it has one.</summary>
public sealed record CopyObjectDocument(string ETag, DateTimeOffset LastModified, ulong? Crc64, string? ChecksumAlgorithm = null, string? Checksum = null);

public sealed record DeletedEntry(string Key, string? VersionId, bool DeleteMarker, string? DeleteMarkerVersionId);

public sealed record DeleteErrorEntry(string Key, string? VersionId, string Code, string Message);

public sealed record DeleteResultDocument(IReadOnlyList<DeletedEntry> Deleted, IReadOnlyList<DeleteErrorEntry> Errors);

/// <summary>
/// GetObjectAttributes: the attributes asked for, each null when not asked for (or, for the checksum, when the object
/// has none). <see cref="Parts"/> is set for a multipart-uploaded object.
/// </summary>
public sealed record ObjectAttributesDocument(
    string? ETag,
    IReadOnlyList<KeyValuePair<string, string>>? Checksum,
    ObjectPartsDocument? Parts,
    string? StorageClass,
    long? ObjectSize);

/// <summary>GetObjectAttributes' <c>ObjectParts</c>: the part count and a page of the parts after the marker.</summary>
/// <param name="ChecksumAlgorithm">The parts' checksum algorithm (<c>SHA256</c>, ...), naming each part's checksum element.</param>
public sealed record ObjectPartsDocument(int PartsCount, int PartNumberMarker, int NextPartNumberMarker, int MaxParts, bool IsTruncated,
    IReadOnlyList<ObjectPartEntry> Parts, string? ChecksumAlgorithm);

/// <param name="Checksum">The part's checksum (base64) in the upload's algorithm; null when it has none.</param>
public sealed record ObjectPartEntry(int PartNumber, long Size, string? Checksum);

/// <summary>POST Object's answer to <c>success_action_status=201</c>: where the object is, and its quoted ETag.</summary>
public sealed record PostResponseDocument(string Location, string Bucket, string Key, string ETag);
