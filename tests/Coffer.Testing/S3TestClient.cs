using Coffer.Common;
using Coffer.Model.Accounts;

namespace Coffer.Testing;

/// <summary>
/// Sends path-style requests signed with AWS SigV4 (the payload's SHA-256 signed), for raw tests of the S3 dialect:
/// what an SDK would refuse to send, or headers an SDK does not expose.
/// </summary>
public sealed class S3TestClient(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>A signed request to <c>/bucket/key?query</c> (the key percent-encoded, '/' kept).</summary>
    public HttpRequestMessage Request(
        HttpMethod method,
        string bucket,
        string? key = null,
        string query = "",
        byte[]? body = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        Account? account = null)
    {
        var path = "/" + bucket + (key is null ? "" : "/" + UrlEncoding.EncodePath(key));
        return RequestAt(method, path, query, body, headers, account);
    }

    /// <summary>A signed request to an absolute <paramref name="path"/> (such as S3 Control's <c>/v20180820/jobs</c>).</summary>
    public HttpRequestMessage RequestAt(
        HttpMethod method,
        string path,
        string query = "",
        byte[]? body = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        Account? account = null)
    {
        var request = new HttpRequestMessage(method, new Uri(_http.BaseAddress!, path + (query.Length > 0 ? "?" + query : "")));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        foreach (var (name, value) in headers ?? [])
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        S3RequestSigner.Sign(request, account ?? TestAccounts.Owner, DateTimeOffset.UtcNow, S3RequestSigner.Sha256(body ?? []));
        return request;
    }

    public Task<HttpResponseMessage> SendAsync(
        HttpMethod method,
        string bucket,
        string? key = null,
        string query = "",
        byte[]? body = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        Account? account = null) =>
        _http.SendAsync(Request(method, bucket, key, query, body, headers, account));

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _http.SendAsync(request);

    public void Dispose() => _http.Dispose();
}
