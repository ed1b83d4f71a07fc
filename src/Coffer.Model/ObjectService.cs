using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Model.Buckets;
using Coffer.Model.Objects;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model;

/// <summary>Object-store semantics over the <see cref="StorageEngine"/>.</summary>
public sealed class ObjectService(StorageEngine engine, TimeProvider time) : IObjectService
{
    /// <summary>The largest object a single PUT may carry (5 GiB, as COS and S3).</summary>
    public const long MaxSinglePutSize = 5L * 1024 * 1024 * 1024;

    public async Task<BucketInfo> CreateBucketAsync(string name, string ownerAppId, string region, CancellationToken cancellationToken = default)
    {
        var record = new BucketRecord
        {
            Name = name,
            OwnerAppId = ownerAppId,
            Region = region,
            CreatedAt = Now(),
            Versioning = VersioningState.Unversioned,
        };
        var created = await engine.Metadata.WriteAsync(writer =>
        {
            var existing = writer.GetBucket(name);
            if (existing is not null)
            {
                throw existing.OwnerAppId == ownerAppId
                    ? new CofferException(ErrorCode.BucketAlreadyOwnedByYou, "You already own this bucket.")
                    : new CofferException(ErrorCode.BucketAlreadyExists, "The requested bucket name is not available.");
            }

            return writer.CreateBucket(record);
        }, cancellationToken);
        return ToInfo(created);
    }

    public BucketInfo GetBucket(string name)
    {
        using var reader = engine.Metadata.OpenReader();
        return ToInfo(RequireBucket(reader, name));
    }

    public IReadOnlyList<BucketInfo> ListBuckets(string ownerAppId)
    {
        using var reader = engine.Metadata.OpenReader();
        return reader.ListBuckets(ownerAppId).Select(ToInfo).ToArray();
    }

    public Task DeleteBucketAsync(string name, CancellationToken cancellationToken = default) =>
        engine.Metadata.WriteAsync(writer =>
        {
            var bucket = RequireBucket(writer, name);
            if (writer.HasObjects(bucket.Id))
            {
                throw new CofferException(ErrorCode.BucketNotEmpty, "The bucket you tried to delete is not empty.");
            }

            writer.DeleteBucket(bucket.Id);
            return true;
        }, cancellationToken);

    public async Task<ObjectInfo> PutObjectAsync(PutObjectRequest request, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(request.Key);
        GetBucket(request.Bucket);
        if (request.ContentLength > MaxSinglePutSize)
        {
            throw new CofferException(ErrorCode.EntityTooLarge, $"A single PUT may carry at most {MaxSinglePutSize} bytes.");
        }

        using var staged = await engine.Blobs.StageAsync(request.Body, request.ContentLength, MaxSinglePutSize, cancellationToken);
        if (request.ContentMd5 is { } expectedMd5 && !CryptographicOperations.FixedTimeEquals(expectedMd5, staged.Md5))
        {
            throw new CofferException(ErrorCode.BadDigest, "The Content-MD5 you specified did not match what was received.");
        }

        var now = Now();
        var version = new ObjectVersionRecord
        {
            Key = request.Key,
            VersionId = ObjectVersionRecord.NullVersionId,
            IsLatest = true,
            Size = staged.Length,
            ETag = Hex.Lower(staged.Md5),
            Crc64 = staged.Crc64,
            ContentType = request.ContentType,
            StorageClass = request.StorageClass,
            CreatedAt = now,
            LastModified = now,
            Layout = BlobLayout.Single(staged.BlobId, staged.Length),
            UserMetadata = request.UserMetadata,
            Headers = request.Headers,
            Tags = request.Tags,
        };
        var stored = await engine.CommitAsync(staged, writer => AddVersion(writer, request.Bucket, version, now), cancellationToken);
        return ToInfo(request.Bucket, stored);
    }

    public ObjectInfo HeadObject(string bucket, string key, string? versionId = null)
    {
        using var reader = engine.Metadata.OpenReader();
        return ToInfo(bucket, RequireVersion(reader, bucket, key, versionId));
    }

    public ObjectContent GetObject(string bucket, string key, string? versionId = null, ByteRange? range = null)
    {
        using var reader = engine.Metadata.OpenReader();
        var version = RequireVersion(reader, bucket, key, versionId);
        var (offset, length) = range is { } r ? r.Resolve(version.Size) : (0, version.Size);
        var layout = version.Layout;
        return new ObjectContent(ToInfo(bucket, version), offset, length, () => engine.Blobs.OpenRead(layout, offset, length));
    }

    public async Task<DeleteObjectResult> DeleteObjectAsync(string bucket, string key, string? versionId = null, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        var now = Now();
        return await engine.CommitAsync(null, writer =>
        {
            var record = RequireBucket(writer, bucket);
            if (versionId is not null)
            {
                return DeleteVersion(writer, record.Id, key, versionId);
            }

            if (record.Versioning == VersioningState.Unversioned)
            {
                DeleteVersion(writer, record.Id, key, ObjectVersionRecord.NullVersionId);
                return new DeleteObjectResult(null, false);
            }

            var marker = AddVersion(writer, bucket, new ObjectVersionRecord
            {
                Key = key,
                VersionId = ObjectVersionRecord.NullVersionId,
                IsLatest = true,
                IsDeleteMarker = true,
                CreatedAt = now,
                LastModified = now,
            }, now);
            return new DeleteObjectResult(marker.VersionId, true);
        }, cancellationToken);
    }

    public ListObjectsPage ListObjects(string bucket, ListObjectsQuery query)
    {
        using var reader = engine.Metadata.OpenReader();
        var bucketId = RequireBucket(reader, bucket).Id;
        return new ObjectLister(reader, bucketId, query).List(version => ToInfo(bucket, version));
    }

    /// <summary>
    /// Makes <paramref name="version"/> the latest version of its key. With versioning enabled it gets a fresh id and
    /// the previous versions stay; otherwise it is the "null" version and replaces any earlier "null" version.
    /// </summary>
    private static ObjectVersionRecord AddVersion(IMetadataWriter writer, string bucketName, ObjectVersionRecord version, DateTimeOffset now)
    {
        var bucket = RequireBucket(writer, bucketName);
        var enabled = bucket.Versioning == VersioningState.Enabled;
        if (!enabled && writer.GetVersion(bucket.Id, version.Key, ObjectVersionRecord.NullVersionId) is { } previousNull)
        {
            writer.DeleteVersion(bucket.Id, previousNull.Key, previousNull.Sequence);
            writer.ReleaseBlobs(previousNull.Layout);
        }

        if (writer.GetLatestVersion(bucket.Id, version.Key) is { IsLatest: true } previousLatest)
        {
            writer.SetLatest(bucket.Id, previousLatest.Key, previousLatest.Sequence, false);
        }

        return writer.InsertVersion(version with
        {
            BucketId = bucket.Id,
            VersionId = enabled ? VersionIds.New(now) : ObjectVersionRecord.NullVersionId,
            IsLatest = true,
        });
    }

    private static DeleteObjectResult DeleteVersion(IMetadataWriter writer, long bucketId, string key, string versionId)
    {
        var version = writer.GetVersion(bucketId, key, versionId);
        if (version is null)
        {
            return new DeleteObjectResult(versionId, false);
        }

        writer.DeleteVersion(bucketId, key, version.Sequence);
        writer.ReleaseBlobs(version.Layout);
        if (version.IsLatest && writer.GetLatestVersion(bucketId, key) is { } next)
        {
            writer.SetLatest(bucketId, key, next.Sequence, true);
        }

        return new DeleteObjectResult(versionId, version.IsDeleteMarker);
    }

    private static BucketRecord RequireBucket(IMetadataReader reader, string name) =>
        reader.GetBucket(name) ?? throw new CofferException(ErrorCode.NoSuchBucket, "The specified bucket does not exist.");

    private static ObjectVersionRecord RequireVersion(IMetadataReader reader, string bucket, string key, string? versionId)
    {
        ObjectKey.Validate(key);
        var bucketId = RequireBucket(reader, bucket).Id;
        var version = versionId is null ? reader.GetLatestVersion(bucketId, key) : reader.GetVersion(bucketId, key, versionId);
        if (version is null || (versionId is null && version.IsDeleteMarker))
        {
            throw new CofferException(ErrorCode.NoSuchKey, "The specified key does not exist.");
        }

        return version;
    }

    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());

    private static BucketInfo ToInfo(BucketRecord record) => new(
        record.Name,
        record.OwnerAppId,
        record.Region,
        record.CreatedAt,
        record.Versioning switch
        {
            VersioningState.Enabled => BucketVersioning.Enabled,
            VersioningState.Suspended => BucketVersioning.Suspended,
            _ => BucketVersioning.Unversioned,
        });

    internal static ObjectInfo ToInfo(string bucket, ObjectVersionRecord version) => new()
    {
        Bucket = bucket,
        Key = version.Key,
        VersionId = version.VersionId,
        IsLatest = version.IsLatest,
        IsDeleteMarker = version.IsDeleteMarker,
        Size = version.Size,
        ETag = version.ETag,
        Crc64 = version.Crc64,
        ContentType = version.ContentType,
        StorageClass = version.StorageClass,
        IsMultipartUploaded = version.IsMultipartUploaded,
        CreatedAt = version.CreatedAt,
        LastModified = version.LastModified,
        UserMetadata = version.UserMetadata,
        Headers = version.Headers,
        Tags = version.Tags,
        ReplicationStatus = version.ReplicationStatus,
        Encryption = version.Encryption,
    };
}
