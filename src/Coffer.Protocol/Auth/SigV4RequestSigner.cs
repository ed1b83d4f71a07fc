using System.Globalization;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Auth;

/// <summary>
/// Signs a request with AWS SigV4 the way the AWS SDKs do: x-amz-date, x-amz-content-sha256 and Authorization added,
/// host and every x-amz-* header signed (with Content-MD5 and Content-Encoding when present). Used by the request
/// warm-up's client and by tests of what the SDKs will not send.
/// </summary>
public static class SigV4RequestSigner
{
    /// <summary>Signs <paramref name="request"/> at <paramref name="time"/> for <paramref name="region"/>, its payload declared as <paramref name="payloadHash"/>.</summary>
    public static void Sign(HttpRequestMessage request, string secretId, string secretKey, DateTimeOffset time, string payloadHash, string region)
    {
        var amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        // A request signed again (at another time) carries only its last signature.
        request.Headers.Remove("Authorization");
        request.Headers.Remove("x-amz-date");
        request.Headers.Remove("x-amz-content-sha256");
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);

        var host = request.Headers.Host ?? request.RequestUri!.Authority;
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = host };
        foreach (var (name, values) in request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
        {
            var lower = name.ToLowerInvariant();
            if (lower.StartsWith("x-amz-", StringComparison.Ordinal) || lower is "content-md5" or "content-encoding")
            {
                // HttpClient sends a header it split into values (Content-Encoding: deflate, gzip) joined by ", ".
                headers[lower] = string.Join(", ", values);
            }
        }

        var target = RequestTarget.Parse(request.RequestUri!.PathAndQuery);
        var canonical = SigV4.CanonicalRequest(request.Method.Method, SigV4.CanonicalUri(target.Path), SigV4.CanonicalQuery(target.Query),
            headers.ToList(), payloadHash);
        var scope = $"{amzDate[..8]}/{region}/{SigV4.S3Service}/aws4_request";
        var key = SigV4.SigningKey(secretKey, amzDate[..8], region, SigV4.S3Service);
        var signature = SigV4.Sign(key, SigV4.StringToSign(amzDate, scope, canonical));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{SigV4.Algorithm} Credential={secretId}/{scope},SignedHeaders={string.Join(';', headers.Keys)},Signature={signature}");
    }
}
