using Coffer.Common;
using Coffer.Protocol.Errors;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Pipeline;

/// <summary>Turns a failure into the XML <c>&lt;Error&gt;</c> response of the request's dialect.</summary>
internal static class ErrorResponder
{
    public static async Task WriteAsync(HttpContext http, CofferException error, Dialect dialect, string requestId, string rawPath)
    {
        var descriptor = ErrorTable.Get(error.Code);
        var response = http.Response;
        if (response.HasStarted)
        {
            // Part of a body is already on the wire: cutting the connection is the only honest signal left.
            http.Abort();
            return;
        }

        var traceId = RequestIds.NewTraceId();
        // The CORS headers stay: a page the bucket's rules allow may read the error, as S3 lets it.
        var cors = response.Headers.Where(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase) || h.Key == "Vary").ToList();
        response.Clear();
        foreach (var (name, value) in cors)
        {
            response.Headers[name] = value;
        }

        CommonHeaders.Apply(response, requestId, dialect);
        response.StatusCode = descriptor.Status;
        response.Headers["x-cos-trace-id"] = traceId;
        foreach (var (name, value) in error.ResponseHeaders)
        {
            response.Headers[name] = value;
        }

        if (descriptor.Status == StatusCodes.Status304NotModified || HttpMethods.IsHead(http.Request.Method))
        {
            return;
        }

        var host = HostResolver.StripPort(http.Request.Host.Value ?? "");
        var document = new ErrorDocument(
            descriptor.CodeFor(dialect),
            error.HasCustomMessage ? error.Message : descriptor.Message,
            dialect == Dialect.S3 ? rawPath : host + rawPath,
            requestId,
            traceId)
        {
            Details = error.Details,
        };
        var body = XmlDocumentWriter.Write(document);
        response.ContentType = "application/xml";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
    }
}
