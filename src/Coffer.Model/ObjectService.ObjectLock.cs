using Coffer.Common;
using Coffer.Common.ObjectLock;
using Coffer.Model.Buckets;
using Coffer.Model.Objects;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model;

/// <summary>
/// Object lock: the bucket's configuration (a bucket configuration of its own kind, present once lock is enabled, which
/// also keeps versioning from being suspended), the retention and legal hold each version keeps in its packed record,
/// and the one rule every path that destroys a version goes through (<see cref="RefuseIfLocked"/>).
/// </summary>
public sealed partial class ObjectService
{
    /// <summary>The bucket configuration kind that holds a bucket's object lock.</summary>
    public const string ObjectLockKind = "object-lock";

    // Internal names under which an upload keeps the lock its CreateMultipartUpload asked for, until it completes.
    private const string UploadLockMode = "x-coffer-lock-mode";
    private const string UploadLockUntil = "x-coffer-lock-until";
    private const string UploadLegalHold = "x-coffer-lock-legal-hold";

    /// <summary>Creates a bucket; with <paramref name="objectLockEnabled"/> it has versioning on and object lock enabled from the start.</summary>
    public async Task<BucketInfo> CreateBucketAsync(string name, string ownerAppId, string region, bool objectLockEnabled,
        CancellationToken cancellationToken = default)
    {
        if (!objectLockEnabled)
        {
            return await CreateBucketAsync(name, ownerAppId, region, cancellationToken);
        }

        var now = Now();
        var created = await engine.Metadata.WriteAsync(writer =>
        {
            var bucket = CreateBucket(writer, name, ownerAppId, region, VersioningState.Enabled, now);
            writer.Configs.Put(bucket.Id, ObjectLockKind, "", BucketSettings.Encode(new ObjectLockConfiguration(null)), now);
            return bucket;
        }, cancellationToken);
        return ToInfo(created);
    }

    /// <summary>
    /// Enables object lock (on a bucket with versioning enabled: InvalidBucketState otherwise) and sets or clears its
    /// default retention. Lock once enabled stays; the default retention applies to versions written from now on.
    /// </summary>
    public Task PutObjectLockConfigurationAsync(string bucket, ObjectLockConfiguration configuration, CancellationToken cancellationToken = default)
    {
        configuration.Rule?.Validate();
        var body = BucketSettings.Encode(configuration);
        var now = Now();
        return engine.Metadata.WriteAsync(writer =>
        {
            var record = RequireBucket(writer, bucket);
            if (record.Versioning != VersioningState.Enabled)
            {
                throw new CofferException(ErrorCode.InvalidBucketState,
                    "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration");
            }

            return writer.Configs.Put(record.Id, ObjectLockKind, "", body, now);
        }, cancellationToken);
    }

    /// <summary>The bucket's object lock, or ObjectLockConfigurationNotFoundError when it has none.</summary>
    public ObjectLockConfiguration GetObjectLockConfiguration(string bucket) =>
        FindObjectLockConfiguration(bucket) ?? throw new CofferException(ErrorCode.ObjectLockConfigurationNotFound);

    public ObjectLockConfiguration? FindObjectLockConfiguration(string bucket)
    {
        using var reader = engine.Metadata.OpenSnapshot();
        return FindObjectLock(reader, RequireBucket(reader, bucket));
    }

    /// <summary>
    /// Sets (or, with no mode, removes) a version's retention. A retention in force is lengthened freely in its mode;
    /// shortened, removed or given the other mode only when it is GOVERNANCE and <paramref name="bypassGovernance"/>.
    /// </summary>
    public async Task<ObjectInfo> PutObjectRetentionAsync(string bucket, string key, string? versionId, string? mode, DateTimeOffset? retainUntil,
        bool bypassGovernance, CancellationToken cancellationToken = default)
    {
        if ((mode is null) != (retainUntil is null) || (mode is not null && !RetentionModes.IsMode(mode)))
        {
            throw new CofferException(ErrorCode.MalformedXml, "A retention takes a Mode (GOVERNANCE or COMPLIANCE) and a RetainUntilDate, or neither.");
        }

        var now = Now();
        if (retainUntil <= now)
        {
            throw new CofferException(ErrorCode.InvalidArgument, "The retain until date must be in the future!");
        }

        var updated = await engine.Metadata.WriteAsync(writer =>
        {
            var version = LockableVersion(writer, bucket, key, versionId);
            if (version.RetainUntil > now)
            {
                // A mode change either way alters the lock settings, which GOVERNANCE keeps from all but the bypass.
                var alters = retainUntil is null || retainUntil < version.RetainUntil || mode != version.RetentionMode;
                if (alters && (version.RetentionMode == RetentionModes.Compliance || !bypassGovernance))
                {
                    throw LockedError();
                }
            }

            var changed = version with { RetentionMode = mode, RetainUntil = retainUntil };
            writer.Versions.UpdateRecord(changed);
            return changed;
        }, cancellationToken);
        return ToInfo(bucket, updated);
    }

    /// <summary>Puts a legal hold on a version or lifts it; anyone allowed to may do either.</summary>
    public async Task<ObjectInfo> PutObjectLegalHoldAsync(string bucket, string key, string? versionId, bool on, CancellationToken cancellationToken = default)
    {
        var updated = await engine.Metadata.WriteAsync(writer =>
        {
            var changed = LockableVersion(writer, bucket, key, versionId) with { LegalHold = on };
            writer.Versions.UpdateRecord(changed);
            return changed;
        }, cancellationToken);
        return ToInfo(bucket, updated);
    }

    /// <summary>The version a retention or legal hold request names, in a bucket with object lock; never a delete marker.</summary>
    private static ObjectVersionRecord LockableVersion(IMetadataTransaction writer, string bucket, string key, string? versionId)
    {
        var version = FindVersion(writer, bucket, key, versionId);
        if (FindObjectLock(writer, RequireBucket(writer, bucket)) is null)
        {
            throw MissingLockConfiguration();
        }

        return version.IsDeleteMarker
            ? throw new CofferException(versionId is null ? ErrorCode.NoSuchKey : ErrorCode.MethodNotAllowed,
                versionId is null ? "The specified key does not exist." : "The specified method is not allowed against a delete marker.")
            : version;
    }

    /// <summary>
    /// Checks a write's lock headers before its bytes are streamed: mode and date together, a date in the future.
    /// Whether the bucket has object lock is checked where the version is added.
    /// </summary>
    private void CheckLockRequest(ObjectLockRequest request)
    {
        if ((request.Mode is null) != (request.RetainUntil is null))
        {
            throw new CofferException(ErrorCode.InvalidArgument,
                "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied");
        }

        if (request.Mode is not null && !RetentionModes.IsMode(request.Mode))
        {
            throw new CofferException(ErrorCode.InvalidArgument, "Unknown wormMode directive.");
        }

        if (request.RetainUntil <= Now())
        {
            throw new CofferException(ErrorCode.InvalidArgument, "The retain until date must be in the future!");
        }
    }

    /// <summary>A new version with the retention and legal hold its write asked for (before the bucket's default is considered).</summary>
    private static ObjectVersionRecord WithLock(ObjectVersionRecord version, ObjectLockRequest request) => request.IsEmpty
        ? version
        : version with { RetentionMode = request.Mode, RetainUntil = request.RetainUntil, LegalHold = request.LegalHold ?? false };

    /// <summary>
    /// Gives a version about to be added its bucket's default retention when its write asked for none; refuses lock
    /// settings in a bucket without object lock. Only versioned buckets can have lock, so others skip the lookup.
    /// </summary>
    private static ObjectVersionRecord WithBucketLock(IMetadataView writer, BucketRecord bucket, ObjectVersionRecord version, DateTimeOffset now)
    {
        var asked = version.RetentionMode is not null || version.LegalHold;
        if (version.IsDeleteMarker || (bucket.Versioning != VersioningState.Enabled && !asked))
        {
            return version;
        }

        var configuration = FindObjectLock(writer, bucket);
        if (configuration is null)
        {
            return asked ? throw MissingLockConfiguration() : version;
        }

        return version.RetentionMode is null && configuration.Rule is { } rule
            ? version with { RetentionMode = rule.Mode, RetainUntil = rule.RetainUntil(now) }
            : version;
    }

    /// <summary>
    /// The one check before a version is destroyed: a legal hold, or a retention in force, refuses it with AccessDenied,
    /// except a GOVERNANCE retention when the caller may bypass it and asked to.
    /// </summary>
    private static void RefuseIfLocked(ObjectVersionRecord version, DateTimeOffset now, bool bypassGovernance)
    {
        if (version.LegalHold
            || (version.RetainUntil > now && (version.RetentionMode != RetentionModes.Governance || !bypassGovernance)))
        {
            throw LockedError();
        }
    }

    /// <summary>The lock an upload's CreateMultipartUpload asked for, kept among its stored headers until it completes.</summary>
    private static IReadOnlyList<KeyValuePair<string, string>> UploadLockHeaders(ObjectLockRequest request)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (request.Mode is { } mode && request.RetainUntil is { } until)
        {
            headers.Add(new(UploadLockMode, mode));
            headers.Add(new(UploadLockUntil, until.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (request.LegalHold is { } hold)
        {
            headers.Add(new(UploadLegalHold, hold ? "ON" : "OFF"));
        }

        return headers;
    }

    /// <summary>Splits an upload's stored headers into the object's headers and the lock its CreateMultipartUpload asked for.</summary>
    private static (IReadOnlyList<KeyValuePair<string, string>> Headers, ObjectLockRequest Lock) SplitUploadLock(IReadOnlyList<KeyValuePair<string, string>> stored)
    {
        if (!stored.Any(h => h.Key.StartsWith("x-coffer-lock-", StringComparison.Ordinal)))
        {
            return (stored, ObjectLockRequest.None);
        }

        var values = stored.ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
        var request = new ObjectLockRequest(
            values.GetValueOrDefault(UploadLockMode),
            values.TryGetValue(UploadLockUntil, out var until)
                ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(until, System.Globalization.CultureInfo.InvariantCulture))
                : null,
            values.TryGetValue(UploadLegalHold, out var hold) ? hold == "ON" : null);
        return (stored.Where(h => !h.Key.StartsWith("x-coffer-lock-", StringComparison.Ordinal)).ToArray(), request);
    }

    private static ObjectLockConfiguration? FindObjectLock(IMetadataView reader, BucketRecord bucket) =>
        reader.Configs.Get(bucket.Id, ObjectLockKind, "") is { } stored ? BucketSettings.Decode<ObjectLockConfiguration>(stored.Body) : null;

    private static CofferException MissingLockConfiguration() =>
        new(ErrorCode.InvalidRequest, "Bucket is missing Object Lock Configuration");

    private static CofferException LockedError() =>
        new(ErrorCode.AccessDenied, "Access Denied because object protected by object lock.");
}
