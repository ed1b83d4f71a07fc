using Coffer.Common;
using Coffer.Common.ObjectLock;
using Coffer.Model;
using Coffer.Model.Objects;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

/// <summary>Object lock's own resources: the bucket's <c>?object-lock</c>, an object's <c>?retention</c> and <c>?legal-hold</c>.</summary>
internal sealed class ObjectLockHandlers(IObjectService objects)
{
    private const int MaxDocumentBytes = 64 * 1024;

    /// <summary>PUT Bucket object lock: enables it (on a versioned bucket) and sets or clears the default retention.</summary>
    public async Task PutBucketObjectLockAsync(RequestContext context)
    {
        var configuration = ObjectLockXml.ReadConfiguration(await ReadDocumentAsync(context));
        await objects.PutObjectLockConfigurationAsync(context.Bucket, configuration, context.Aborted);
        await Responses.EmptyAsync(context);
    }

    public Task GetBucketObjectLockAsync(RequestContext context) =>
        Responses.XmlAsync(context, XmlDocumentWriter.Write(objects.GetObjectLockConfiguration(context.Bucket), context.Dialect));

    /// <summary>PUT Object retention; weakening a GOVERNANCE retention takes the bypass header and permission.</summary>
    public async Task PutObjectRetentionAsync(RequestContext context)
    {
        var retention = ObjectLockXml.ReadRetention(await ReadDocumentAsync(context));
        var info = await objects.PutObjectRetentionAsync(context.Bucket, context.Key, ObjectHandlers.VersionIdOf(context), retention.Mode,
            retention.RetainUntil, ObjectLockHeaders.BypassesGovernance(context), context.Aborted);
        ObjectHeaders.WriteVersionId(context, info);
        await Responses.EmptyAsync(context);
    }

    /// <summary>GET Object retention: NoSuchObjectLockConfiguration for a version that has none.</summary>
    public Task GetObjectRetentionAsync(RequestContext context)
    {
        var info = LockedVersion(context);
        return info.RetentionMode is null
            ? throw new CofferException(ErrorCode.NoSuchObjectLockConfiguration)
            : Responses.XmlAsync(context, XmlDocumentWriter.Write(new RetentionDocument(info.RetentionMode, info.RetainUntil), context.Dialect));
    }

    public async Task PutObjectLegalHoldAsync(RequestContext context)
    {
        var on = ObjectLockXml.ReadLegalHold(await ReadDocumentAsync(context));
        var info = await objects.PutObjectLegalHoldAsync(context.Bucket, context.Key, ObjectHandlers.VersionIdOf(context), on, context.Aborted);
        ObjectHeaders.WriteVersionId(context, info);
        await Responses.EmptyAsync(context);
    }

    /// <summary>GET Object legal hold: ON or OFF (a version keeps no difference between never held and lifted).</summary>
    public Task GetObjectLegalHoldAsync(RequestContext context) =>
        Responses.XmlAsync(context, XmlDocumentWriter.WriteLegalHold(LockedVersion(context).LegalHold, context.Dialect));

    /// <summary>The version a GET of its retention or legal hold names, in a bucket with object lock; never a delete marker.</summary>
    private ObjectInfo LockedVersion(RequestContext context)
    {
        var versionId = ObjectHandlers.VersionIdOf(context);
        var info = objects.HeadObject(context.Bucket, context.Key, versionId);
        ObjectHeaders.RejectDeleteMarker(context, info, versionId);
        // Only a bucket with object lock can give a version either; S3 answers InvalidRequest for one without.
        return info.RetentionMode is null && !info.LegalHold && objects.FindObjectLockConfiguration(context.Bucket) is null
            ? throw new CofferException(ErrorCode.InvalidRequest, "Bucket is missing Object Lock Configuration")
            : info;
    }

    /// <summary>The request's document, its integrity header required in S3 as for every object lock request, checked when sent.</summary>
    private static async Task<System.Xml.Linq.XElement> ReadDocumentAsync(RequestContext context)
    {
        ObjectLockHeaders.RequireIntegrity(context);
        var bytes = await Bodies.ReadVerifiedAsync(context, MaxDocumentBytes);
        return await SafeXml.ReadAsync(new MemoryStream(bytes), MaxDocumentBytes, context.Aborted)
            ?? throw new CofferException(ErrorCode.MissingRequestBody);
    }
}

/// <summary>Object lock headers in and out: <c>x-amz-object-lock-*</c> (<c>x-cos-object-lock-*</c> in COS) and the governance bypass.</summary>
internal static class ObjectLockHeaders
{
    /// <summary>
    /// What a write's lock headers ask for; <see cref="ObjectLockRequest.None"/> without any. In S3 a write that carries
    /// the object's bytes (<paramref name="withBody"/>: PutObject) needs Content-MD5 or a checksum with them; a copy or
    /// CreateMultipartUpload carries none to check.
    /// </summary>
    public static ObjectLockRequest Read(RequestContext context, bool withBody = false)
    {
        var prefix = context.Wire.Prefix + "object-lock-";
        var mode = context.Header(prefix + "mode");
        var until = context.Header(prefix + "retain-until-date");
        var hold = context.Header(prefix + "legal-hold");
        if (mode is null && until is null && hold is null)
        {
            return ObjectLockRequest.None;
        }

        if (withBody)
        {
            RequireIntegrity(context);
        }

        return new ObjectLockRequest(
            mode?.Trim(),
            until is null ? null : ObjectLockXml.ParseDate(until.Trim(), ErrorCode.InvalidArgument),
            hold?.Trim() switch
            {
                null => null,
                "ON" => true,
                "OFF" => false,
                _ => throw new CofferException(ErrorCode.InvalidArgument, "Legal Hold must be either of 'ON' or 'OFF'"),
            });
    }

    /// <summary>
    /// HEAD and GET say a version's retention and legal hold to a caller who may read them (S3 sends them only then):
    /// the mode and date together, the legal hold when it is on.
    /// </summary>
    public static void Write(RequestContext context, ObjectInfo info)
    {
        if (info.RetentionMode is null && !info.LegalHold)
        {
            return;
        }

        var prefix = context.Wire.Prefix + "object-lock-";
        if (info.RetentionMode is { } mode && info.RetainUntil is { } until && May(context, Operation.GetObjectRetention))
        {
            context.Response.Headers[prefix + "mode"] = mode;
            context.Response.Headers[prefix + "retain-until-date"] = HttpDates.Iso8601(until);
        }

        if (info.LegalHold && May(context, Operation.GetObjectLegalHold))
        {
            context.Response.Headers[prefix + "legal-hold"] = "ON";
        }
    }

    /// <summary>
    /// Whether the request asks to bypass GOVERNANCE retention (<c>x-amz-bypass-governance-retention: true</c>) and its
    /// caller may (<c>BypassGovernanceRetention</c>) on every key it names: the request's own, or those of a batch delete.
    /// </summary>
    public static bool BypassesGovernance(RequestContext context, IEnumerable<string>? keys = null) =>
        string.Equals(context.Header(context.Wire.Prefix + "bypass-governance-retention")?.Trim(), "true", StringComparison.OrdinalIgnoreCase)
        && context.Rules is { } rules
        && (keys ?? [context.Key]).All(key => Authorizer.IsAllowed(context.Credential, rules, key, CamActions.BypassGovernanceRetention,
            Authorizer.Context(context.Target, context.SourceIp), context.RequestConditions));

    /// <summary>
    /// S3 takes object lock requests only with an integrity check of the body: Content-MD5 or a flexible checksum. COS
    /// documents no such rule for its object lock APIs, so its dialect does not ask.
    /// </summary>
    public static void RequireIntegrity(RequestContext context)
    {
        if (context.Dialect != Dialect.S3 || context.Header("Content-MD5") is not null || context.Header("x-amz-sdk-checksum-algorithm") is not null
            || context.Header("x-amz-trailer") is not null
            || context.Request.Headers.Keys.Any(name => name.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        throw new CofferException(ErrorCode.InvalidRequest, "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters");
    }

    private static bool May(RequestContext context, Operation operation) =>
        context.Rules is not { } rules
        || Authorizer.IsAllowed(context.Credential, rules, context.Key, CamActions.For(operation), Authorizer.Context(null, context.SourceIp),
            context.RequestConditions);
}
