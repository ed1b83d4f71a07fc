using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Model.Notifications;
using Coffer.Model.Objects;
using Coffer.Storage;
using Coffer.Storage.Blobs;
using Coffer.Storage.Records;

namespace Coffer.Model;

/// <summary>
/// Object-store semantics over the <see cref="StorageEngine"/>: buckets and the objects in them. This file writes,
/// deletes, tags and lists objects; the bucket operations and each feature have a partial file of their own
/// (<c>ObjectService.Buckets.cs</c>, <c>ObjectService.Multipart.cs</c>, ...).
/// </summary>
public sealed partial class ObjectService(StorageEngine engine, TimeProvider time, ObjectEvents? events = null) : IObjectService
{
    /// <summary>The largest object a single PUT may carry (5 GiB, as COS and S3).</summary>
    public const long MaxSinglePutSize = 5L * 1024 * 1024 * 1024;

    public async Task<ObjectInfo> PutObjectAsync(PutObjectRequest request, CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidateNew(request.Key);
        ObjectTags.Validate(request.Tags);
        if (!request.Lock.IsEmpty)
        {
            CheckLockRequest(request.Lock);
        }

        var encryption = request.CustomerKey is { } customerKey
            ? ObjectEncryption.ForCustomer(customerKey)
            : EncryptionFor(request.Bucket, request.ServerSideEncryption, request.KmsKeyId, request.BucketRules);
        if (!request.Condition.IsEmpty)
        {
            // Checked early so a doomed upload is not streamed, and again in the commit, where it counts.
            using var reader = engine.Metadata.OpenSnapshot();
            CheckWrite(reader, request.Bucket, request.Key, request.Condition);
        }

        if (request.ContentLength > MaxSinglePutSize)
        {
            throw new CofferException(ErrorCode.EntityTooLarge, $"A single PUT may carry at most {MaxSinglePutSize} bytes.");
        }

        using var staged = await engine.Blobs.StageAsync(request.Body, request.ContentLength, MaxSinglePutSize, encryption is not null, cancellationToken,
            inline: true, request.CustomerKey);
        CheckMd5(request.ContentMd5, staged);
        var now = Now();
        var version = new ObjectVersionRecord
        {
            Key = request.Key,
            VersionId = ObjectVersionRecord.NullVersionId,
            Size = staged.Length,
            ETag = ETagOf(staged, request.CustomerKey),
            Crc64 = staged.Crc64,
            ContentType = request.ContentType,
            StorageClass = request.StorageClass,
            CreatedAt = now,
            LastModified = now,
            Layout = LayoutOf(staged),
            UserMetadata = request.UserMetadata,
            Headers = request.HeadersAfterBody is { } late ? [.. request.Headers, .. late()] : request.Headers,
            Tags = request.Tags,
            Encryption = encryption?.Algorithm,
            KmsKeyId = encryption?.KmsKeyId,
            Acl = request.Acl,
        };
        version = WithLock(version, request.Lock);
        var stored = await engine.CommitAsync(staged, writer =>
        {
            // The one writer runs every commit in turn: an unconditional PUT does not look up the object it replaces twice.
            if (!request.Condition.IsEmpty)
            {
                CheckWrite(writer, request.Bucket, request.Key, request.Condition);
            }

            return AddVersion(writer, request.Bucket, version, now, NotificationEvents.Put);
        }, cancellationToken);
        return ToInfo(request.Bucket, stored);
    }

    public Task<DeleteObjectResult> DeleteObjectAsync(string bucket, string key, string? versionId = null, CancellationToken cancellationToken = default) =>
        DeleteObjectAsync(bucket, new ObjectIdentifier(key, versionId), false, cancellationToken);

    public async Task<DeleteObjectResult> DeleteObjectAsync(string bucket, ObjectIdentifier target, bool bypassGovernance,
        CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(target.Key);
        var now = Now();
        return await engine.CommitAsync(null, writer => Delete(writer, bucket, target, now, bypassGovernance), cancellationToken);
    }

    public Task<IReadOnlyList<DeleteObjectsEntryResult>> DeleteObjectsAsync(
        string bucket, IReadOnlyList<ObjectIdentifier> objects, CancellationToken cancellationToken = default) =>
        DeleteObjectsAsync(bucket, objects, false, cancellationToken);

    public async Task<IReadOnlyList<DeleteObjectsEntryResult>> DeleteObjectsAsync(
        string bucket, IReadOnlyList<ObjectIdentifier> objects, bool bypassGovernance, CancellationToken cancellationToken = default)
    {
        var now = Now();
        return await engine.CommitAsync(null, writer =>
        {
            RequireBucket(writer, bucket);
            var results = new List<DeleteObjectsEntryResult>(objects.Count);
            foreach (var target in objects)
            {
                try
                {
                    ObjectKey.Validate(target.Key);
                    results.Add(new DeleteObjectsEntryResult(target, Delete(writer, bucket, target, now, bypassGovernance), null));
                }
                catch (CofferException error)
                {
                    results.Add(new DeleteObjectsEntryResult(target, null, error));
                }
            }

            return (IReadOnlyList<DeleteObjectsEntryResult>)results;
        }, cancellationToken);
    }

    public async Task<ObjectInfo> PutObjectTaggingAsync(
        string bucket, string key, string? versionId, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken = default)
    {
        ObjectTags.Validate(tags);
        var updated = await engine.Metadata.WriteAsync(writer =>
        {
            var version = FindVersion(writer, bucket, key, versionId);
            if (version.IsDeleteMarker)
            {
                throw new CofferException(versionId is null ? ErrorCode.NoSuchKey : ErrorCode.MethodNotAllowed,
                    "A delete marker has no tags.");
            }

            writer.Versions.SetTags(version.BucketId, version.Key, version.Sequence, tags);
            events?.Record(writer, RequireBucket(writer, bucket), tags.Count == 0 ? NotificationEvents.TaggingDelete : NotificationEvents.TaggingPut, version);
            return version with { Tags = tags };
        }, cancellationToken);
        return ToInfo(bucket, updated);
    }

    public ListObjectsPage ListObjects(string bucket, ListObjectsQuery query)
    {
        using var reader = engine.Metadata.OpenSnapshot();
        var bucketId = RequireBucket(reader, bucket).Id;
        var upper = DelimitedListing.UpperBound(query.Prefix);
        var page = DelimitedListing.Collect(
            new ListingWindow(query.Prefix, query.Delimiter, query.After, false, query.MaxKeys),
            (from, inclusive, _) => reader.Versions.ScanLatest(bucketId, from, inclusive, upper).Where(v => !v.IsDeleteMarker),
            v => v.Key);
        return new ListObjectsPage(page.Items.Select(v => ToInfo(bucket, v)).ToArray(), page.CommonPrefixes, page.IsTruncated, page.LastKey);
    }

    public ListVersionsPage ListObjectVersions(string bucket, ListVersionsQuery query)
    {
        using var reader = engine.Metadata.OpenSnapshot();
        var bucketId = RequireBucket(reader, bucket).Id;
        long? olderThan = null;
        if (string.IsNullOrEmpty(query.KeyMarker) && !string.IsNullOrEmpty(query.VersionIdMarker))
        {
            throw new CofferException(ErrorCode.InvalidArgument, "A version-id marker cannot be specified without a key marker.");
        }

        var resumeInside = !string.IsNullOrEmpty(query.KeyMarker) && !string.IsNullOrEmpty(query.VersionIdMarker);
        if (resumeInside)
        {
            // The marker version may be gone (emptying a bucket deletes each page before asking for the next): then the
            // key's remaining versions are listed from its newest, so nothing is skipped.
            VersionIds.Validate(query.VersionIdMarker!);
            olderThan = reader.Versions.Get(bucketId, query.KeyMarker!, query.VersionIdMarker!)?.Sequence;
        }

        var upper = DelimitedListing.UpperBound(query.Prefix);
        var page = DelimitedListing.Collect(
            new ListingWindow(query.Prefix, query.Delimiter, query.KeyMarker, resumeInside, query.MaxKeys),
            (from, inclusive, first) => reader.Versions.ScanVersions(bucketId, from, inclusive, first && resumeInside ? olderThan : null, upper),
            v => v.Key);
        return new ListVersionsPage(
            page.Items.Select(v => ToInfo(bucket, v)).ToArray(),
            page.CommonPrefixes,
            page.IsTruncated,
            page.LastKey,
            page.LastItem?.VersionId);
    }

    public IEnumerable<ObjectInfo> Walk(string bucket, WalkOptions options)
    {
        using var reader = options.At is { } at ? engine.Metadata.OpenSnapshot(new SnapshotPoint(at)) : engine.Metadata.OpenSnapshot();
        var bucketId = RequireBucket(reader, bucket).Id;
        var detail = (options.WithTags ? VersionDetail.Tags : 0) | (options.WithUserMetadata ? VersionDetail.UserMetadata : 0)
            | (options.WithHeaders ? VersionDetail.Headers : 0);
        var (from, inclusive, upper) = WalkRange(options);
        if (upper is not null && ObjectKey.CompareUtf8(from, upper) >= 0)
        {
            yield break;
        }

        // Each row is made straight from its decoded record: one object a row rather than a version record and then this.
        VersionFactory<ObjectInfo> info = (in VersionIdentity identity, in VersionAttributes attributes) => ToInfo(bucket, identity, attributes);
        var rows = options.AllVersions
            ? reader.Versions.ScanVersions(bucketId, from, inclusive, null, upper, detail, info)
            : reader.Versions.ScanLatest(bucketId, from, inclusive, upper, detail, info);
        foreach (var row in rows)
        {
            // Current objects only: a key whose latest version is a delete marker has none.
            if (options.AllVersions || !row.IsDeleteMarker)
            {
                yield return row;
            }
        }
    }

    public bool ReadsRowsInPlace => engine.Metadata.ReadsRowsInPlace;

    public ObjectRowReader ReadRows(string bucket, WalkOptions options)
    {
        var reader = options.At is { } at ? engine.Metadata.OpenSnapshot(new SnapshotPoint(at)) : engine.Metadata.OpenSnapshot();
        try
        {
            var bucketId = RequireBucket(reader, bucket).Id;
            var (from, inclusive, upper) = WalkRange(options);
            var rows = upper is not null && ObjectKey.CompareUtf8(from, upper) >= 0 ? null
                : options.AllVersions ? reader.Versions.ReadVersionRows(bucketId, from, inclusive, upper)
                : reader.Versions.ReadLatestRows(bucketId, from, inclusive, upper);
            return new ObjectRowReader(reader, rows, options.AllVersions);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>The key range a walk covers: the prefix's, narrowed to [Start, End) (or (Start, End) with StartAfter).</summary>
    private static (string From, bool Inclusive, string? Upper) WalkRange(WalkOptions options)
    {
        var (from, inclusive) = options.Start is { } start && ObjectKey.CompareUtf8(start, options.Prefix) >= 0
            ? (start, !options.StartAfter)
            : (options.Prefix, true);
        var upper = DelimitedListing.UpperBound(options.Prefix);
        if (options.End is { } end && (upper is null || ObjectKey.CompareUtf8(end, upper) < 0))
        {
            upper = end;
        }

        return (from, inclusive, upper);
    }

    /// <summary>
    /// Makes <paramref name="version"/> the latest version of its key. With versioning enabled it gets a fresh id and
    /// the previous versions stay; otherwise it is the "null" version and replaces any earlier "null" version.
    /// </summary>
    private ObjectVersionRecord AddVersion(IMetadataTransaction writer, string bucketName, ObjectVersionRecord version, DateTimeOffset now, string eventName)
    {
        var bucket = RequireBucket(writer, bucketName);
        var enabled = bucket.Versioning == VersioningState.Enabled;
        version = WithBucketLock(writer, bucket, version, now);
        if (!enabled && writer.Versions.Get(bucket.Id, version.Key, ObjectVersionRecord.NullVersionId) is { } previousNull)
        {
            // Lock keeps versioning enabled, so a locked version is never replaced; checked all the same.
            RefuseIfLocked(previousNull, now, false);
            writer.Versions.Delete(bucket.Id, previousNull.Key, previousNull.Sequence);
            writer.ReleaseBlobs(previousNull.Layout);
        }

        // A bucket never versioned holds only null versions, so the one just replaced (if any) was its key's latest.
        if (bucket.Versioning != VersioningState.Unversioned && writer.Versions.GetLatest(bucket.Id, version.Key) is { IsLatest: true } previousLatest)
        {
            writer.Versions.SetLatest(bucket.Id, previousLatest.Key, previousLatest.Sequence, false);
        }

        var stored = writer.Versions.Insert(version with
        {
            BucketId = bucket.Id,
            VersionId = enabled ? VersionIds.New(now) : ObjectVersionRecord.NullVersionId,
            IsLatest = true,
        });
        events?.Record(writer, bucket, stored.IsDeleteMarker ? NotificationEvents.DeleteMarkerCreated : eventName, stored);
        return stored;
    }

    /// <summary>Deletes a version named by id, or adds a delete marker (a versioned bucket) or deletes the null version (one never versioned).</summary>
    private DeleteObjectResult Delete(IMetadataTransaction writer, string bucketName, ObjectIdentifier target, DateTimeOffset now,
        bool bypassGovernance = false)
    {
        var bucket = RequireBucket(writer, bucketName);
        if (target.VersionId is not null)
        {
            VersionIds.Validate(target.VersionId);
        }

        // Checked by the one writer, so nothing can replace the object between the check and the delete.
        if (!target.Condition.IsEmpty)
        {
            target.Condition.Check(target.VersionId is { } named ? writer.Versions.Get(bucket.Id, target.Key, named)
                : writer.Versions.GetLatest(bucket.Id, target.Key), target.VersionId is not null);
        }

        if (target.VersionId is not null)
        {
            return DeleteVersion(writer, bucket, target.Key, target.VersionId, now, bypassGovernance);
        }

        if (bucket.Versioning == VersioningState.Unversioned)
        {
            DeleteVersion(writer, bucket, target.Key, ObjectVersionRecord.NullVersionId, now, bypassGovernance);
            return new DeleteObjectResult(null, false);
        }

        if (!XmlCharacters.IsValid(target.Key) && writer.Versions.GetLatest(bucket.Id, target.Key) is null)
        {
            // A marker would bring such a key in, as a PUT may not (ObjectKey.ValidateNew); with versions there, it names them.
            throw new CofferException(ErrorCode.InvalidArgument, "An object key may not hold a character XML 1.0 cannot carry.");
        }

        var marker = AddVersion(writer, bucketName, new ObjectVersionRecord
        {
            Key = target.Key,
            VersionId = ObjectVersionRecord.NullVersionId,
            IsDeleteMarker = true,
            CreatedAt = now,
            LastModified = now,
        }, now, NotificationEvents.DeleteMarkerCreated);
        return new DeleteObjectResult(marker.VersionId, true);
    }

    /// <summary>Destroys one version (refused while object lock protects it), making the next one the latest.</summary>
    private DeleteObjectResult DeleteVersion(IMetadataTransaction writer, BucketRecord bucket, string key, string versionId, DateTimeOffset now,
        bool bypassGovernance)
    {
        var bucketId = bucket.Id;
        var version = writer.Versions.Get(bucketId, key, versionId);
        if (version is null)
        {
            return new DeleteObjectResult(versionId, false);
        }

        RefuseIfLocked(version, now, bypassGovernance);

        writer.Versions.Delete(bucketId, key, version.Sequence);
        writer.ReleaseBlobs(version.Layout);
        events?.Record(writer, bucket, NotificationEvents.Delete, version);
        if (version.IsLatest && writer.Versions.GetLatest(bucketId, key) is { } next)
        {
            writer.Versions.SetLatest(bucketId, key, next.Sequence, true);
        }

        return new DeleteObjectResult(versionId, version.IsDeleteMarker);
    }

    /// <summary>The latest version (delete markers included) or the given one; NoSuchKey / NoSuchVersion when there is none.</summary>
    private static ObjectVersionRecord FindVersion(IMetadataView reader, string bucket, string key, string? versionId)
    {
        ObjectKey.Validate(key);
        var bucketId = RequireBucket(reader, bucket).Id;
        if (versionId is null)
        {
            return reader.Versions.GetLatest(bucketId, key) ?? throw new CofferException(ErrorCode.NoSuchKey, "The specified key does not exist.");
        }

        VersionIds.Validate(versionId);
        return reader.Versions.Get(bucketId, key, versionId) ?? throw new CofferException(ErrorCode.NoSuchVersion,
            "The specified version does not exist.");
    }

    /// <summary>The key's current object, or null when it has none (no version, or a delete marker on top).</summary>
    private static ObjectInfo? CurrentObject(IMetadataView reader, BucketRecord bucket, string key)
    {
        var latest = reader.Versions.GetLatest(bucket.Id, key);
        return latest is null || latest.IsDeleteMarker ? null : ToInfo(bucket.Name, latest);
    }

    /// <summary>Checks a write's <paramref name="condition"/> against the object it would replace.</summary>
    private static void CheckWrite(IMetadataView view, string bucket, string key, Preconditions condition)
    {
        var record = RequireBucket(view, bucket);
        condition.CheckWrite(CurrentObject(view, record, key), record.Versioning == VersioningState.Enabled);
    }

    private static void CheckMd5(byte[]? expected, StagedBlob staged)
    {
        if (expected is not null && !CryptographicOperations.FixedTimeEquals(expected, staged.Md5))
        {
            throw new CofferException(ErrorCode.BadDigest, "The Content-MD5 you specified did not match what was received.");
        }
    }

    private static BlobLayout LayoutOf(StagedBlob staged) =>
        staged.IsEmpty ? BlobLayout.Empty : BlobLayout.Single(staged.BlobId, staged.Length, staged.WrappedKey, staged.IsInline);

    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());

    internal static ObjectInfo ToInfo(string bucket, ObjectVersionRecord version) =>
        ToInfo(bucket, VersionRecordCodec.IdentityOf(version), VersionRecordCodec.AttributesOf(version));

    private static ObjectInfo ToInfo(string bucket, in VersionIdentity version, in VersionAttributes attributes) => new()
    {
        Bucket = bucket,
        Key = version.Key,
        VersionId = version.VersionId,
        IsLatest = version.IsLatest,
        IsDeleteMarker = version.IsDeleteMarker,
        Size = attributes.Size,
        ETag = attributes.ETag,
        Crc64 = attributes.Crc64,
        ContentType = attributes.ContentType,
        StorageClass = attributes.StorageClass,
        IsMultipartUploaded = attributes.IsMultipartUploaded,
        CreatedAt = attributes.CreatedAt,
        LastModified = attributes.LastModified,
        UserMetadata = attributes.UserMetadata,
        Headers = attributes.Headers,
        Tags = attributes.Tags,
        ReplicationStatus = attributes.ReplicationStatus,
        Encryption = attributes.Encryption,
        // An SSE-C object's key id slot holds its key's verifier, which no answer shows.
        KmsKeyId = attributes.Encryption == ObjectEncryption.Customer ? null : attributes.KmsKeyId,
        Acl = attributes.Acl,
        RetentionMode = attributes.RetentionMode,
        RetainUntil = attributes.RetainUntil,
        LegalHold = attributes.LegalHold,
    };
}
