using Coffer.Common.Acl;
using Coffer.Model.Accounts;
using Coffer.Model.Buckets;

namespace Coffer.Model.Access;

/// <summary>
/// What decides access to a bucket: its owner, its policy, the ACL that governs the request (the bucket's, or for
/// reading an object or its ACL the object's own) and the settings that change how those apply (ownership controls,
/// public access block). The ACL and the settings are read only when a decision needs them: the owner's requests never do.
/// </summary>
public sealed class BucketAccessRules
{
    private readonly Lazy<AccessControlList> _acl;
    private readonly Lazy<BucketAccessSettings> _settings;
    private readonly IReadOnlyDictionary<string, byte[]?>? _configurations;

    /// <summary>Rules with every part given (a private ACL and no settings by default).</summary>
    public BucketAccessRules(BucketInfo bucket, string ownerUin, AccessPolicy? policy, AccessControlList? acl = null, BucketAccessSettings? settings = null)
        : this(bucket, ownerUin, policy, new Lazy<AccessControlList>(acl ?? AccessControlList.Private(ownerUin)),
            new Lazy<BucketAccessSettings>(settings ?? BucketAccessSettings.None))
    {
    }

    internal BucketAccessRules(BucketInfo bucket, string ownerUin, AccessPolicy? policy, Lazy<AccessControlList> acl, Lazy<BucketAccessSettings> settings,
        IReadOnlyDictionary<string, byte[]?>? configurations = null, long bucketId = 0, bool requesterPays = false)
    {
        BucketId = bucketId;
        RequesterPays = requesterPays;
        Bucket = bucket;
        OwnerUin = ownerUin;
        Policy = policy;
        _acl = acl;
        _settings = settings;
        _configurations = configurations;
    }

    public BucketInfo Bucket { get; }

    /// <summary>The stored bucket's id, for the configurations read with the rules (0 when they were not read).</summary>
    internal long BucketId { get; }

    /// <summary>The uin of the bucket owner's root account (its APPID when the account is not configured here).</summary>
    public string OwnerUin { get; }

    public AccessPolicy? Policy { get; }

    /// <summary>Whether requesters pay (S3's Requester Pays): anyone but the owner's account must then say it agrees to.</summary>
    public bool RequesterPays { get; }

    /// <summary>
    /// S3's Requester Pays rule, for the API and batch jobs alike: on a bucket whose requesters pay, anyone outside the
    /// owner's account is refused unless it agrees to pay (asked only then), and anonymous callers always, as nobody could
    /// be charged. The owner's account (its sub-accounts too) is never asked.
    /// </summary>
    public bool RefusesRequester(Credential? caller, Func<bool> agreesToPay) =>
        RequesterPays && !IsOwnersAccount(caller) && (caller is null || !agreesToPay());

    /// <summary>Whether a request <see cref="RefusesRequester"/> admitted is charged to its requester: one by anyone outside the owner's account.</summary>
    public bool ChargesRequester(Credential? caller) => RequesterPays && caller is not null && !IsOwnersAccount(caller);

    private bool IsOwnersAccount(Credential? caller) => caller?.Identity.Root.AppId == Bucket.OwnerAppId;

    /// <summary>The ACL that governs the request.</summary>
    public AccessControlList Acl => _acl.Value;

    public BucketAccessSettings Settings => _settings.Value;

    /// <summary>
    /// A configuration the request path consults (lifecycle, default encryption), read in the same snapshot as the bucket
    /// so a request does not open another one for it: true with its stored body (null when the bucket has none) when it
    /// was read, false when it was not.
    /// </summary>
    internal bool TryGetConfiguration(string kind, out byte[]? body)
    {
        body = null;
        return _configurations is not null && _configurations.TryGetValue(kind, out body);
    }

    /// <summary>The same rules with another governing ACL (an object's), read when first needed.</summary>
    internal BucketAccessRules WithAcl(Func<AccessControlList> acl) =>
        new(Bucket, OwnerUin, Policy, new Lazy<AccessControlList>(acl), _settings, _configurations, BucketId, RequesterPays);
}
