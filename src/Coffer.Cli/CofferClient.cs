using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using Coffer.Common;
using Coffer.Protocol.Auth;

namespace Coffer.Cli;

/// <summary>Where the server is and whose key signs the requests.</summary>
public sealed record ClientOptions(Uri Endpoint, string SecretId, string SecretKey, TimeSpan Timeout);

/// <summary>
/// A small COS client for coffer's own commands: path-style requests to the endpoint, signed with q-sign like the COS
/// SDKs. An error response becomes a <see cref="CliException"/> naming the server's code and message.
/// </summary>
public sealed class CofferClient(ClientOptions options) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = options.Timeout };

    /// <summary>Sends a signed request to <paramref name="bucket"/> (and <paramref name="key"/>) with the given query; returns the body.</summary>
    public async Task<byte[]> SendAsync(HttpMethod method, string bucket, string? key, string query, byte[]? body = null,
        string? contentType = null, CancellationToken cancellationToken = default) =>
        (await ExchangeAsync(method, $"/{bucket}/{key ?? ""}", query, body, contentType, [], key is null ? $"bucket {bucket}" : $"{bucket}/{key}",
            cancellationToken)).Body;

    /// <summary>
    /// Sends a signed request to a path that names no bucket (the batch job API's <c>/jobs</c>), with extra headers;
    /// returns the body.
    /// </summary>
    public async Task<byte[]> SendToPathAsync(HttpMethod method, string path, string query, IReadOnlyList<KeyValuePair<string, string>> headers,
        byte[]? body = null, CancellationToken cancellationToken = default) =>
        (await ExchangeAsync(method, path, query, body, body is null ? null : "application/xml", headers, path, cancellationToken)).Body;

    /// <summary>The ETag of an object, as HEAD answers it (quoted).</summary>
    public async Task<string> HeadETagAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        var (_, headers) = await ExchangeAsync(HttpMethod.Head, $"/{bucket}/{key}", "", null, null, [], $"{bucket}/{key}", cancellationToken);
        return headers.ETag?.Tag ?? throw new CliException(ExitCodes.Refused, $"the server named no ETag for {bucket}/{key}");
    }

    private async Task<(byte[] Body, System.Net.Http.Headers.HttpResponseHeaders Headers)> ExchangeAsync(HttpMethod method, string path, string query,
        byte[]? body, string? contentType, IReadOnlyList<KeyValuePair<string, string>> headers, string where, CancellationToken cancellationToken)
    {
        var uri = new Uri(options.Endpoint, UrlEncoding.EncodePath(path) + (query.Length > 0 ? "?" + query : ""));
        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType ?? "application/octet-stream");
            request.Content.Headers.ContentMD5 = System.Security.Cryptography.MD5.HashData(body);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var parameters = Protocol.Http.RequestTarget.Parse("/?" + query).Query.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).ToList();
        request.Headers.TryAddWithoutValidation("Authorization", CosRequestSigner.Authorization(options.SecretId, options.SecretKey, method.Method, path,
            parameters, [new("host", host)], DateTimeOffset.UtcNow.AddSeconds(-5), TimeSpan.FromMinutes(15)));

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException error) when (error.InnerException is SocketException || error.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new CliException(ExitCodes.Unreachable, $"no Coffer server answers at {options.Endpoint} ({error.Message}); start one with `coffer serve` or pass --endpoint");
        }
        catch (HttpRequestException error) when (error.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            throw new CliException(ExitCodes.Unreachable,
                $"no TLS connection could be made to {options.Endpoint} ({error.InnerException?.Message ?? error.Message}); is it an http:// endpoint?");
        }
        catch (HttpRequestException error)
        {
            // Whatever else broke the exchange (a reset, a response that is no HTTP): still no answer from a Coffer server.
            throw new CliException(ExitCodes.Unreachable, $"no Coffer server answered at {options.Endpoint} ({error.Message})");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unreachable, $"the server at {options.Endpoint} did not answer within {options.Timeout.TotalSeconds:0} s");
        }

        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return (bytes, response.Headers);
            }

            throw Refused(response, bytes, where);
        }
    }

    public async Task<XElement> GetXmlAsync(string bucket, string query, CancellationToken cancellationToken = default) =>
        XDocument.Parse(Encoding.UTF8.GetString(await SendAsync(HttpMethod.Get, bucket, null, query, cancellationToken: cancellationToken))).Root!;

    public void Dispose() => _http.Dispose();

    private static CliException Refused(HttpResponseMessage response, byte[] body, string where)
    {
        string code = $"HTTP {(int)response.StatusCode}", message = "";
        try
        {
            var error = XDocument.Parse(Encoding.UTF8.GetString(body)).Root;
            code = error?.Element("Code")?.Value ?? code;
            message = error?.Element("Message")?.Value ?? "";
        }
        catch (System.Xml.XmlException)
        {
            // No error document: a HEAD's answer has none, and a server that is not Coffer's API (its console port, a
            // proxy) writes none of its own. Coffer's API names every answer's request id.
            message = !response.Headers.Contains("x-cos-request-id")
                ? $"the server at {response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Authority)} is not Coffer's API (is --endpoint its console's port?)"
                : response.StatusCode == HttpStatusCode.NotFound ? "not found" : "";
        }

        return new CliException(ExitCodes.Refused, $"{code}: {message} ({where})".Replace(":  (", ": (", StringComparison.Ordinal));
    }
}
