using System.Collections.Concurrent;
using System.Text;
using Coffer.Common;
using Coffer.Model.Accounts;
using Coffer.Model.Buckets;
using Coffer.Storage;

namespace Coffer.Model.Access;

/// <summary>A bucket's canned ACL: what it grants everyone, signed or not.</summary>
public enum CannedAcl
{
    Private,
    PublicRead,
    PublicReadWrite,
}

/// <summary>What decides access to a bucket: its owner, its policy and its ACL.</summary>
public sealed record BucketAccessRules(BucketInfo Bucket, AccessPolicy? Policy, CannedAcl Acl);

/// <summary>
/// Bucket policies and ACLs, kept as bucket configurations, and the one decision every request goes through:
/// <list type="number">
/// <item>an explicit deny anywhere (the bucket policy, the identity's own policy, the temporary key's policy) wins —
/// except that the owner's root account can always manage the bucket policy, so it cannot lock itself out;</item>
/// <item>a temporary key issued with a policy can do only what that policy allows;</item>
/// <item>the owner's root account is allowed;</item>
/// <item>everyone else needs an allow: from the bucket policy or the ACL, or for the owner's sub-accounts also from
/// their own policy; another account's sub-account needs both the bucket's allow and its own policy's.</item>
/// </list>
/// </summary>
public sealed class AccessControl(IMetadataStore metadata, TimeProvider time)
{
    public const string PolicyKind = "policy";
    public const string AclKind = "acl";

    // Every request on a bucket reads its policy; parsing is kept for as long as the stored document stays the same.
    private readonly ConcurrentDictionary<long, (byte[] Document, AccessPolicy Policy)> _parsed = new();

    /// <summary>The bucket and its rules, read in one snapshot; NoSuchBucket when it does not exist.</summary>
    public BucketAccessRules Rules(string bucket)
    {
        using var reader = metadata.OpenSnapshot();
        var record = reader.Buckets.Get(bucket) ?? throw NoSuchBucket();
        var policy = reader.Configs.Get(record.Id, PolicyKind, "") is { } stored ? Parsed(record.Id, stored.Body) : null;
        var acl = reader.Configs.Get(record.Id, AclKind, "") is { } aclRecord ? ParseAcl(Encoding.UTF8.GetString(aclRecord.Body)) : CannedAcl.Private;
        return new BucketAccessRules(ObjectService.ToInfo(record), policy, acl);
    }

    /// <summary>
    /// The rules for reading one object: an object written with its own ACL (<c>private</c>) is governed by it instead of
    /// its bucket's. Only a bucket whose ACL grants something needs the look-up, since an object's ACL can only narrow it.
    /// </summary>
    public BucketAccessRules ForObject(BucketAccessRules rules, string key, string? versionId)
    {
        if (rules.Acl == CannedAcl.Private)
        {
            return rules;
        }

        using var reader = metadata.OpenSnapshot();
        if (reader.Buckets.Get(rules.Bucket.Name) is not { } bucket)
        {
            return rules;
        }

        var version = versionId is null ? reader.Versions.GetLatest(bucket.Id, key) : reader.Versions.Get(bucket.Id, key, versionId);
        return version?.Acl is { } acl ? rules with { Acl = ParseAcl(acl) } : rules;
    }

    private AccessPolicy Parsed(long bucketId, byte[] document)
    {
        if (_parsed.TryGetValue(bucketId, out var cached) && cached.Document.AsSpan().SequenceEqual(document))
        {
            return cached.Policy;
        }

        var policy = AccessPolicy.Parse(document, bucketPolicy: true);
        _parsed[bucketId] = (document, policy);
        return policy;
    }

    /// <summary>Sets the bucket policy: valid JSON in the policy language, every resource within this bucket.</summary>
    public Task PutPolicyAsync(string bucket, byte[] json, CancellationToken cancellationToken = default)
    {
        var policy = AccessPolicy.Parse(json, bucketPolicy: true);
        foreach (var resource in policy.Statements.SelectMany(s => s.Resources))
        {
            if (!WithinBucket(resource, bucket))
            {
                throw new CofferException(ErrorCode.MalformedPolicy, $"Policy has invalid resource '{resource}': it is not within bucket {bucket}.");
            }
        }

        return PutConfigAsync(bucket, PolicyKind, json, cancellationToken);
    }

    /// <summary>The bucket policy exactly as it was put; NoSuchBucketPolicy when there is none.</summary>
    public byte[] GetPolicy(string bucket)
    {
        using var reader = metadata.OpenSnapshot();
        var record = reader.Buckets.Get(bucket) ?? throw NoSuchBucket();
        return reader.Configs.Get(record.Id, PolicyKind, "")?.Body ?? throw new CofferException(ErrorCode.NoSuchBucketPolicy);
    }

    /// <summary>Removes the bucket policy; removing none succeeds.</summary>
    public Task DeletePolicyAsync(string bucket, CancellationToken cancellationToken = default) =>
        metadata.WriteAsync(writer =>
        {
            var record = writer.Buckets.Get(bucket) ?? throw NoSuchBucket();
            return writer.Configs.Delete(record.Id, PolicyKind, "");
        }, cancellationToken);

    public Task PutAclAsync(string bucket, CannedAcl acl, CancellationToken cancellationToken = default) =>
        PutConfigAsync(bucket, AclKind, Encoding.UTF8.GetBytes(AclName(acl)), cancellationToken);

    /// <summary>The canned ACL's wire name: <c>private</c>, <c>public-read</c>, <c>public-read-write</c>.</summary>
    public static string AclName(CannedAcl acl) => acl switch
    {
        CannedAcl.PublicRead => "public-read",
        CannedAcl.PublicReadWrite => "public-read-write",
        _ => "private",
    };

    /// <summary>A canned ACL by its wire name (<c>default</c> is private); anything else is InvalidArgument.</summary>
    public static CannedAcl ParseAcl(string name) => name switch
    {
        "private" or "default" => CannedAcl.Private,
        "public-read" => CannedAcl.PublicRead,
        "public-read-write" => CannedAcl.PublicReadWrite,
        _ => throw new CofferException(ErrorCode.InvalidArgument, $"The canned ACL '{name}' is not supported (private, public-read, public-read-write)."),
    };

    /// <summary>
    /// Whether <paramref name="caller"/> (null: anonymous) may make <paramref name="request"/> on the bucket ruled by
    /// <paramref name="rules"/> (null: a request on no bucket, such as GET Service or creating a bucket). With
    /// <paramref name="service"/> the caller acts through that service (inventory delivery): bucket policy statements
    /// naming the service apply too.
    /// </summary>
    public static bool IsAllowed(Credential? caller, BucketAccessRules? rules, AccessRequest request, AclPermission aclPermission, bool managesPolicy,
        string? service = null)
    {
        var identity = caller?.Identity;
        var owner = rules?.Bucket.OwnerAppId ?? identity?.Root.AppId;
        var ownerRoot = identity is { IsRoot: true } && identity.Root.AppId == owner;
        if (ownerRoot && managesPolicy && caller!.SessionPolicy is null)
        {
            return true;
        }

        Func<string, bool>? named = identity is null ? null : p => Names(p, identity, owner!);
        if (service is not null)
        {
            var byIdentity = named;
            named = p => p == service || (byIdentity?.Invoke(p) ?? false);
        }

        var bucketDecision = rules?.Policy?.Evaluate(request, named) ?? PolicyDecision.NotApplicable;
        var identityDecision = caller?.IdentityPolicy?.Evaluate(request, null) ?? PolicyDecision.NotApplicable;
        var sessionDecision = caller?.SessionPolicy?.Evaluate(request, null) ?? PolicyDecision.NotApplicable;
        if (bucketDecision == PolicyDecision.Deny || identityDecision == PolicyDecision.Deny || sessionDecision == PolicyDecision.Deny)
        {
            return false;
        }

        if (caller?.SessionPolicy is not null && sessionDecision != PolicyDecision.Allow)
        {
            return false;
        }

        if (ownerRoot)
        {
            return true;
        }

        var granted = bucketDecision == PolicyDecision.Allow || Grants(rules?.Acl ?? CannedAcl.Private, aclPermission);
        if (identity is null || identity.IsRoot)
        {
            return granted;
        }

        return identity.Root.AppId == owner
            ? granted || identityDecision == PolicyDecision.Allow
            : granted && identityDecision == PolicyDecision.Allow;
    }

    /// <summary>
    /// Whether a policy principal names <paramref name="identity"/>: its own principal, or (for another account's
    /// identities) that account's root, whose sub-accounts then also need their own policy's allow.
    /// </summary>
    private static bool Names(string principal, Identity identity, string ownerAppId) =>
        principal == identity.Principal || (identity.Root.AppId != ownerAppId && principal == $"qcs::cam::uin/{identity.Root.Uin}:uin/{identity.Root.Uin}");

    private static bool Grants(CannedAcl acl, AclPermission needed) => needed switch
    {
        AclPermission.Read => acl is CannedAcl.PublicRead or CannedAcl.PublicReadWrite,
        AclPermission.Write => acl is CannedAcl.PublicReadWrite,
        _ => false,
    };

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

    private Task PutConfigAsync(string bucket, string kind, byte[] body, CancellationToken cancellationToken) =>
        metadata.WriteAsync(writer =>
        {
            var record = writer.Buckets.Get(bucket) ?? throw NoSuchBucket();
            return writer.Configs.Put(record.Id, kind, "", body, time.GetUtcNow());
        }, cancellationToken);

    private static CofferException NoSuchBucket() => new(ErrorCode.NoSuchBucket, "The specified bucket does not exist.");
}
