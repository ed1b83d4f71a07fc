using System.Text.Json;
using Coffer.Protocol.Routing;
using Coffer.Storage;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Pipeline;

/// <summary>
/// <c>GET /healthz</c> (the process answers) and <c>GET /readyz</c> (the metadata store answers a read and the blob folder
/// takes a write) on the API port, without authentication. They are answered only where no bucket is named by the
/// host: at a bucket's virtual host, <c>/healthz</c> is that bucket's object as always. Path style cannot collide
/// either: a bucket name always ends in <c>-&lt;APPID&gt;</c>, so no bucket is named <c>healthz</c> or <c>readyz</c>.
/// </summary>
internal sealed class HealthEndpoints(HostResolver hosts, IMetadataStore metadata, CofferServerOptions options)
{
    public bool Matches(HttpContext http) =>
        (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        && http.Request.Path.Value is "/healthz" or "/readyz"
        && !http.Request.QueryString.HasValue
        && hosts.Resolve(http.Request.Host.Value).Bucket is null;

    public Task WriteAsync(HttpContext http)
    {
        if (http.Request.Path.Value == "/healthz")
        {
            return Write(http, 200, new Dictionary<string, string> { ["status"] = "live" });
        }

        var checks = new Dictionary<string, string> { ["metadata"] = Check(CheckMetadata), ["blobs"] = Check(CheckBlobs) };
        var ready = checks.Values.All(v => v == "ok");
        checks["status"] = ready ? "ready" : "not ready";
        return Write(http, ready ? 200 : 503, checks);
    }

    private void CheckMetadata()
    {
        using var reader = metadata.OpenSnapshot();
        reader.Buckets.Get("readyz-probe");
    }

    private void CheckBlobs()
    {
        var probe = Path.Combine(options.DataDirectory, "tmp", $"readyz-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, [1]);
        }
        finally
        {
            // A write that failed part way (a full disk) has still made the file.
            File.Delete(probe);
        }
    }

    private static string Check(Action check)
    {
        try
        {
            check();
            return "ok";
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException or System.Data.Common.DbException
            or Storage.MetadataUnavailableException or Storage.MetadataRefusedException)
        {
            return error.Message;
        }
    }

    private static Task Write(HttpContext http, int status, Dictionary<string, string> body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        return HttpMethods.IsHead(http.Request.Method) ? Task.CompletedTask : http.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
