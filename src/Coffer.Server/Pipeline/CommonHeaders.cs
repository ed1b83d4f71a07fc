using Coffer.Protocol.Routing;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Pipeline;

/// <summary>
/// Headers on every response: the request id and the server name clients expect. S3 answers carry the id in both
/// vocabularies; COS answers only as <c>x-cos-request-id</c>, as COS does (cos-nodejs-sdk-v5's tests compare two HEAD
/// answers header by header, leaving out only the headers that differ between requests on COS).
/// </summary>
internal static class CommonHeaders
{
    public static void Apply(HttpResponse response, string requestId, Dialect dialect)
    {
        response.Headers["x-cos-request-id"] = requestId;
        if (dialect == Dialect.S3)
        {
            response.Headers["x-amz-request-id"] = requestId;
        }
        else
        {
            // Apply runs again as the dialect becomes known (from the signature, then a form upload's fields, then in the
            // error responder): a COS answer drops the x-amz-request-id an earlier call for S3 set.
            response.Headers.Remove("x-amz-request-id");
        }

        response.Headers.Server = dialect == Dialect.S3 ? "AmazonS3" : "tencent-cos";
    }
}
