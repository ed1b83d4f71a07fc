using Coffer.Common;
using Coffer.Common.Acl;
using Coffer.Model.Accounts;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

/// <summary>The ACL a request sets: a canned ACL (<c>x-cos-acl</c> / <c>x-amz-acl</c>), grant headers, or (PUT acl) a body.</summary>
internal sealed record RequestedAcl(string? Canned, IReadOnlyList<AclGrant> Grants)
{
    public static RequestedAcl None { get; } = new(null, []);

    public bool IsEmpty => Canned is null && Grants.Count == 0;
}

internal static class AclRequests
{
    private const int MaxAclBodyBytes = 64 * 1024;

    /// <summary>
    /// The canned ACL or grant headers of a write (PUT Bucket, PUT Object, copy, multipart initiation, POST Object).
    /// A canned name the resource cannot have is InvalidArgument; COS objects take <c>default</c>, <c>private</c>,
    /// <c>public-read</c> and the owner-related names, S3 objects also <c>public-read-write</c>.
    /// </summary>
    public static RequestedAcl FromHeaders(RequestContext context, AccountDirectory accounts, bool forObject) =>
        Read(context.Header(context.Wire.Acl), AclGrants.FromHeaders(context.Wire.Prefix, context.Header, forObject), context.Dialect, accounts, forObject);

    /// <summary>The ACL of PUT Bucket acl / PUT Object acl: exactly one of a canned ACL, grant headers or an AccessControlPolicy body.</summary>
    public static async Task<RequestedAcl> FromAclRequestAsync(RequestContext context, AccountDirectory accounts, bool forObject)
    {
        var headers = FromHeaders(context, accounts, forObject);
        var body = await SafeXml.ReadAsync(context.Body, MaxAclBodyBytes, context.Aborted);
        if (body is null)
        {
            return headers.IsEmpty
                ? throw new CofferException(ErrorCode.MissingRequestBody, "Send a canned ACL, grant headers or an AccessControlPolicy body.")
                : headers;
        }

        if (!headers.IsEmpty)
        {
            throw new CofferException(ErrorCode.InvalidRequest, "Specify an ACL with a canned ACL, grant headers or a body, not more than one of them.");
        }

        var grants = AccessXml.ReadAccessControlPolicy(body);
        CheckAccounts(grants, accounts, context.Dialect);
        return new RequestedAcl(null, grants);
    }

    /// <summary>
    /// COS's object ACL names, as its ACL overview lists them; a bucket's (and every S3 name) come from <see cref="CannedAcl"/>.
    /// </summary>
    private static readonly string[] CosObjectNames =
        [CannedAcl.Default, CannedAcl.Private, CannedAcl.PublicRead, CannedAcl.AuthenticatedRead, CannedAcl.BucketOwnerRead, CannedAcl.BucketOwnerFullControl];

    private static RequestedAcl Read(string? cannedHeader, IReadOnlyList<AclGrant> grants, Dialect dialect, AccountDirectory accounts, bool forObject)
    {
        var canned = string.IsNullOrWhiteSpace(cannedHeader) ? null : cannedHeader.Trim();
        if (canned is not null && grants.Count > 0)
        {
            // S3 refuses both; COS takes the canned ACL's grants and the headers' together (its SDK's tests set
            // public-read with full control for two accounts), and an object's `default` with grants is the grants alone.
            canned = dialect == Dialect.S3
                ? throw new CofferException(ErrorCode.InvalidRequest, "Specifying both Canned ACLs and Header Grants is not allowed.")
                : canned == CannedAcl.Default && forObject ? null : canned;
        }

        if (canned is not null)
        {
            var known = forObject && dialect == Dialect.Cos ? CosObjectNames.Contains(canned)
                : canned == CannedAcl.Default ? forObject && dialect == Dialect.Cos : CannedAcl.IsKnown(canned, forObject);
            if (!known)
            {
                throw new CofferException(ErrorCode.InvalidArgument, $"The canned ACL '{canned}' is not one {(forObject ? "an object" : "a bucket")} can have.");
            }
        }

        CheckAccounts(grants, accounts, dialect);
        return new RequestedAcl(canned, grants);
    }

    /// <summary>
    /// In S3 a grant to an account names one configured here: an unknown uin is S3's "Invalid id". COS takes any uin
    /// (its SDK's tests grant to 1001 and 10002); a grant to an account that does not exist here is stored and lets
    /// nobody in until an account with that uin is added.
    /// </summary>
    private static void CheckAccounts(IReadOnlyList<AclGrant> grants, AccountDirectory accounts, Dialect dialect)
    {
        if (dialect == Dialect.Cos)
        {
            return;
        }

        foreach (var grant in grants)
        {
            if (grant.Grantee.Principal is { } principal && Principals.Parse(principal) is { } parsed && accounts.FindByUin(parsed.RootUin) is null)
            {
                throw new CofferException(ErrorCode.InvalidArgument, $"Invalid id: no account has the uin {parsed.RootUin}.");
            }
        }
    }
}
