using Coffer.Model.Buckets;
using Coffer.Model.Objects;

namespace Coffer.Model;

/// <summary>
/// The narrow waist between the wire and the engine. Protocol handlers and the inventory engine both go through it.
/// Failures are <see cref="Common.CofferException"/>s carrying the error code the client should see.
/// </summary>
public interface IObjectService
{
    Task<BucketInfo> CreateBucketAsync(string name, string ownerAppId, string region, CancellationToken cancellationToken = default);

    /// <summary>The bucket, or NoSuchBucket.</summary>
    BucketInfo GetBucket(string name);

    IReadOnlyList<BucketInfo> ListBuckets(string ownerAppId);

    /// <summary>Deletes an empty bucket; BucketNotEmpty otherwise.</summary>
    Task DeleteBucketAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Streams the body into the store; the object becomes visible only once its bytes are durable.</summary>
    Task<ObjectInfo> PutObjectAsync(PutObjectRequest request, CancellationToken cancellationToken = default);

    /// <summary>The object's current version (or the given version), or NoSuchKey.</summary>
    ObjectInfo HeadObject(string bucket, string key, string? versionId = null);

    /// <summary>The object and its bytes in <paramref name="range"/> (all of them when null).</summary>
    ObjectContent GetObject(string bucket, string key, string? versionId = null, ByteRange? range = null);

    /// <summary>Deletes the object (or one version of it). Deleting what does not exist succeeds.</summary>
    Task<DeleteObjectResult> DeleteObjectAsync(string bucket, string key, string? versionId = null, CancellationToken cancellationToken = default);

    /// <summary>One page of the bucket's current objects in UTF-8 key order, rolled up at the delimiter.</summary>
    ListObjectsPage ListObjects(string bucket, ListObjectsQuery query);
}

public sealed record DeleteObjectResult(string? VersionId, bool IsDeleteMarker);
