using Coffer.Common;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Coffer.Server.Pipeline;

/// <summary>Who sent a request (null: nobody signed it), and the body to read: decoded and verified as its signature demands.</summary>
/// <param name="SignedRegion">The region a SigV4 signature is scoped to; null for COS signatures and anonymous requests.</param>
/// <param name="Presigned">True when the signature came in the query string.</param>
internal sealed record Authenticated(Credential? Credential, Stream Body, long? ContentLength, string? SignedRegion = null, bool Presigned = false);

/// <summary>
/// Everything a handler needs about the request it serves. For a browser form upload the form's fields stand in for
/// the request's headers (<paramref name="formFields"/>), so the object is described by the same readers as a PUT's.
/// </summary>
internal sealed class RequestContext(
    HttpContext http, RequestTarget target, Route route, Authenticated authenticated, BucketAccessRules? rules, Account? bucketOwner, string requestId,
    AccountDirectory accounts, IReadOnlyDictionary<string, string>? formFields = null)
{
    public HttpContext Http { get; } = http;

    public HttpRequest Request => Http.Request;

    public HttpResponse Response => Http.Response;

    public RequestTarget Target { get; } = target;

    public Route Route { get; } = route;

    public Dialect Dialect => Route.Dialect;

    /// <summary>The dialect's header names (<c>x-cos-*</c> or <c>x-amz-*</c>).</summary>
    public WireHeaders Wire => WireHeaders.For(Route.Dialect);

    /// <summary>The key that signed the request; null when it is anonymous.</summary>
    public Credential? Credential => authenticated.Credential;

    /// <summary>The root account of whoever signed the request (a sub-account acts within its root's account).</summary>
    public Account Caller => authenticated.Credential?.Identity.Root
        ?? throw new CofferException(ErrorCode.AccessDenied, "Access Denied. This request must be signed.");

    /// <summary>The rules of the request's bucket, when it names an existing one: its owner, policy and ACL.</summary>
    public BucketAccessRules? Rules { get; } = rules;

    /// <summary>The root accounts this server knows (grants name them).</summary>
    public AccountDirectory Accounts { get; } = accounts;

    /// <summary>The account that owns the request's bucket, when it names an existing one of a configured account.</summary>
    public Account? BucketOwner { get; } = bucketOwner;

    /// <summary>The address the request came from, for policies' <c>qcs:ip</c> conditions.</summary>
    public string? SourceIp => SourceIpOf(Http);

    /// <summary>The client's address as policies compare it: IPv4 as IPv4 even when it arrived mapped into IPv6.</summary>
    public static string? SourceIpOf(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : null;

    /// <summary>The request body as the object's bytes: aws-chunked decoded, hashes and signatures checked.</summary>
    public Stream Body => authenticated.Body;

    /// <summary>The length of <see cref="Body"/> when known (the decoded length for aws-chunked bodies).</summary>
    public long? ContentLength => authenticated.ContentLength;

    public string RequestId { get; } = requestId;

    /// <summary>
    /// Refuses an upload whose body has no length on the wire: neither Content-Length nor Transfer-Encoding, which HTTP/1.1
    /// reads as no body at all (RFC 9112 §6.3). S3 and COS answer 411 MissingContentLength rather than store an empty
    /// object or part where the client may have meant to send bytes.
    /// </summary>
    public void RequireBodyLength()
    {
        // HTTP/1.x only: HTTP/2 and HTTP/3 frame a body by its stream, and require no length for it.
        if (Request.ContentLength is null && !HttpProtocol.IsHttp2(Request.Protocol) && !HttpProtocol.IsHttp3(Request.Protocol)
            && Http.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            throw new CofferException(ErrorCode.MissingContentLength, "You must provide the Content-Length HTTP header.");
        }
    }

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>The bucket named by the request; the router guarantees one for bucket and object operations.</summary>
    public string Bucket => Route.Bucket ?? throw new InvalidOperationException("The operation has no bucket.");

    public string Key => Route.Key ?? throw new InvalidOperationException("The operation has no key.");

    /// <summary>The id the bucket's owner appears under in listings: the APPID for COS, the uin for S3.</summary>
    public string OwnerId => Dialect == Dialect.S3
        ? BucketOwner?.Uin ?? Rules?.Bucket.OwnerAppId ?? Caller.Uin
        : Rules?.Bucket.OwnerAppId ?? Caller.AppId;

    public string? Header(string name) => formFields is not null
        ? formFields.GetValueOrDefault(name)
        : Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    /// <summary>Every header of the request (or field of the form) with its value.</summary>
    public IEnumerable<KeyValuePair<string, StringValues>> Headers => formFields is null
        ? Request.Headers
        : formFields.Select(f => new KeyValuePair<string, StringValues>(f.Key, f.Value));

    /// <summary>The request's <c>x-cos-*</c> / <c>x-amz-*</c> values (or form fields) as policy conditions read them.</summary>
    public RequestConditions RequestConditions => field ??= new RequestConditions(Request, formFields, Wire.Prefix);

    /// <summary>The fields of a browser form upload; null for any other request.</summary>
    public IReadOnlyDictionary<string, string>? FormFields => formFields;
}
