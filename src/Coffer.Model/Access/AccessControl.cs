using System.Collections.Concurrent;
using Coffer.Common;
using Coffer.Common.Acl;
using Coffer.Model.Accounts;
using Coffer.Model.Buckets;
using Coffer.Storage;

namespace Coffer.Model.Access;

/// <summary>
/// Bucket policies, ACLs (buckets' and objects'), ownership controls and public access blocks, kept as bucket
/// configurations and in version records, and the one decision every request goes through:
/// <list type="number">
/// <item>an explicit deny anywhere (the bucket policy, the identity's own policy, the temporary key's policy) wins —
/// except that the owner's root account can always manage the bucket policy, so it cannot lock itself out;</item>
/// <item>a temporary key issued with a policy can do only what that policy allows;</item>
/// <item>the owner's root account is allowed;</item>
/// <item>everyone else needs an allow: from the bucket policy or the governing ACL (unless the bucket's ownership controls
/// turned ACLs off, or its public access block ignores what is public), or for the owner's sub-accounts also from their
/// own policy; another account's sub-account needs both the bucket's allow and its own policy's.</item>
/// </list>
/// </summary>
public sealed partial class AccessControl(IMetadataStore metadata, TimeProvider time, AccountDirectory accounts)
{
    public const string PolicyKind = "policy";
    public const string AclKind = "acl";
    public const string OwnershipKind = "ownership";
    public const string PublicAccessBlockKind = "public-access-block";

    /// <summary>S3's Requester Pays: stored (as <c>Requester</c>) only while requesters pay; without it the bucket owner does.</summary>
    public const string RequestPaymentKind = "request-payment";

    // The configuration kinds read with a bucket's rules.
    private static readonly string[] RulesKinds =
        [PolicyKind, BucketSettings.LifecycleKind, BucketSettings.LoggingKind, BucketEncryptionCodec.Kind, RequestPaymentKind];

    // Buckets whose rules are kept at once; past it the cache starts again (memory stays flat however many buckets there are).
    private const int MaxCachedRules = 4096;

    // Every request on a bucket reads its policy; parsing is kept for as long as the stored document stays the same.
    private readonly ConcurrentDictionary<long, (byte[] Document, AccessPolicy Policy)> _parsed = new();

    // The rules last read for each bucket by name, with the store's bucket-settings generation they were read at.
    private readonly ConcurrentDictionary<string, CachedRules> _rules = new(StringComparer.Ordinal);

    /// <summary>
    /// The bucket and its policy, read in one snapshot with the configurations object requests consult (lifecycle for
    /// <c>x-amz-expiration</c>, default encryption for a PUT, access logging and Requester Pays for every request), so a request opens no other snapshot
    /// for its bucket; its ACL
    /// and settings when first needed. NoSuchBucket when it does not exist. Where the store can tell that no bucket
    /// setting changed since (<see cref="IMetadataStore.BucketSettingsGeneration"/>: the embedded engine), the rules read
    /// for an earlier request are used again and no snapshot is opened at all.
    /// </summary>
    public BucketAccessRules Rules(string bucket)
    {
        var generation = metadata.BucketSettingsGeneration;
        if (generation is { } current && _rules.TryGetValue(bucket, out var cached) && cached.Generation == current)
        {
            return cached.Rules;
        }

        var rules = ReadRules(bucket);
        if (generation is { } readAt)
        {
            if (_rules.Count >= MaxCachedRules)
            {
                _rules.Clear();
            }

            _rules[bucket] = new CachedRules(readAt, rules);
        }

        return rules;
    }

    private BucketAccessRules ReadRules(string bucket)
    {
        using var reader = metadata.OpenSnapshot();
        var record = reader.Buckets.Get(bucket) ?? throw NoSuchBucket();
        // One query for the five kinds (on PostgreSQL a round trip each otherwise).
        var stored = reader.Configs.GetKinds(record.Id, RulesKinds);
        byte[]? Body(string kind, string configId) => stored.FirstOrDefault(c => c.Kind == kind && c.ConfigId == configId)?.Body;
        var policy = Body(PolicyKind, "") is { } document ? Parsed(record.Id, document) : null;
        var configurations = new Dictionary<string, byte[]?>(3, StringComparer.Ordinal)
        {
            [BucketSettings.LifecycleKind] = Body(BucketSettings.LifecycleKind, ""),
            [BucketSettings.LoggingKind] = Body(BucketSettings.LoggingKind, ""),
            [BucketEncryptionCodec.Kind] = Body(BucketEncryptionCodec.Kind, BucketEncryptionCodec.ConfigId),
        };
        var ownerUin = OwnerUinOf(record.OwnerAppId);
        var id = record.Id;
        // Read when a decision first needs them, at or after the generation the rules were read at, so they are never older
        // than it; an error is not kept, the next request reads again.
        return new BucketAccessRules(ObjectService.ToInfo(record), ownerUin, policy,
            new Lazy<AccessControlList>(() => ReadBucketAcl(id, ownerUin), LazyThreadSafetyMode.PublicationOnly),
            new Lazy<BucketAccessSettings>(() => ReadSettings(id), LazyThreadSafetyMode.PublicationOnly), configurations, id,
            requesterPays: Body(RequestPaymentKind, "") is not null);
    }

    /// <summary>
    /// The rules for reading one object or its ACL: an object written with its own ACL is governed by it; one without
    /// (COS's <c>default</c>) follows its bucket's. With <paramref name="sighting"/>, reading that ACL also notes whether
    /// the object is there (as <see cref="HasObject"/> tells it), so a refusal need not read it again.
    /// </summary>
    public BucketAccessRules ForObject(BucketAccessRules rules, string key, string? versionId, ObjectSighting? sighting = null)
    {
        var bucketAcl = () => rules.Acl;
        return rules.WithAcl(() => ReadObjectAcl(rules.Bucket.Name, rules.OwnerUin, key, versionId, sighting) ?? bucketAcl());
    }

    /// <summary>The uin of the root account with this APPID; the APPID itself for an account not configured here.</summary>
    public string OwnerUinOf(string appId) => accounts.FindByAppId(appId)?.Uin ?? appId;

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

        var granted = (bucketDecision == PolicyDecision.Allow && (service is not null || !RestrictedPublicPolicy(rules!, identity, owner!)))
            || GrantedByAcl(rules, identity, aclPermission);
        if (identity is null || identity.IsRoot)
        {
            return granted;
        }

        return identity.Root.AppId == owner
            ? granted || identityDecision == PolicyDecision.Allow
            : granted && identityDecision == PolicyDecision.Allow;
    }

    /// <summary>
    /// RestrictPublicBuckets: while the bucket policy is public, it grants nothing to anyone outside the owner's
    /// account (the services it names, such as inventory delivery, are still served).
    /// </summary>
    private static bool RestrictedPublicPolicy(BucketAccessRules rules, Identity? identity, string ownerAppId) =>
        identity?.Root.AppId != ownerAppId && rules.Policy!.IsPublic && rules.Settings.PublicAccessBlock.RestrictPublicBuckets;

    /// <summary>Whether the governing ACL gives <paramref name="identity"/> the permission, unless ACLs are off for the bucket.</summary>
    private static bool GrantedByAcl(BucketAccessRules? rules, Identity? identity, AclPermission needed)
    {
        if (rules is null || needed == AclPermission.None || rules.Settings.AclsDisabled)
        {
            return false;
        }

        var acl = rules.Settings.PublicAccessBlock.IgnorePublicAcls ? rules.Acl.WithoutPublicGrants() : rules.Acl;
        if (needed is AclPermission.ReadAcp or AclPermission.WriteAcp && identity is { IsRoot: true } && identity.Root.Uin == acl.OwnerUin)
        {
            // The owner of an object (another account that wrote it) may always read and change its ACL.
            return true;
        }

        var permission = needed switch
        {
            AclPermission.Read => AclGrantPermission.Read,
            AclPermission.Write => AclGrantPermission.Write,
            AclPermission.ReadAcp => AclGrantPermission.ReadAcp,
            _ => AclGrantPermission.WriteAcp,
        };
        return acl.Grants.Any(g => (g.Permission == permission || g.Permission == AclGrantPermission.FullControl)
            && Matches(g.Grantee, identity, rules.Bucket.OwnerAppId));
    }

    /// <summary>
    /// Whether a grant names <paramref name="identity"/>: everyone; anyone signed; its own principal; or its account's
    /// root, which names another account's sub-accounts too (they then also need their own policy's allow) but never
    /// the owner's own sub-accounts, which the owner's own full control must not reach.
    /// </summary>
    private static bool Matches(AclGrantee grantee, Identity? identity, string ownerAppId) => grantee.Type switch
    {
        AclGranteeType.AllUsers => true,
        AclGranteeType.AuthenticatedUsers => identity is not null,
        AclGranteeType.User => identity is not null && Names(grantee.Principal!, identity, ownerAppId),
        _ => false,
    };

    /// <summary>
    /// Whether a principal names <paramref name="identity"/>: its own principal, or (for another account's
    /// identities) that account's root, whose sub-accounts then also need their own policy's allow.
    /// </summary>
    private static bool Names(string principal, Identity identity, string ownerAppId) =>
        principal == identity.Principal || (identity.Root.AppId != ownerAppId && principal == Principals.Root(identity.Root.Uin));

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

    private sealed record CachedRules(long Generation, BucketAccessRules Rules);

    private static CofferException NoSuchBucket() => new(ErrorCode.NoSuchBucket, "The specified bucket does not exist.");
}
