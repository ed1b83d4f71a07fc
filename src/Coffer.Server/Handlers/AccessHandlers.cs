using Coffer.Common;
using Coffer.Model.Access;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

/// <summary>Bucket policies (JSON, COS's policy language or AWS's) and canned bucket ACLs.</summary>
internal sealed class AccessHandlers(AccessControl access)
{
    /// <summary>PUT Bucket policy: 204; the document is kept exactly as sent.</summary>
    public async Task PutBucketPolicyAsync(RequestContext context)
    {
        var body = await Bodies.ReadVerifiedAsync(context, AccessPolicy.MaxBytes, ErrorCode.MalformedPolicy);
        if (body.Length == 0)
        {
            throw new CofferException(ErrorCode.MissingRequestBody);
        }

        await access.PutPolicyAsync(context.Bucket, body, context.Aborted);
        await Responses.EmptyAsync(context, 204);
    }

    public async Task GetBucketPolicyAsync(RequestContext context)
    {
        var policy = access.GetPolicy(context.Bucket);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = policy.Length;
        await context.Response.Body.WriteAsync(policy, context.Aborted);
    }

    public async Task DeleteBucketPolicyAsync(RequestContext context)
    {
        await access.DeletePolicyAsync(context.Bucket, context.Aborted);
        await Responses.EmptyAsync(context, 204);
    }

    /// <summary>PUT Bucket acl: a canned ACL in <c>x-cos-acl</c> / <c>x-amz-acl</c>. Grants (headers or body) are not supported.</summary>
    public async Task PutBucketAclAsync(RequestContext context)
    {
        var acl = CannedAclOf(context) ?? throw new CofferException(ErrorCode.NotImplemented,
            $"Only canned ACLs are supported: send {context.Wire.Acl} (private, public-read or public-read-write).");
        await access.PutAclAsync(context.Bucket, acl, context.Aborted);
        await Responses.EmptyAsync(context);
    }

    public static Task GetBucketAclAsync(RequestContext context)
    {
        var owner = context.BucketOwner;
        var ownerAppId = context.Rules!.Bucket.OwnerAppId;
        var ownerId = context.Dialect == Dialect.S3 ? owner?.Uin ?? ownerAppId : owner?.OwnerId ?? ownerAppId;
        string[] everyone = context.Rules.Acl switch
        {
            CannedAcl.PublicRead => ["READ"],
            CannedAcl.PublicReadWrite => ["READ", "WRITE"],
            _ => [],
        };
        context.Response.Headers[context.Wire.Acl] = AccessControl.AclName(context.Rules.Acl);
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(new AccessControlDocument(ownerId, ownerId, everyone), context.Dialect));
    }

    /// <summary>
    /// The canned ACL a request sets, or null when it sets none. Explicit grants are refused as not implemented rather
    /// than accepted and ignored.
    /// </summary>
    public static CannedAcl? CannedAclOf(RequestContext context)
    {
        if (context.Request.Headers.Keys.Any(h => h.StartsWith(context.Wire.GrantPrefix, StringComparison.OrdinalIgnoreCase)))
        {
            throw new CofferException(ErrorCode.NotImplemented, $"Grant headers ({context.Wire.GrantPrefix}*) are not supported; use a canned ACL.");
        }

        return context.Header(context.Wire.Acl) is { Length: > 0 } name ? AccessControl.ParseAcl(name) : null;
    }
}
