using Coffer.Common;
using Coffer.Common.Acl;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Protocol.Xml;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

/// <summary>Bucket policies (JSON, COS's policy language or AWS's), bucket and object ACLs, ownership controls and public access blocks.</summary>
internal sealed class AccessHandlers(AccessControl access, AccountDirectory accounts)
{
    private const int MaxConfigurationBytes = 64 * 1024;

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

    /// <summary>
    /// GetBucketPolicyStatus: whether the bucket policy is public, as S3 judges it (ACLs are not part of it); a bucket
    /// without a policy is NoSuchBucketPolicy, as S3 answers.
    /// </summary>
    public Task GetBucketPolicyStatusAsync(RequestContext context) =>
        Responses.XmlAsync(context, XmlDocumentWriter.WritePolicyStatus(access.IsPolicyPublic(context.Bucket), context.Dialect));

    public async Task DeleteBucketPolicyAsync(RequestContext context)
    {
        await access.DeletePolicyAsync(context.Bucket, context.Aborted);
        await Responses.EmptyAsync(context, 204);
    }

    /// <summary>PUT Bucket acl: a canned ACL, grant headers, or an AccessControlPolicy body.</summary>
    public async Task PutBucketAclAsync(RequestContext context)
    {
        var requested = await AclRequests.FromAclRequestAsync(context, accounts, forObject: false);
        await access.PutBucketAclAsync(context.Bucket, requested.Canned, requested.Grants, context.Aborted);
        await Responses.EmptyAsync(context);
    }

    public Task GetBucketAclAsync(RequestContext context)
    {
        var acl = access.GetBucketAcl(context.Bucket);
        if (CannedAcl.NameOf(acl, forObject: false) is { } name)
        {
            context.Response.Headers[context.Wire.Acl] = name;
        }

        return Responses.XmlAsync(context, XmlDocumentWriter.Write(acl, context.Dialect));
    }

    /// <summary>PUT Object acl (<c>versionId</c> names a version): a canned ACL, grant headers, or an AccessControlPolicy body.</summary>
    public async Task PutObjectAclAsync(RequestContext context)
    {
        var requested = await AclRequests.FromAclRequestAsync(context, accounts, forObject: true);
        var versionId = await access.PutObjectAclAsync(context.Bucket, context.Key, ObjectHandlers.VersionIdOf(context), requested.Canned, requested.Grants,
            context.Aborted);
        WriteVersionId(context, versionId);
        await Responses.EmptyAsync(context);
    }

    public Task GetObjectAclAsync(RequestContext context)
    {
        var versionId = ObjectHandlers.VersionIdOf(context);
        var (acl, version, isDeleteMarker) = access.GetObjectAcl(context.Bucket, context.Key, versionId);
        if (isDeleteMarker)
        {
            throw new CofferException(versionId is null ? ErrorCode.NoSuchKey : ErrorCode.MethodNotAllowed, "A delete marker has no ACL.");
        }

        WriteVersionId(context, version);
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(acl, context.Dialect));
    }

    public async Task PutOwnershipControlsAsync(RequestContext context)
    {
        var body = await ReadDocumentAsync(context);
        await access.PutOwnershipAsync(context.Bucket, AccessXml.ReadOwnershipControls(body), context.Aborted);
        await Responses.EmptyAsync(context);
    }

    public Task GetOwnershipControlsAsync(RequestContext context) =>
        Responses.XmlAsync(context, XmlDocumentWriter.Write(access.GetOwnership(context.Bucket), context.Dialect));

    public async Task DeleteOwnershipControlsAsync(RequestContext context)
    {
        await access.DeleteOwnershipAsync(context.Bucket, context.Aborted);
        await Responses.EmptyAsync(context, 204);
    }

    public async Task PutPublicAccessBlockAsync(RequestContext context)
    {
        var body = await ReadDocumentAsync(context);
        await access.PutPublicAccessBlockAsync(context.Bucket, AccessXml.ReadPublicAccessBlock(body), context.Aborted);
        await Responses.EmptyAsync(context);
    }

    public Task GetPublicAccessBlockAsync(RequestContext context) =>
        Responses.XmlAsync(context, XmlDocumentWriter.Write(access.GetPublicAccessBlock(context.Bucket), context.Dialect));

    public async Task DeletePublicAccessBlockAsync(RequestContext context)
    {
        await access.DeletePublicAccessBlockAsync(context.Bucket, context.Aborted);
        await Responses.EmptyAsync(context, 204);
    }

    /// <summary>PutBucketRequestPayment (S3 only): who pays, Requester or BucketOwner; anything else is MalformedXML.</summary>
    public async Task PutRequestPaymentAsync(RequestContext context)
    {
        var body = await ReadDocumentAsync(context);
        await access.PutRequestPaymentAsync(context.Bucket, AccessXml.ReadRequestPayment(body), context.Aborted);
        await Responses.EmptyAsync(context);
    }

    /// <summary>GetBucketRequestPayment (S3 only): from the rules read for the request, which carry the setting.</summary>
    public static Task GetRequestPaymentAsync(RequestContext context) =>
        Responses.XmlAsync(context, XmlDocumentWriter.WriteRequestPayment(context.Rules!.RequesterPays, context.Dialect));

    /// <summary>A small configuration body, Content-MD5 checked when sent; an empty one is MissingRequestBody.</summary>
    internal static async Task<System.Xml.Linq.XElement> ReadDocumentAsync(RequestContext context)
    {
        var bytes = await Bodies.ReadVerifiedAsync(context, MaxConfigurationBytes);
        return await SafeXml.ReadAsync(new MemoryStream(bytes), MaxConfigurationBytes, context.Aborted)
            ?? throw new CofferException(ErrorCode.MissingRequestBody);
    }

    private static void WriteVersionId(RequestContext context, string versionId)
    {
        if (versionId != Model.Objects.ObjectInfo.NullVersionId)
        {
            context.Response.Headers[context.Wire.VersionId] = versionId;
        }
    }
}
