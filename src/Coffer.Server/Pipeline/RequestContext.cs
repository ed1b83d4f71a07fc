using Coffer.Model.Accounts;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Pipeline;

/// <summary>Who sent a request, and the body to read: decoded and verified as its signature demands.</summary>
internal sealed record Authenticated(Account Caller, Stream Body, long? ContentLength);

/// <summary>Everything a handler needs about the request it serves.</summary>
internal sealed class RequestContext(HttpContext http, RequestTarget target, Route route, Authenticated authenticated, string requestId)
{
    public HttpContext Http { get; } = http;

    public HttpRequest Request => Http.Request;

    public HttpResponse Response => Http.Response;

    public RequestTarget Target { get; } = target;

    public Route Route { get; } = route;

    public Dialect Dialect => Route.Dialect;

    /// <summary>The dialect's header names (<c>x-cos-*</c> or <c>x-amz-*</c>).</summary>
    public WireHeaders Wire => WireHeaders.For(Route.Dialect);

    public Account Caller => authenticated.Caller;

    /// <summary>The request body as the object's bytes: aws-chunked decoded, hashes and signatures checked.</summary>
    public Stream Body => authenticated.Body;

    /// <summary>The length of <see cref="Body"/> when known (the decoded length for aws-chunked bodies).</summary>
    public long? ContentLength => authenticated.ContentLength;

    public string RequestId { get; } = requestId;

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>The bucket named by the request; the router guarantees one for bucket and object operations.</summary>
    public string Bucket => Route.Bucket ?? throw new InvalidOperationException("The operation has no bucket.");

    public string Key => Route.Key ?? throw new InvalidOperationException("The operation has no key.");

    /// <summary>The id the owner appears under in listings: the APPID for COS, the uin for S3.</summary>
    public string OwnerId => Dialect == Dialect.S3 ? Caller.Uin : Caller.AppId;

    public string? Header(string name) => Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
}
