using Coffer.Protocol.Routing;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Pipeline;

/// <summary>Headers on every response: the request id in both vocabularies and the server name clients expect.</summary>
internal static class CommonHeaders
{
    public static void Apply(HttpResponse response, string requestId, Dialect dialect)
    {
        response.Headers["x-cos-request-id"] = requestId;
        response.Headers["x-amz-request-id"] = requestId;
        response.Headers.Server = dialect == Dialect.S3 ? "AmazonS3" : "tencent-cos";
    }
}
