using Coffer.Common;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;

namespace Coffer.Server.Pipeline;

/// <summary>
/// Decides whether the caller may do what a request asks, by the operation's CAM action (<see cref="CamActions"/>), the
/// bucket's policy and ACL, and the caller's own policies (<see cref="AccessControl.IsAllowed"/>). Denials are AccessDenied.
/// </summary>
public sealed class Authorizer(AccessControl access, string defaultRegion)
{
    // The listing parameters policies' conditions can test, by the condition key they appear under.
    private static readonly (string Parameter, string Key)[] ConditionParameters =
        [("prefix", "cos:prefix"), ("delimiter", "cos:delimiter"), ("versionId", "cos:versionid"), ("max-keys", "cos:max-keys")];

    /// <summary>
    /// Authorizes the request as routed; returns the bucket's rules (null for requests on no existing bucket: GET
    /// Service, PUT Bucket). A missing bucket is NoSuchBucket, as S3 answers it to anyone.
    /// </summary>
    public BucketAccessRules? Authorize(Credential? caller, Route route, RequestTarget target, string? sourceIp, IRequestConditions? conditions = null)
    {
        var rules = RulesOf(route);
        Authorize(caller, route, rules, target, sourceIp, conditions);
        return rules;
    }

    /// <summary>Whether a request on <paramref name="route"/> is authorized by its bucket's rules: one on an existing bucket.</summary>
    public static bool HasRules(Route route) => route.Bucket is not null && route.Operation != Operation.CreateBucket;

    /// <summary>The rules a request is authorized by: null when <see cref="HasRules"/> is false; NoSuchBucket for a missing bucket.</summary>
    public BucketAccessRules? RulesOf(Route route) => HasRules(route) ? access.Rules(route.Bucket!) : null;

    /// <summary>
    /// Authorizes the request as routed with the rules <see cref="RulesOf"/> read (kept by the caller, so a refused request's
    /// access-log record does not read them again).
    /// </summary>
    public void Authorize(Credential? caller, Route route, BucketAccessRules? rules, RequestTarget target, string? sourceIp, IRequestConditions? conditions)
    {
        if (rules is not null && !string.Equals(rules.Bucket.Name, route.Bucket, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The rules of bucket '{rules.Bucket.Name}' cannot authorize a request on '{route.Bucket}'.");
        }

        var action = CamActions.For(route.Operation);
        var context = Context(target, sourceIp);
        if (route.Bucket is null)
        {
            Require(AccessControl.IsAllowed(caller, null, AccessRequest.ForService(action.Names, context, conditions), AclPermission.None, false), caller);
            return;
        }

        if (route.Operation == Operation.CreateBucket)
        {
            var name = BucketName.TryParse(route.Bucket, out var parsed) ? parsed.AppId : caller?.Identity.Root.AppId ?? "";
            var region = route.HostRegion ?? defaultRegion;
            Require(AccessControl.IsAllowed(caller, null, AccessRequest.For(action.Names, region, name, route.Bucket, null, context, conditions),
                AclPermission.None, false), caller);
            if (SetsOwnershipControls(conditions))
            {
                var controls = CamActions.For(Operation.PutBucketOwnershipControls).Names;
                Require(AccessControl.IsAllowed(caller, null, AccessRequest.For(controls, region, name, route.Bucket, null, context, conditions),
                    AclPermission.None, false), caller);
            }

            return;
        }

        ArgumentNullException.ThrowIfNull(rules);
        // Before the Requester Pays check, whose answer would otherwise tell a stranger what this configuration says.
        if (CamActions.OwnerAccountOnly(route.Operation) && caller?.Identity.Root.AppId != rules.Bucket.OwnerAppId)
        {
            throw Denied(caller);
        }

        if (rules.RequesterPays)
        {
            CheckRequesterPays(caller, rules, Agreement(route.Dialect, target, conditions));
        }

        if (route.Operation == Operation.DeleteObjects)
        {
            // Authorized key by key, as S3 does: each entry the caller may not delete is an AccessDenied entry of the result.
            return;
        }

        // Reading an object or its ACL follows the object's own ACL when it has one (read only if the decision needs it).
        // Only an S3 GET or HEAD, refused, asks whether the key exists: only it keeps what reading the ACL saw of that.
        var sighting = AnswersMissingKeyByListing(route) ? new ObjectSighting() : null;
        var governing = action.Acl is AclPermission.Read or AclPermission.ReadAcp or AclPermission.WriteAcp && route.Key is { } key
            ? access.ForObject(rules, key, VersionIdOf(target), sighting)
            : rules;
        if (!IsAllowed(caller, governing, route.Key, action, context, conditions, CamActions.ManagesPolicy(route.Operation)))
        {
            // A key that is not there is told as such to whoever may list it, whatever they may read (S3's rule). The rules
            // are loaded already; the object is read only for a lister, and not again when the decision read its ACL.
            var versionId = VersionIdOf(target);
            if (AnswersMissingKeyByListing(route) && MayList(caller, rules, route.Key!, sourceIp, conditions)
                && !(sighting?.Exists ?? access.HasObject(rules, route.Key!, versionId)))
            {
                throw versionId is null
                    ? new CofferException(ErrorCode.NoSuchKey, "The specified key does not exist.")
                    : new CofferException(ErrorCode.NoSuchVersion, "The specified version does not exist.");
            }

            throw Denied(caller);
        }
    }

    /// <summary>
    /// S3 tells a GET or HEAD of a missing key apart from a denial only to a caller allowed <c>s3:ListBucket</c> (with
    /// <c>s3:prefix</c> the key): anyone else gets AccessDenied, so reading rights alone do not reveal which keys exist. COS
    /// answers 404 to whoever may read the object, which is what the handler does. AWS's GetObject and HeadObject documents
    /// make no exception for a named version: its NoSuchVersion follows the same rule.
    /// </summary>
    public static CofferException MissingKeyError(CofferException missing, Credential? caller, Route route, BucketAccessRules rules,
        string? sourceIp, IRequestConditions? conditions) =>
        missing.Code is ErrorCode.NoSuchKey or ErrorCode.NoSuchVersion && AnswersMissingKeyByListing(route) && !MayList(caller, rules, route.Key!, sourceIp, conditions)
            ? Denied(caller)
            : missing;

    private static bool AnswersMissingKeyByListing(Route route) =>
        route.Dialect == Dialect.S3 && route.Operation is Operation.GetObject or Operation.HeadObject && route.Key is not null;

    private static bool MayList(Credential? caller, BucketAccessRules rules, string key, string? sourceIp, IRequestConditions? conditions)
    {
        var context = new Dictionary<string, string>(Context(null, sourceIp), StringComparer.Ordinal) { ["cos:prefix"] = key };
        return IsAllowed(caller, rules, null, CamActions.For(Operation.ListObjects), context, conditions);
    }

    /// <summary>
    /// A SigV4 signature is scoped to a region: the bucket's, or for requests on no bucket this server's. Another region
    /// is refused as S3 refuses it, naming the region expected in a header and in the error's Region element (which
    /// s3cmd reads to sign again for it). Creating a bucket is not checked: its region comes from the request itself.
    /// </summary>
    public void CheckSignedRegion(string? signedRegion, bool presigned, Route route, BucketAccessRules? rules)
    {
        if (signedRegion is null || route.Operation == Operation.CreateBucket)
        {
            return;
        }

        var expected = rules?.Bucket.Region ?? defaultRegion;
        if (signedRegion != expected)
        {
            var (code, message) = presigned
                ? (ErrorCode.AuthorizationQueryParametersError, "Error parsing the X-Amz-Credential parameter")
                : (ErrorCode.AuthorizationHeaderMalformed, "The authorization header is malformed");
            throw new CofferException(code, $"{message}; the region '{signedRegion}' is wrong; expecting '{expected}'")
            {
                ResponseHeaders = [new("x-amz-bucket-region", expected)],
                Details = [new("Region", expected)],
            };
        }
    }

    /// <summary>
    /// Whether PUT Bucket's <c>x-amz-object-ownership</c> (<c>x-cos-</c> alike) asks for BucketOwnerEnforced or
    /// BucketOwnerPreferred, which S3's user guide says needs s3:PutBucketOwnershipControls besides s3:CreateBucket;
    /// ObjectWriter (stored as the bucket's controls too, but the ownership a bucket without controls behaves with) needs
    /// nothing more, as that guide reads and an s3-tests IAM case expects.
    /// </summary>
    private static bool SetsOwnershipControls(IRequestConditions? conditions) =>
        conditions?.Find(AccessPolicy.HeaderKey("object-ownership"))?.Trim() is "BucketOwnerEnforced" or "BucketOwnerPreferred";

    private static string? VersionIdOf(RequestTarget target) => target.Get("versionId") is { Length: > 0 } versionId ? versionId : null;

    /// <summary>Whether the caller may do <paramref name="action"/> on one key of an authorized bucket (each entry of a batch delete).</summary>
    public static bool IsAllowed(Credential? caller, BucketAccessRules rules, string? key, CamAction action, IReadOnlyDictionary<string, string> context,
        IRequestConditions? conditions, bool managesPolicy = false)
    {
        var bucket = rules.Bucket;
        var request = AccessRequest.For(action.Names, bucket.Region, bucket.OwnerAppId, bucket.Name, key, context, conditions);
        return AccessControl.IsAllowed(caller, rules, request, action.Acl, managesPolicy);
    }

    /// <summary>
    /// S3's Requester Pays (<see cref="BucketAccessRules.RefusesRequester"/>): anyone outside the owner's account must say
    /// <c>x-amz-request-payer: requester</c> (a presigned URL may carry it as a query parameter); nobody anonymous. The same
    /// in the COS dialect with <c>x-cos-</c>: the bucket's setting holds whichever API reaches it. A refusal reads as any
    /// other refusal of the same caller, so it does not tell a stranger the bucket is Requester Pays (S3 says "Access
    /// Denied" to both).
    /// </summary>
    private static void CheckRequesterPays(Credential? caller, BucketAccessRules rules, Func<bool> agreesToPay)
    {
        if (rules.RefusesRequester(caller, agreesToPay))
        {
            throw Denied(caller);
        }
    }

    /// <summary>
    /// Whether a request authorized on <paramref name="rules"/> is charged to its requester (<see cref="BucketAccessRules.ChargesRequester"/>).
    /// Its response says so in <c>x-amz-request-charged</c>.
    /// </summary>
    public static bool ChargesRequester(Credential? caller, BucketAccessRules? rules) => rules is not null && rules.ChargesRequester(caller);

    // Built here rather than where it is used: a lambda in Authorize would capture its parameters, and allocate, on every request.
    private static Func<bool> Agreement(Dialect dialect, RequestTarget? target, IRequestConditions? conditions) =>
        () => AgreesToPay(dialect, target, conditions);

    /// <summary>Whether the request says its requester agrees to pay: <c>x-amz-request-payer: requester</c>, as a header or a query parameter.</summary>
    private static bool AgreesToPay(Dialect dialect, RequestTarget? target, IRequestConditions? conditions)
    {
        var value = conditions?.Find(RequestConditions.RequestPayerKey) ?? target?.Get(WireHeaders.For(dialect).Prefix + "request-payer");
        return string.Equals(value?.Trim(), "requester", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Authorizes reading the source of a copy (CopyObject, UploadPartCopy) named by the request's copy-source header; a
    /// copy from a Requester Pays bucket by another account is charged to it, which the response says in
    /// <c>x-amz-request-charged</c> (<c>x-cos-</c>) as for the destination.
    /// </summary>
    internal void AuthorizeCopySource(RequestContext context, CopySource source)
    {
        var charged = AuthorizeCopySource(context.Credential, source.Bucket, source.Key, source.VersionId, context.SourceIp,
            context.Dialect == Dialect.S3 ? context.Header("x-amz-source-expected-bucket-owner") : null,
            Agreement(context.Dialect, context.Target, context.RequestConditions));
        if (charged)
        {
            context.Response.Headers[context.Wire.Prefix + "request-charged"] = "requester";
        }
    }

    /// <summary>
    /// Authorizes reading the source of a copy, as a GET of it would be; with <paramref name="expectedOwner"/>
    /// (<c>x-amz-source-expected-bucket-owner</c>, S3 only) the source bucket must be that account's. The owner is checked
    /// only once reading is allowed, and answered as a plain denial, so nobody learns a bucket's owner by guessing it.
    /// Returns whether reading the source is charged to the requester (S3's Requester Pays).
    /// </summary>
    private bool AuthorizeCopySource(Credential? caller, string bucket, string key, string? versionId, string? sourceIp, string? expectedOwner,
        Func<bool> agreesToPay)
    {
        var rules = access.Rules(bucket);
        CheckRequesterPays(caller, rules, agreesToPay);
        Require(IsAllowed(caller, access.ForObject(rules, key, versionId), key, CamActions.CopySource, Context(null, sourceIp), null), caller);
        if (expectedOwner is not null && expectedOwner != rules.OwnerUin)
        {
            throw new CofferException(ErrorCode.AccessDenied, "Access Denied");
        }

        return rules.ChargesRequester(caller);
    }

    /// <summary>
    /// The condition keys policies can test besides what the HTTP request carries (<see cref="RequestConditions"/>): the source
    /// address and the listing parameters of <paramref name="target"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Context(RequestTarget? target, string? sourceIp)
    {
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        if (sourceIp is not null)
        {
            context["qcs:ip"] = sourceIp;
        }

        foreach (var (parameter, key) in ConditionParameters)
        {
            if (target?.Get(parameter) is { } value)
            {
                context[key] = value;
            }
        }

        return context;
    }

    /// <summary>
    /// <c>x-amz-expected-bucket-owner</c> (and COS's <c>x-cos-</c> spelling): a request that names an account other than
    /// the bucket's owner is AccessDenied, so a bucket that changed hands is not written to or read from by mistake.
    /// </summary>
    public static void CheckExpectedOwner(string? expectedOwner, Account? owner)
    {
        if (expectedOwner is not null && owner is not null && expectedOwner != owner.Uin)
        {
            throw new CofferException(ErrorCode.AccessDenied, "Access Denied. The bucket is not owned by the expected bucket owner.");
        }
    }

    private static void Require(bool allowed, Credential? caller)
    {
        if (!allowed)
        {
            throw Denied(caller);
        }
    }

    private static CofferException Denied(Credential? caller) =>
        new(ErrorCode.AccessDenied, caller is null
            ? "Access Denied. Anonymous requests need a bucket ACL or policy that allows them."
            : "Access Denied. No policy allows this request, or one denies it.");
}
