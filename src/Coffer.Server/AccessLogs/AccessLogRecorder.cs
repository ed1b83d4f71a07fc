using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Coffer.Common;
using Coffer.Model.Access;
using Coffer.Model.Buckets;
using Coffer.Protocol.Routing;
using Coffer.Server.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.AccessLogs;

/// <summary>What the request pipeline knows about a request once it has been answered.</summary>
internal readonly record struct AnsweredRequest(
    Route? Route,
    BucketRulesLookup RulesLookup,
    DateTimeOffset ReceivedAt,
    string RequestId,
    string RawTarget,
    string? Requester,
    bool Signed,
    bool Presigned,
    long? BodyLength,
    string? ErrorCode,
    TimeSpan Elapsed);

/// <summary>
/// Turns each request on a bucket with access logging on into one record of S3's server access log format and buffers
/// it for <see cref="AccessLogDeliveryService"/>. Whether logging is on comes from the bucket's rules the request was
/// authorized with (the configurations read with them, cached on the embedded engine), so a request on a bucket without
/// logging costs a dictionary look-up. Log objects are written by the delivery service, never through this pipeline,
/// so they are never logged themselves, even when a bucket logs into itself.
/// </summary>
internal sealed class AccessLogRecorder(BucketSettings settings, AccessControl access, AccessLogBuffer buffer)
{
    public void Record(HttpContext http, in AnsweredRequest request)
    {
        if (request.Route is not { Bucket: { } bucket } route || route.Operation == Operation.OptionsObject)
        {
            return;
        }

        // Answered already (the rules, or the bucket missing): no second read for the record.
        var rules = request.RulesLookup.Answered ? request.RulesLookup.Rules : RulesOrNull(bucket);
        if (rules is null || settings.FindLogging(rules) is not { } configuration)
        {
            return;
        }

        var destination = new LogDestination(rules.Bucket.Name, rules.OwnerUin, rules.Bucket.Region, configuration);
        buffer.Add(new PendingLogRecord(destination, request.ReceivedAt, Line(http, rules, route, request)));
    }

    /// <summary>The rules of a request that failed before its bucket's rules were read (a bad signature, a malformed request), read from the cache where it has them.</summary>
    private BucketAccessRules? RulesOrNull(string bucket)
    {
        try
        {
            return access.Rules(bucket);
        }
        catch (Exception error) when (error is CofferException or Storage.MetadataUnavailableException)
        {
            return null;
        }
    }

    /// <summary>
    /// One record: bucket owner, bucket, [time], remote IP, requester, request id, operation, key, "request-URI",
    /// status, error code, bytes sent, object size, total time, turn-around time, "referer", "user-agent", version id,
    /// host id, signature version, cipher suite, authentication type, host header, TLS version, access point ARN, ACL
    /// required; <c>-</c> where a field has no value here (no TLS, no host id, no turn-around time measured apart).
    /// </summary>
    private static string Line(HttpContext http, BucketAccessRules rules, Route route, in AnsweredRequest request)
    {
        var response = http.Response;
        var line = new StringBuilder(384);
        Field(line, rules.OwnerUin);
        Field(line, rules.Bucket.Name);
        line.Append(request.ReceivedAt.UtcDateTime.ToString("'['dd/MMM/yyyy:HH:mm:ss' +0000] '", CultureInfo.InvariantCulture));
        Field(line, RequestContext.SourceIpOf(http));
        Field(line, request.Requester);
        Field(line, request.RequestId);
        Field(line, OperationName(http.Request.Method, route));
        Field(line, route.Key is { } key ? UrlEncoding.EncodePath(key) : null);
        Quoted(line, $"{http.Request.Method} {WithoutSecrets(request.RawTarget)} {http.Request.Protocol}");
        Field(line, response.StatusCode.ToString(CultureInfo.InvariantCulture));
        Field(line, request.ErrorCode);
        Field(line, BytesSent(http)?.ToString(CultureInfo.InvariantCulture));
        Field(line, ObjectSize(http, route, request.BodyLength)?.ToString(CultureInfo.InvariantCulture));
        Field(line, ((long)request.Elapsed.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        Field(line, null);
        Quoted(line, http.Request.Headers.Referer.ToString());
        Quoted(line, http.Request.Headers.UserAgent.ToString());
        Field(line, VersionId(response));
        Field(line, null);
        Field(line, request.Signed && route.Dialect == Dialect.S3 ? "SigV4" : null);
        Field(line, null);
        Field(line, !request.Signed ? null : request.Presigned ? "QueryString" : "AuthHeader");
        Field(line, http.Request.Host.Value);
        Field(line, null);
        Field(line, null);
        line.Append('-');
        return line.ToString();
    }

    /// <summary>
    /// Query parameters whose values authenticate a request: whoever reads a log record with them could replay a
    /// presigned URL (the log's reader can be another account, the target bucket's owner). SigV4 and SigV2 query auth,
    /// COS query auth (<c>q-signature</c>, <c>q-ak</c>, the <c>sign</c> form) and the temporary-credential tokens.
    /// </summary>
    private static readonly FrozenSet<string> SecretParameters = FrozenSet.ToFrozenSet(
        ["X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "Signature", "AWSAccessKeyId",
            "q-signature", "q-ak", "x-cos-security-token", "sign"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The request target with the value of every <see cref="SecretParameters"/> entry replaced by <c>-</c>, as S3 redacts
    /// X-Amz-Signature in its own access logs; the parameter's name stays so the record still shows how it was signed.
    /// </summary>
    internal static string WithoutSecrets(string rawTarget)
    {
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return rawTarget;
        }

        var parameters = rawTarget[(question + 1)..].Split('&');
        var redacted = false;
        for (var i = 0; i < parameters.Length; i++)
        {
            var equals = parameters[i].IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? parameters[i] : parameters[i][..equals];
            if (equals >= 0 && SecretParameters.Contains(Uri.UnescapeDataString(name)))
            {
                parameters[i] = name + "=-";
                redacted = true;
            }
        }

        return redacted ? string.Concat(rawTarget.AsSpan(0, question + 1), string.Join('&', parameters)) : rawTarget;
    }

    private static void Field(StringBuilder line, string? value) =>
        line.Append(string.IsNullOrEmpty(value) ? "-" : value.Replace(' ', '+')).Append(' ');

    /// <summary>A quoted field (request-URI, referer, user-agent) is cut to this many characters: a client chooses its length.</summary>
    private const int MaxQuotedLength = 4096;

    private static void Quoted(StringBuilder line, string value) =>
        line.Append('"').Append(value.Length == 0 ? "-" : value[..Math.Min(value.Length, MaxQuotedLength)].Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\" ");

    /// <summary>The body bytes sent: none for a HEAD or a 304, whose Content-Length describes a body never sent.</summary>
    private static long? BytesSent(HttpContext http) =>
        HttpMethods.IsHead(http.Request.Method) || http.Response.StatusCode == StatusCodes.Status304NotModified ? null
        : http.Response.ContentLength is > 0 and { } sent ? sent : null;

    /// <summary>
    /// The object's whole size, for the object operations S3 gives it for: a write's body as decoded (not its aws-chunked
    /// framing), or a read's length (its total when the read was ranged).
    /// </summary>
    private static long? ObjectSize(HttpContext http, Route route, long? bodyLength)
    {
        switch (route.Operation)
        {
            case Operation.PutObject or Operation.UploadPart:
                return bodyLength;
            case Operation.GetObject or Operation.HeadObject:
                var range = http.Response.Headers.ContentRange.ToString();
                var slash = range.LastIndexOf('/');
                return slash >= 0 && long.TryParse(range.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var total)
                    ? total
                    : http.Response.StatusCode is >= 200 and < 300 ? http.Response.ContentLength : null;
            default:
                return null;
        }
    }

    private static string? VersionId(HttpResponse response) =>
        response.Headers.TryGetValue("x-amz-version-id", out var amz) ? amz.ToString()
        : response.Headers.TryGetValue("x-cos-version-id", out var cos) ? cos.ToString()
        : null;

    /// <summary>S3's names for the common operations (<c>REST.PUT.OBJECT</c>); others name their sub-resource (<c>REST.GET.ACL</c>).</summary>
    private static string OperationName(string method, Route route) => route.Operation switch
    {
        Operation.ListObjects or Operation.ListObjectsV2 or Operation.HeadBucket or Operation.CreateBucket or Operation.DeleteBucket => $"REST.{method}.BUCKET",
        Operation.ListObjectVersions => "REST.GET.BUCKETVERSIONS",
        Operation.GetObject or Operation.HeadObject or Operation.PutObject or Operation.DeleteObject or Operation.PostObject => $"REST.{method}.OBJECT",
        Operation.CopyObject => "REST.COPY.OBJECT",
        Operation.DeleteObjects => "REST.POST.MULTI_OBJECT_DELETE",
        Operation.CreateMultipartUpload => "REST.POST.UPLOADS",
        Operation.ListMultipartUploads => "REST.GET.UPLOADS",
        Operation.UploadPart => "REST.PUT.PART",
        Operation.UploadPartCopy => "REST.COPY.PART",
        Operation.CompleteMultipartUpload => "REST.POST.UPLOAD",
        Operation.AbortMultipartUpload => "REST.DELETE.UPLOAD",
        Operation.ListParts => "REST.GET.UPLOAD",
        Operation.GetBucketLogging or Operation.PutBucketLogging => $"REST.{method}.LOGGING_STATUS",
        Operation.GetBucketPolicy or Operation.PutBucketPolicy or Operation.DeleteBucketPolicy => $"REST.{method}.BUCKETPOLICY",
        Operation.GetObjectTagging or Operation.PutObjectTagging or Operation.DeleteObjectTagging => $"REST.{method}.OBJECT_TAGGING",
        var other => $"REST.{method}.{SubResource(other.ToString())}",
    };

    /// <summary><c>GetBucketAcl</c> → <c>ACL</c>, <c>PutObjectTagging</c> → <c>TAGGING</c>.</summary>
    private static string SubResource(string operation)
    {
        foreach (var verb in (string[])["Get", "Put", "Delete", "List", "Post"])
        {
            if (operation.StartsWith(verb, StringComparison.Ordinal))
            {
                operation = operation[verb.Length..];
                break;
            }
        }

        foreach (var level in (string[])["Bucket", "Object"])
        {
            if (operation.StartsWith(level, StringComparison.Ordinal) && operation.Length > level.Length)
            {
                operation = operation[level.Length..];
                break;
            }
        }

        return operation.ToUpperInvariant();
    }
}
