using System.Text;
using System.Text.Json;
using Coffer.Common;
using Coffer.Common.Acl;
using Coffer.Model.Accounts;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model.Access;

/// <summary>What the access APIs set: the bucket policy, ACLs, ownership controls and the public access block.</summary>
public sealed partial class AccessControl
{
    /// <summary>Sets the bucket policy: valid JSON in the policy language, every resource within this bucket, and not public when the bucket blocks that.</summary>
    public Task PutPolicyAsync(string bucket, byte[] json, CancellationToken cancellationToken = default)
    {
        var policy = AccessPolicy.Parse(json, bucketPolicy: true);
        policy.RequireEvaluableConditions();
        foreach (var resource in policy.Statements.SelectMany(s => s.Resources))
        {
            if (!WithinBucket(resource, bucket))
            {
                throw new CofferException(ErrorCode.MalformedPolicy, $"Policy has invalid resource '{resource}': it is not within bucket {bucket}.");
            }
        }

        return PutConfigAsync(bucket, PolicyKind, json, (writer, id) =>
        {
            if (policy.IsPublic && ReadSettings(writer, id).PublicAccessBlock.BlockPublicPolicy)
            {
                throw new CofferException(ErrorCode.AccessDenied, "Access Denied. The bucket's public access block does not allow a public policy.");
            }
        }, cancellationToken);
    }

    /// <summary>The bucket policy exactly as it was put; NoSuchBucketPolicy when there is none.</summary>
    public byte[] GetPolicy(string bucket)
    {
        using var reader = metadata.OpenSnapshot();
        var record = reader.Buckets.Get(bucket) ?? throw NoSuchBucket();
        return reader.Configs.Get(record.Id, PolicyKind, "")?.Body ?? throw new CofferException(ErrorCode.NoSuchBucketPolicy);
    }

    /// <summary>Whether the bucket policy is public (<see cref="AccessPolicy.IsPublic"/>); NoSuchBucketPolicy when there is none.</summary>
    public bool IsPolicyPublic(string bucket) => AccessPolicy.Parse(GetPolicy(bucket), bucketPolicy: true).IsPublic;

    /// <summary>Removes the bucket policy; removing none succeeds.</summary>
    public Task DeletePolicyAsync(string bucket, CancellationToken cancellationToken = default) => DeleteConfigAsync(bucket, PolicyKind, cancellationToken);

    /// <summary>The bucket's ACL (private to its owner when none was set).</summary>
    public AccessControlList GetBucketAcl(string bucket)
    {
        using var reader = metadata.OpenSnapshot();
        var record = reader.Buckets.Get(bucket) ?? throw NoSuchBucket();
        return ReadBucketAcl(reader, record.Id, OwnerUinOf(record.OwnerAppId));
    }

    /// <summary>
    /// Replaces the bucket's ACL with a canned one, <paramref name="grants"/> or both (COS), within what its ownership controls
    /// and public access block allow.
    /// </summary>
    public Task PutBucketAclAsync(string bucket, string? canned, IReadOnlyList<AclGrant> grants, CancellationToken cancellationToken = default) =>
        metadata.WriteAsync(writer =>
        {
            var record = writer.Buckets.Get(bucket) ?? throw NoSuchBucket();
            var ownerUin = OwnerUinOf(record.OwnerAppId);
            var acl = CannedAcl.Build(canned, grants, ownerUin, ownerUin, forObject: false);
            var settings = ReadSettings(writer, record.Id);
            RefuseAclWrites(settings);
            CheckSettable(settings, acl, ownerUin);
            return writer.Configs.Put(record.Id, AclKind, "", Encoding.UTF8.GetBytes(AclCodec.Encode(acl, ownerUin, false)), time.GetUtcNow());
        }, cancellationToken);

    /// <summary>
    /// An object's ACL and the version it belongs to. An object without one of its own (COS's <c>default</c>) shows
    /// its owner's full control; what it follows is its bucket's ACL.
    /// </summary>
    public (AccessControlList Acl, string VersionId, bool IsDeleteMarker) GetObjectAcl(string bucket, string key, string? versionId)
    {
        using var reader = metadata.OpenSnapshot();
        var record = reader.Buckets.Get(bucket) ?? throw NoSuchBucket();
        var ownerUin = OwnerUinOf(record.OwnerAppId);
        var version = FindVersion(reader, record.Id, key, versionId);
        var acl = version.Acl is { } text ? AclCodec.Decode(text, ownerUin, true) : AccessControlList.Private(ownerUin);
        return (ReadSettings(reader, record.Id).AclsDisabled ? AccessControlList.Private(ownerUin) : acl, version.VersionId, version.IsDeleteMarker);
    }

    /// <summary>
    /// Replaces an object's ACL (the current version's, or the one named) with a canned one,
    /// <paramref name="grants"/> or both (COS); its owner stays. COS's <c>default</c> makes the object follow its bucket's ACL again.
    /// </summary>
    public Task<string> PutObjectAclAsync(string bucket, string key, string? versionId, string? canned, IReadOnlyList<AclGrant> grants,
        CancellationToken cancellationToken = default) =>
        metadata.WriteAsync(writer =>
        {
            var record = writer.Buckets.Get(bucket) ?? throw NoSuchBucket();
            var ownerUin = OwnerUinOf(record.OwnerAppId);
            var version = FindVersion(writer, record.Id, key, versionId);
            if (version.IsDeleteMarker)
            {
                throw new CofferException(versionId is null ? ErrorCode.NoSuchKey : ErrorCode.MethodNotAllowed, "A delete marker has no ACL.");
            }

            var settings = ReadSettings(writer, record.Id);
            RefuseAclWrites(settings);
            var objectOwner = version.Acl is { } text ? AclCodec.Decode(text, ownerUin, true).OwnerUin : ownerUin;
            if (canned == CannedAcl.Default)
            {
                writer.Versions.UpdateRecord(version with { Acl = null });
                return version.VersionId;
            }

            var acl = CannedAcl.Build(canned, grants, objectOwner, ownerUin, forObject: true);
            CheckSettable(settings, acl, ownerUin);
            writer.Versions.UpdateRecord(version with { Acl = AclCodec.Encode(acl, ownerUin, true) });
            return version.VersionId;
        }, cancellationToken);

    /// <summary>
    /// The ACL a new object gets, encoded as its version record keeps it; null to follow the bucket's ACL (COS's
    /// <c>default</c>, or no ACL in a COS request). <paramref name="canned"/> and <paramref name="grants"/> are what the
    /// request sets (neither: the dialect's default, private in S3). Whose the object is follows the bucket's ownership
    /// controls: the writer's account, or the bucket owner's when it enforces ownership or prefers it and the writer
    /// gives it full control.
    /// </summary>
    public static string? NewObjectAcl(BucketAccessRules rules, Credential? writer, string? canned, IReadOnlyList<AclGrant> grants, bool followBucketByDefault)
    {
        var bucketOwner = rules.OwnerUin;
        var writerUin = writer?.Identity.Root.AppId == rules.Bucket.OwnerAppId || writer is null ? bucketOwner : writer.Identity.Root.Uin;
        if (canned is null && grants.Count == 0 && writerUin == bucketOwner)
        {
            // The common case needs no look-up: the owner's own object, private (S3) or following the bucket (COS).
            return followBucketByDefault ? null : CannedAcl.Private;
        }

        if (canned == CannedAcl.Default)
        {
            return null;
        }

        var settings = rules.Settings;
        if (settings.AclsDisabled && canned is not null && canned != CannedAcl.BucketOwnerFullControl)
        {
            // S3's pages: a PUT into such a bucket names no ACL or bucket-owner-full-control (canned, or as grants); even private is refused.
            throw AclsNotSupported();
        }

        var owner = settings.Ownership switch
        {
            ObjectOwnership.BucketOwnerEnforced => bucketOwner,
            ObjectOwnership.BucketOwnerPreferred when canned == CannedAcl.BucketOwnerFullControl => bucketOwner,
            _ => writerUin,
        };
        var acl = CannedAcl.Build(canned ?? (grants.Count == 0 ? CannedAcl.Private : null), grants, owner, bucketOwner, forObject: true);
        CheckSettable(settings, acl, bucketOwner);
        return AclCodec.Encode(acl, bucketOwner, true);
    }

    /// <summary>
    /// An ACL may be set unless ownership is enforced (then only the owner's full control is, which changes nothing) or it
    /// is public and the bucket blocks public ACLs.
    /// </summary>
    private static void CheckSettable(BucketAccessSettings settings, AccessControlList acl, string bucketOwnerUin)
    {
        if (settings.AclsDisabled && !acl.Equals(AccessControlList.Private(bucketOwnerUin)))
        {
            throw AclsNotSupported();
        }

        if (acl.IsPublic && settings.PublicAccessBlock.BlockPublicAcls)
        {
            throw new CofferException(ErrorCode.AccessDenied, "Access Denied. The bucket's public access block does not allow public ACLs.");
        }
    }

    /// <summary>
    /// PUT Bucket acl and PUT Object acl on a bucket whose ownership is enforced: S3 refuses every request that sets or
    /// updates an ACL there, whatever it sets (reading ACLs still works).
    /// </summary>
    private static void RefuseAclWrites(BucketAccessSettings settings)
    {
        if (settings.AclsDisabled)
        {
            throw AclsNotSupported();
        }
    }

    private static CofferException AclsNotSupported() =>
        new(ErrorCode.AccessControlListNotSupported, "The bucket does not allow ACLs: its ownership controls enforce the bucket owner's.");

    /// <summary>The bucket's ownership controls; OwnershipControlsNotFoundError when it has none.</summary>
    public ObjectOwnership GetOwnership(string bucket) =>
        ReadSettings(bucket).Ownership ?? throw new CofferException(ErrorCode.OwnershipControlsNotFound, "The bucket ownership controls were not found.");

    /// <summary>Sets who owns new objects; enforcing the bucket owner's ownership needs the bucket's ACL to be private.</summary>
    public Task PutOwnershipAsync(string bucket, ObjectOwnership ownership, CancellationToken cancellationToken = default) =>
        PutConfigAsync(bucket, OwnershipKind, Encoding.UTF8.GetBytes(ownership.ToString()), (writer, id) =>
        {
            var ownerUin = OwnerUinOf(writer.Buckets.Get(id)!.OwnerAppId);
            if (ownership == ObjectOwnership.BucketOwnerEnforced && !ReadBucketAcl(writer, id, ownerUin).Equals(AccessControlList.Private(ownerUin)))
            {
                throw new CofferException(ErrorCode.InvalidBucketAclWithObjectOwnership, "Bucket ownership cannot be enforced while the bucket's ACL grants others access.");
            }
        }, cancellationToken);

    public Task DeleteOwnershipAsync(string bucket, CancellationToken cancellationToken = default) => DeleteConfigAsync(bucket, OwnershipKind, cancellationToken);

    /// <summary>
    /// Sets who pays for requests (S3's PutBucketRequestPayment): with <paramref name="requesterPays"/> the requesters, otherwise
    /// the owner, the default, which keeps nothing stored.
    /// </summary>
    public Task PutRequestPaymentAsync(string bucket, bool requesterPays, CancellationToken cancellationToken = default) =>
        requesterPays
            ? PutConfigAsync(bucket, RequestPaymentKind, Encoding.UTF8.GetBytes("Requester"), (_, _) => { }, cancellationToken)
            : DeleteConfigAsync(bucket, RequestPaymentKind, cancellationToken);

    /// <summary>The bucket's public access block; NoSuchPublicAccessBlockConfiguration when it has none.</summary>
    public PublicAccessBlock GetPublicAccessBlock(string bucket)
    {
        using var reader = metadata.OpenSnapshot();
        var record = reader.Buckets.Get(bucket) ?? throw NoSuchBucket();
        return reader.Configs.Get(record.Id, PublicAccessBlockKind, "") is { } stored
            ? JsonSerializer.Deserialize<PublicAccessBlock>(stored.Body)!
            : throw new CofferException(ErrorCode.NoSuchPublicAccessBlockConfiguration, "The public access block configuration was not found.");
    }

    public Task PutPublicAccessBlockAsync(string bucket, PublicAccessBlock block, CancellationToken cancellationToken = default) =>
        PutConfigAsync(bucket, PublicAccessBlockKind, JsonSerializer.SerializeToUtf8Bytes(block), (_, _) => { }, cancellationToken);

    public Task DeletePublicAccessBlockAsync(string bucket, CancellationToken cancellationToken = default) =>
        DeleteConfigAsync(bucket, PublicAccessBlockKind, cancellationToken);

    private BucketAccessSettings ReadSettings(string bucket)
    {
        using var reader = metadata.OpenSnapshot();
        return ReadSettings(reader, (reader.Buckets.Get(bucket) ?? throw NoSuchBucket()).Id);
    }

    private BucketAccessSettings ReadSettings(long bucketId)
    {
        using var reader = metadata.OpenSnapshot();
        return ReadSettings(reader, bucketId);
    }

    private static BucketAccessSettings ReadSettings(IMetadataView reader, long bucketId)
    {
        var ownership = reader.Configs.Get(bucketId, OwnershipKind, "") is { } stored
            ? Enum.Parse<ObjectOwnership>(Encoding.UTF8.GetString(stored.Body))
            : (ObjectOwnership?)null;
        var block = reader.Configs.Get(bucketId, PublicAccessBlockKind, "") is { } blockRecord
            ? JsonSerializer.Deserialize<PublicAccessBlock>(blockRecord.Body)!
            : PublicAccessBlock.None;
        return new BucketAccessSettings(ownership, block);
    }

    private AccessControlList ReadBucketAcl(long bucketId, string ownerUin)
    {
        using var reader = metadata.OpenSnapshot();
        return ReadBucketAcl(reader, bucketId, ownerUin);
    }

    private static AccessControlList ReadBucketAcl(IMetadataView reader, long bucketId, string ownerUin) =>
        reader.Configs.Get(bucketId, AclKind, "") is { } stored
            ? AclCodec.Decode(Encoding.UTF8.GetString(stored.Body), ownerUin, false)
            : AccessControlList.Private(ownerUin);

    /// <summary>
    /// Whether the key has a current version that is an object (not a delete marker), or with <paramref name="versionId"/>
    /// whether that version exists.
    /// </summary>
    public bool HasObject(BucketAccessRules rules, string key, string? versionId)
    {
        using var reader = metadata.OpenSnapshot();
        return reader.Buckets.Get(rules.Bucket.Name) is { } record && IsObject(ReadVersion(reader, record.Id, key, versionId), versionId);
    }

    /// <summary>An object version's own ACL; null when it follows its bucket's (or the object is gone).</summary>
    private AccessControlList? ReadObjectAcl(string bucket, string ownerUin, string key, string? versionId, ObjectSighting? sighting)
    {
        using var reader = metadata.OpenSnapshot();
        var version = reader.Buckets.Get(bucket) is { } record ? ReadVersion(reader, record.Id, key, versionId) : null;
        sighting?.Seen(IsObject(version, versionId));
        return version?.Acl is { } text ? AclCodec.Decode(text, ownerUin, true) : null;
    }

    private static ObjectVersionRecord? ReadVersion(IMetadataView reader, long bucketId, string key, string? versionId) =>
        versionId is null ? reader.Versions.GetLatest(bucketId, key) : reader.Versions.Get(bucketId, key, versionId);

    /// <summary>A current version that is not a delete marker, or a named version of any kind.</summary>
    private static bool IsObject(ObjectVersionRecord? version, string? versionId) => versionId is null ? version is { IsDeleteMarker: false } : version is not null;

    private static ObjectVersionRecord FindVersion(IMetadataView reader, long bucketId, string key, string? versionId)
    {
        ObjectKey.Validate(key);
        if (versionId is null)
        {
            return reader.Versions.GetLatest(bucketId, key) ?? throw new CofferException(ErrorCode.NoSuchKey, "The specified key does not exist.");
        }

        VersionIds.Validate(versionId);
        return reader.Versions.Get(bucketId, key, versionId) ?? throw new CofferException(ErrorCode.NoSuchVersion, "The specified version does not exist.");
    }

    private static bool WithinBucket(string resource, string bucket)
    {
        if (resource.StartsWith("arn:aws:s3:::", StringComparison.Ordinal))
        {
            var path = resource["arn:aws:s3:::".Length..];
            return path == bucket || path.StartsWith(bucket + "/", StringComparison.Ordinal);
        }

        return resource.StartsWith("qcs::cos:", StringComparison.Ordinal)
            && (resource.EndsWith(":" + bucket, StringComparison.Ordinal) || resource.Contains(":" + bucket + "/", StringComparison.Ordinal));
    }

    private Task PutConfigAsync(string bucket, string kind, byte[] body, Action<IMetadataTransaction, long> check, CancellationToken cancellationToken) =>
        metadata.WriteAsync(writer =>
        {
            var record = writer.Buckets.Get(bucket) ?? throw NoSuchBucket();
            check(writer, record.Id);
            return writer.Configs.Put(record.Id, kind, "", body, time.GetUtcNow());
        }, cancellationToken);

    private Task DeleteConfigAsync(string bucket, string kind, CancellationToken cancellationToken) =>
        metadata.WriteAsync(writer =>
        {
            var record = writer.Buckets.Get(bucket) ?? throw NoSuchBucket();
            return writer.Configs.Delete(record.Id, kind, "");
        }, cancellationToken);
}
