using Coffer.Model.Buckets;
using Coffer.Model.Multipart;
using Coffer.Model.Objects;

namespace Coffer.Model;

/// <summary>
/// The narrow waist between the wire and the engine. Protocol handlers and the inventory engine both go through it.
/// Failures are <see cref="Common.CofferException"/>s carrying the error code the client should see.
/// </summary>
public interface IObjectService
{
    // Buckets

    Task<BucketInfo> CreateBucketAsync(string name, string ownerAppId, string region, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="CreateBucketAsync(string, string, string, CancellationToken)"/>; with object lock, versioning is on from the start.</summary>
    Task<BucketInfo> CreateBucketAsync(string name, string ownerAppId, string region, bool objectLockEnabled, CancellationToken cancellationToken = default);

    /// <summary>The bucket, or NoSuchBucket.</summary>
    BucketInfo GetBucket(string name);

    IReadOnlyList<BucketInfo> ListBuckets(string ownerAppId);

    /// <summary>
    /// Deletes an empty bucket: no versions or delete markers, and no multipart uploads unless
    /// <paramref name="discardUploads"/> (S3's rule), in which case the uploads and their parts go with it. BucketNotEmpty otherwise.
    /// </summary>
    Task DeleteBucketAsync(string name, bool discardUploads = false, CancellationToken cancellationToken = default);

    /// <summary>Turns versioning on or suspends it. Once enabled, a bucket can never be unversioned again.</summary>
    Task SetBucketVersioningAsync(string bucket, BucketVersioning status, CancellationToken cancellationToken = default);

    /// <summary>Sets the encryption that objects written without one of their own get; existing objects stay as they are.</summary>
    Task PutBucketEncryptionAsync(string bucket, BucketEncryption encryption, CancellationToken cancellationToken = default);

    /// <summary>The bucket's default encryption, or NoSuchEncryptionConfiguration.</summary>
    BucketEncryption GetBucketEncryption(string bucket);

    /// <summary>Removes the bucket's default encryption (succeeding when it had none).</summary>
    Task DeleteBucketEncryptionAsync(string bucket, CancellationToken cancellationToken = default);

    // Objects

    /// <summary>Streams the body into the store; the object becomes visible only once its bytes are durable.</summary>
    Task<ObjectInfo> PutObjectAsync(PutObjectRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// The current version (or the given one). A delete marker is returned as one (<see cref="ObjectInfo.IsDeleteMarker"/>)
    /// so the caller can answer in its protocol's terms; no version at all is NoSuchKey, an unknown version NoSuchVersion.
    /// </summary>
    ObjectInfo HeadObject(string bucket, string key, string? versionId = null);

    /// <summary>
    /// HEAD Object as a client asks it: as <see cref="HeadObject(string, string, string?)"/>, and an SSE-C object needs
    /// its <paramref name="customerKey"/> (missing: InvalidRequest, wrong: AccessDenied).
    /// </summary>
    ObjectInfo HeadObject(string bucket, string key, string? versionId, Storage.Encryption.CustomerKey? customerKey);

    /// <summary>
    /// As <see cref="HeadObject(string, string, string?)"/>, with the bytes in <paramref name="range"/> (all of them when
    /// null); an SSE-C object opens with its <paramref name="customerKey"/> only.
    /// </summary>
    ObjectContent GetObject(string bucket, string key, string? versionId, ByteRange? range, Storage.Encryption.CustomerKey? customerKey);

    /// <summary>
    /// As <see cref="GetObject(string, string, string?, ByteRange?, Storage.Encryption.CustomerKey?)"/> with no customer key,
    /// so callers that never hold one (the web console) do not depend on the storage layer's types.
    /// </summary>
    ObjectContent GetObject(string bucket, string key, string? versionId = null, ByteRange? range = null) =>
        GetObject(bucket, key, versionId, range, null);

    /// <summary>
    /// As <see cref="GetObject(string, string, string?, ByteRange?, Storage.Encryption.CustomerKey?)"/>, with the bytes of
    /// one part: part <paramref name="partNumber"/> of a multipart-uploaded object, or the whole of any other object as its
    /// part 1. A part it does not have is InvalidPartNumber.
    /// </summary>
    ObjectContent GetObjectPart(string bucket, string key, string? versionId, int partNumber, Storage.Encryption.CustomerKey? customerKey = null);

    /// <summary>
    /// GetObjectAttributes: the version as <see cref="HeadObject(string, string, string?, Storage.Encryption.CustomerKey?)"/>
    /// finds it, read in the same look-up as its parts after <paramref name="partNumberMarker"/> (at most
    /// <paramref name="maxParts"/>) when <paramref name="withParts"/> asks for them and it was uploaded in parts.
    /// </summary>
    ObjectAttributes GetObjectAttributes(string bucket, string key, string? versionId, Storage.Encryption.CustomerKey? customerKey,
        bool withParts, int partNumberMarker, int maxParts);

    /// <summary>Deletes the object (or one version of it). Deleting what does not exist succeeds.</summary>
    Task<DeleteObjectResult> DeleteObjectAsync(string bucket, string key, string? versionId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="DeleteObjectAsync(string, string, string?, CancellationToken)"/>, for the target's key and version
    /// when its condition holds (PreconditionFailed, or NoSuchKey for If-Match without an object). A version under object
    /// lock is AccessDenied, except one under GOVERNANCE retention when <paramref name="bypassGovernance"/> (the caller
    /// may and asked to).
    /// </summary>
    Task<DeleteObjectResult> DeleteObjectAsync(string bucket, ObjectIdentifier target, bool bypassGovernance, CancellationToken cancellationToken = default);

    /// <summary>Deletes many objects in one transaction; each entry gets its own result, its condition checked as a single delete's.</summary>
    Task<IReadOnlyList<DeleteObjectsEntryResult>> DeleteObjectsAsync(
        string bucket, IReadOnlyList<ObjectIdentifier> objects, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="DeleteObjectsAsync(string, IReadOnlyList{ObjectIdentifier}, CancellationToken)"/>, bypassing GOVERNANCE retention when allowed and asked.</summary>
    Task<IReadOnlyList<DeleteObjectsEntryResult>> DeleteObjectsAsync(
        string bucket, IReadOnlyList<ObjectIdentifier> objects, bool bypassGovernance, CancellationToken cancellationToken = default);

    // Object lock

    /// <summary>Enables object lock on a versioned bucket (InvalidBucketState otherwise) and sets its default retention, or clears it.</summary>
    Task PutObjectLockConfigurationAsync(string bucket, Common.ObjectLock.ObjectLockConfiguration configuration, CancellationToken cancellationToken = default);

    /// <summary>The bucket's object lock, or ObjectLockConfigurationNotFoundError.</summary>
    Common.ObjectLock.ObjectLockConfiguration GetObjectLockConfiguration(string bucket);

    /// <summary>The bucket's object lock; null when it has none.</summary>
    Common.ObjectLock.ObjectLockConfiguration? FindObjectLockConfiguration(string bucket);

    /// <summary>Sets or (no mode) removes a version's retention: COMPLIANCE is never weakened, GOVERNANCE only with <paramref name="bypassGovernance"/>.</summary>
    Task<ObjectInfo> PutObjectRetentionAsync(string bucket, string key, string? versionId, string? mode, DateTimeOffset? retainUntil, bool bypassGovernance,
        CancellationToken cancellationToken = default);

    /// <summary>Puts a legal hold on a version, or lifts it.</summary>
    Task<ObjectInfo> PutObjectLegalHoldAsync(string bucket, string key, string? versionId, bool on, CancellationToken cancellationToken = default);

    /// <summary>Copies an object's bytes into a new object, keeping or replacing its metadata and tags.</summary>
    Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, CancellationToken cancellationToken = default);

    /// <summary>Replaces the tags of the current version (or the given one).</summary>
    Task<ObjectInfo> PutObjectTaggingAsync(
        string bucket, string key, string? versionId, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken = default);

    // Listings

    /// <summary>One page of the bucket's current objects in UTF-8 key order, rolled up at the delimiter.</summary>
    ListObjectsPage ListObjects(string bucket, ListObjectsQuery query);

    /// <summary>One page of every version and delete marker, keys in UTF-8 order, newest version first.</summary>
    ListVersionsPage ListObjectVersions(string bucket, ListVersionsQuery query);

    /// <summary>
    /// Streams the bucket as it is at the first step of the enumeration: one read snapshot, held until the enumeration
    /// is disposed, so writes during a long walk neither appear in it nor tear it. Keys in UTF-8 order, newest version first.
    /// </summary>
    IEnumerable<ObjectInfo> Walk(string bucket, WalkOptions options);

    /// <summary>
    /// The rows of <see cref="Walk"/> read in place, as spans, from a snapshot opened now and held until the reader is
    /// disposed (tags, metadata and headers are not read). Every engine answers; only where <see cref="ReadsRowsInPlace"/>
    /// is it cheaper than <see cref="Walk"/>.
    /// </summary>
    ObjectRowReader ReadRows(string bucket, WalkOptions options);

    /// <summary>Whether the engine reads <see cref="ReadRows"/> in place (SQLite) rather than from decoded records.</summary>
    bool ReadsRowsInPlace { get; }

    // Multipart uploads

    Task<MultipartUploadInfo> CreateMultipartUploadAsync(CreateMultipartUploadRequest request, CancellationToken cancellationToken = default);

    Task<PartInfo> UploadPartAsync(UploadPartRequest request, CancellationToken cancellationToken = default);

    /// <summary>Stores a part copied from another object's bytes (a range of them, or all), streamed on the server.</summary>
    Task<CopiedPart> UploadPartCopyAsync(UploadPartCopyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Assembles the listed parts into the object; parts not listed are discarded.</summary>
    Task<ObjectInfo> CompleteMultipartUploadAsync(CompleteMultipartUploadRequest request, CancellationToken cancellationToken = default);

    Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken = default);

    /// <summary>The upload's parts; <paramref name="customerKey"/>, optional, must be the key of an SSE-C upload when given.</summary>
    ListPartsPage ListParts(string bucket, string key, string uploadId, int partNumberMarker, int maxParts,
        Storage.Encryption.CustomerKey? customerKey = null);

    ListUploadsPage ListMultipartUploads(string bucket, ListUploadsQuery query);
}

public sealed record DeleteObjectResult(string? VersionId, bool IsDeleteMarker);

/// <summary>A key and, optionally, one version of it.</summary>
public sealed record ObjectIdentifier(string Key, string? VersionId)
{
    /// <summary>For a delete: what the object it removes must match.</summary>
    public Objects.DeleteCondition Condition { get; init; } = Objects.DeleteCondition.None;
}

/// <summary>The outcome for one entry of a batch delete: a result, or the error it met.</summary>
public sealed record DeleteObjectsEntryResult(ObjectIdentifier Object, DeleteObjectResult? Result, Common.CofferException? Error);
