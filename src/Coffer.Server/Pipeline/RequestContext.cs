using Coffer.Model.Accounts;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Pipeline;

/// <summary>Everything a handler needs about the request it serves.</summary>
internal sealed class RequestContext(HttpContext http, RequestTarget target, Route route, Account caller, string requestId)
{
    public HttpContext Http { get; } = http;

    public HttpRequest Request => Http.Request;

    public HttpResponse Response => Http.Response;

    public RequestTarget Target { get; } = target;

    public Route Route { get; } = route;

    public Account Caller { get; } = caller;

    public string RequestId { get; } = requestId;

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>The bucket named by the request; the router guarantees one for bucket and object operations.</summary>
    public string Bucket => Route.Bucket ?? throw new InvalidOperationException("The operation has no bucket.");

    public string Key => Route.Key ?? throw new InvalidOperationException("The operation has no key.");

    public string? Header(string name) => Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
}
