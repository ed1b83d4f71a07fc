using System.Text;
using System.Xml.Linq;
using Coffer.Common;
using Coffer.Model.Accounts;
using Coffer.Protocol.Http;

namespace Coffer.Testing;

/// <summary>
/// Signs requests like a COS SDK in "Ip" mode: the virtual-host name goes in Host, the connection goes to the
/// server's loopback address.
/// </summary>
public sealed class CosTestClient(Uri baseAddress, TimeProvider time) : IDisposable
{
    public const string Region = "ap-guangzhou";

    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(10) };

    public Uri BaseAddress { get; } = baseAddress;

    public static string VirtualHost(string bucket) => $"{bucket}.cos.{Region}.myqcloud.com";

    /// <summary>A bucket name owned by <paramref name="account"/> (the owner by default).</summary>
    public static string BucketName(string shortName, Account? account = null) => $"{shortName}-{(account ?? TestAccounts.Owner).AppId}";

    /// <summary>
    /// Builds a signed request to <paramref name="bucket"/> (or the service when null) and <paramref name="key"/>, sent
    /// with <paramref name="host"/> when given instead of the bucket's myqcloud.com name.
    /// </summary>
    public HttpRequestMessage Request(
        HttpMethod method,
        string? bucket,
        string? key = null,
        string query = "",
        HttpContent? content = null,
        Account? account = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        DateTimeOffset? signedAt = null,
        TimeSpan? lifetime = null,
        string? host = null)
    {
        host ??= bucket is null ? "service.cos.myqcloud.com" : VirtualHost(bucket);
        var path = "/" + (key ?? "");
        // Absolute, so that a key starting with '/' stays a path ("//x" relative to the base would name a host).
        var request = new HttpRequestMessage(method, new Uri(BaseAddress.GetLeftPart(UriPartial.Authority) + UrlEncoding.EncodePath(path) + (query.Length > 0 ? "?" + query : "")))
        {
            Content = content,
        };
        request.Headers.Host = host;
        var signedHeaders = new List<KeyValuePair<string, string>> { new("host", host) };
        foreach (var (name, value) in headers ?? [])
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }

            signedHeaders.Add(new(name.ToLowerInvariant(), value));
        }

        var signer = account ?? TestAccounts.Owner;
        var parameters = RequestTarget.Parse("/?" + query).Query.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).ToList();
        request.Headers.TryAddWithoutValidation("Authorization", CosRequestSigner.Authorization(
            signer.SecretId,
            signer.SecretKey,
            method.Method,
            path,
            parameters,
            signedHeaders,
            signedAt ?? time.GetUtcNow().AddSeconds(-1),
            lifetime ?? TimeSpan.FromMinutes(15)));

        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

    /// <summary>Sends an unsigned request.</summary>
    public Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request) => _http.SendAsync(request);

    public async Task<HttpResponseMessage> CreateBucketAsync(string bucket)
    {
        var response = await SendAsync(Request(HttpMethod.Put, bucket));
        response.EnsureSuccessStatusCode();
        return response;
    }

    public async Task<HttpResponseMessage> PutObjectAsync(string bucket, string key, byte[] body, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var response = await SendAsync(Request(HttpMethod.Put, bucket, key, content: new ByteArrayContent(body), headers: headers));
        response.EnsureSuccessStatusCode();
        return response;
    }

    /// <summary>Every key of <paramref name="bucket"/>, in listing order, page after page (GET Bucket with <c>marker</c>).</summary>
    public async Task<List<string>> ListKeysAsync(string bucket)
    {
        var keys = new List<string>();
        string? marker = null;
        do
        {
            var query = marker is null ? "" : $"marker={Uri.EscapeDataString(marker)}";
            var page = (await SendAsync(Request(HttpMethod.Get, bucket, query: query))).EnsureSuccessStatusCode();
            var root = XDocument.Parse(await page.Content.ReadAsStringAsync()).Root!;
            keys.AddRange(root.Elements("Contents").Select(c => c.Element("Key")!.Value));
            marker = root.Element("IsTruncated")!.Value == "true" ? root.Element("NextMarker")!.Value : null;
        }
        while (marker is not null);

        return keys;
    }

    /// <summary>Initiates a multipart upload, uploads <paramref name="parts"/> as parts 1, 2, ... and completes it.</summary>
    public async Task<HttpResponseMessage> PutMultipartObjectAsync(string bucket, string key, params byte[][] parts)
    {
        var initiate = await SendAsync(Request(HttpMethod.Post, bucket, key, "uploads"));
        initiate.EnsureSuccessStatusCode();
        var uploadId = XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!.Element("UploadId")!.Value;
        var completion = new StringBuilder("<CompleteMultipartUpload>");
        for (var i = 0; i < parts.Length; i++)
        {
            var upload = await SendAsync(Request(HttpMethod.Put, bucket, key, $"partNumber={i + 1}&uploadId={uploadId}", new ByteArrayContent(parts[i])));
            upload.EnsureSuccessStatusCode();
            completion.Append($"<Part><PartNumber>{i + 1}</PartNumber><ETag>{upload.Headers.ETag!.Tag}</ETag></Part>");
        }

        var complete = await SendAsync(Request(HttpMethod.Post, bucket, key, $"uploadId={uploadId}",
            new StringContent(completion.Append("</CompleteMultipartUpload>").ToString())));
        complete.EnsureSuccessStatusCode();
        return complete;
    }

    public void Dispose() => _http.Dispose();
}
