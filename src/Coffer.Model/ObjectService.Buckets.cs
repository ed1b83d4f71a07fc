using Coffer.Common;
using Coffer.Model.Buckets;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model;

/// <summary>
/// Buckets: create, look up, list, delete and set versioning, and <see cref="RequireBucket"/>, the lookup every
/// operation on a bucket's objects starts with.
/// </summary>
public sealed partial class ObjectService
{
    public async Task<BucketInfo> CreateBucketAsync(string name, string ownerAppId, string region, CancellationToken cancellationToken = default)
    {
        var now = Now();
        var created = await engine.Metadata.WriteAsync(
            writer => CreateBucket(writer, name, ownerAppId, region, VersioningState.Unversioned, now), cancellationToken);
        return ToInfo(created);
    }

    private static BucketRecord CreateBucket(IMetadataTransaction writer, string name, string ownerAppId, string region, VersioningState versioning,
        DateTimeOffset now)
    {
        var existing = writer.Buckets.Get(name);
        if (existing is not null)
        {
            throw existing.OwnerAppId == ownerAppId
                ? new CofferException(ErrorCode.BucketAlreadyOwnedByYou, "You already own this bucket.")
                : new CofferException(ErrorCode.BucketAlreadyExists, "The requested bucket name is not available.");
        }

        return writer.Buckets.Create(new BucketRecord
        {
            Name = name,
            OwnerAppId = ownerAppId,
            Region = region,
            CreatedAt = now,
            Versioning = versioning,
        });
    }

    public BucketInfo GetBucket(string name)
    {
        using var reader = engine.Metadata.OpenSnapshot();
        return ToInfo(RequireBucket(reader, name));
    }

    public IReadOnlyList<BucketInfo> ListBuckets(string ownerAppId)
    {
        using var reader = engine.Metadata.OpenSnapshot();
        return reader.Buckets.List(ownerAppId).Select(ToInfo).ToArray();
    }

    public Task DeleteBucketAsync(string name, bool discardUploads = false, CancellationToken cancellationToken = default) =>
        engine.CommitAsync(null, writer =>
        {
            var bucket = RequireBucket(writer, name);
            if (writer.Buckets.HasContent(bucket.Id))
            {
                if (writer.Versions.ScanVersions(bucket.Id, "", true, null, null, VersionDetail.Summary).Any())
                {
                    throw new CofferException(ErrorCode.BucketNotEmpty, "The bucket you tried to delete is not empty.");
                }

                if (!discardUploads)
                {
                    throw new CofferException(ErrorCode.BucketNotEmpty,
                        "The bucket you tried to delete has multipart uploads in progress; abort them first.");
                }

                // The uploads go with the bucket, and their parts' blobs are released with them.
                foreach (var upload in writer.Uploads.Scan(bucket.Id, "", true, null, null).ToArray())
                {
                    foreach (var part in writer.Uploads.ScanParts(bucket.Id, upload.UploadId, 0).ToArray())
                    {
                        writer.ReleaseBlobs(LayoutOf(part));
                    }

                    writer.Uploads.Delete(bucket.Id, upload.UploadId);
                }
            }

            // Checked again with the delete: on a shared database, another node may have added something meanwhile.
            return writer.Buckets.DeleteIfEmpty(bucket.Id)
                ? true
                : throw new CofferException(ErrorCode.BucketNotEmpty, "The bucket you tried to delete is not empty.");
        }, cancellationToken);

    public Task SetBucketVersioningAsync(string bucket, BucketVersioning status, CancellationToken cancellationToken = default)
    {
        var state = status switch
        {
            BucketVersioning.Enabled => VersioningState.Enabled,
            BucketVersioning.Suspended => VersioningState.Suspended,
            _ => throw new CofferException(ErrorCode.MalformedXml, "Versioning can be Enabled or Suspended, never turned off again."),
        };
        return engine.Metadata.WriteAsync(writer =>
        {
            var record = RequireBucket(writer, bucket);
            if (state != VersioningState.Enabled && FindObjectLock(writer, record) is not null)
            {
                throw new CofferException(ErrorCode.InvalidBucketState,
                    "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.");
            }

            writer.Buckets.SetVersioning(record.Id, state);
            return true;
        }, cancellationToken);
    }

    private static BucketRecord RequireBucket(IMetadataView reader, string name) =>
        reader.Buckets.Get(name) ?? throw new CofferException(ErrorCode.NoSuchBucket, "The specified bucket does not exist.");

    internal static BucketInfo ToInfo(BucketRecord record) => new(
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
}
