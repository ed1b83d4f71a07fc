using System.Text.Json;
using Coffer.Common;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Protocol.Errors;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Coffer.Server.Pipeline;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Coffer.WebConsole;

/// <summary>
/// One console API request by a signed-in identity. Every check of what it may do goes through the API's own
/// <see cref="Authorizer"/>, as the S3/COS request for the same operation would (same CAM action, bucket policy, ACL and
/// the identity's policies), so the console can never show or do more than the API allows that key.
/// </summary>
internal sealed class ConsoleRequest(HttpContext http, Credential caller, Authorizer authorizer)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public HttpContext Http { get; } = http;

    public Credential Caller { get; } = caller;

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>Authorizes <paramref name="operation"/> on the bucket (and key), with the query a client would send; AccessDenied otherwise.</summary>
    public BucketAccessRules? Authorize(Operation operation, string? bucket, string? key = null, string query = "") =>
        authorizer.Authorize(Caller, new Protocol.Routing.Route(operation, Dialect.Cos, bucket, key, null, false), RequestTarget.Parse("/?" + query),
            Http.Connection.RemoteIpAddress?.ToString());

    public string Query(string name) => Http.Request.Query[name].ToString();

    public string? OptionalQuery(string name) => Http.Request.Query.TryGetValue(name, out var value) && value.ToString().Length > 0 ? value.ToString() : null;

    /// <summary>The bucket named in the route; a malformed name is InvalidBucketName.</summary>
    public string Bucket() => BucketName.Parse(Http.GetRouteValue("bucket")?.ToString() ?? "").Value;

    public string RequiredQuery(string name) =>
        OptionalQuery(name) ?? throw new CofferException(ErrorCode.InvalidArgument, $"The parameter '{name}' is missing.");

    public Task JsonAsync(object value, int status = 200)
    {
        Http.Response.StatusCode = status;
        Http.Response.Headers.CacheControl = "no-store";
        return Http.Response.WriteAsJsonAsync(value, Json, Aborted);
    }

    public static Task ErrorAsync(HttpContext http, int status, string code, string message)
    {
        http.Response.StatusCode = status;
        http.Response.Headers.CacheControl = "no-store";
        return http.Response.WriteAsJsonAsync(new { code, message }, Json);
    }

    public static Task ErrorAsync(HttpContext http, CofferException error)
    {
        var row = ErrorTable.Get(error.Code);
        return ErrorAsync(http, row.Status, row.CosCode, error.HasCustomMessage ? error.Message : row.Message);
    }
}
