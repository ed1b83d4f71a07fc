using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coffer.Model.Accounts;
using Coffer.Protocol.Auth;
using Coffer.Protocol.Http;

namespace Coffer.Testing;

/// <summary>Signs raw requests with AWS SigV4 the way the AWS SDKs do, for tests of what the SDKs will not send.</summary>
public static class S3RequestSigner
{
    public const string Region = "ap-guangzhou";

    /// <summary>
    /// Adds x-amz-date, x-amz-content-sha256 and Authorization, signing host and every x-amz-* header, with a credential
    /// scoped to <paramref name="region"/> (the test server's by default).
    /// </summary>
    public static void Sign(HttpRequestMessage request, Account account, DateTimeOffset time, string payloadHash, string region = Region) =>
        SigV4RequestSigner.Sign(request, account.SecretId, account.SecretKey, time, payloadHash, region);

    /// <summary>
    /// A URL for <paramref name="method"/> on <paramref name="path"/> presigned with SigV4 query parameters, signing host
    /// alone as the SDKs' presigners do, and <paramref name="extraQuery"/> (starting with '&amp;') among the signed
    /// parameters; scoped to <paramref name="service"/>, which S3 names s3.
    /// </summary>
    public static Uri Presign(HttpMethod method, Uri server, string path, Account account, DateTimeOffset time, string extraQuery = "",
        string service = SigV4.S3Service)
    {
        var amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{amzDate[..8]}/{Region}/{service}/aws4_request";
        var query = $"X-Amz-Algorithm={SigV4.Algorithm}&X-Amz-Credential={Uri.EscapeDataString($"{account.SecretId}/{scope}")}" +
            $"&X-Amz-Date={amzDate}&X-Amz-Expires=900&X-Amz-SignedHeaders=host{extraQuery}";
        var canonical = SigV4.CanonicalRequest(method.Method, SigV4.CanonicalUri(path),
            SigV4.CanonicalQuery(RequestTarget.Parse(path + "?" + query).Query), [new("host", server.Authority)], SigV4.UnsignedPayload);
        var signature = SigV4.Sign(SigV4.SigningKey(account.SecretKey, amzDate[..8], Region, service), SigV4.StringToSign(amzDate, scope, canonical));
        return new Uri(server, $"{path}?{query}&X-Amz-Signature={signature}");
    }

    public static string Sha256(byte[] body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>
    /// An aws-chunked body whose chunks are signed from <paramref name="seedSignature"/>, as STREAMING-AWS4-HMAC-SHA256-PAYLOAD;
    /// with <paramref name="trailers"/>, followed by them and their x-amz-trailer-signature, as …-PAYLOAD-TRAILER.
    /// </summary>
    public static byte[] SignedChunks(
        byte[] data, int chunkSize, Account account, DateTimeOffset time, string seedSignature, IReadOnlyList<KeyValuePair<string, string>>? trailers = null)
    {
        var amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{amzDate[..8]}/{Region}/s3/aws4_request";
        var key = SigV4.SigningKey(account.SecretKey, amzDate[..8], Region, "s3");
        var body = new MemoryStream();
        var previous = seedSignature;
        for (var offset = 0; ; offset = Math.Min(offset + chunkSize, data.Length))
        {
            var chunk = data.AsSpan(offset, Math.Min(chunkSize, data.Length - offset)).ToArray();
            previous = SigV4.Sign(key, SigV4.ChunkStringToSign(amzDate, scope, previous, SigV4.Sha256Hex(chunk)));
            body.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x};chunk-signature={previous}\r\n"));
            body.Write(chunk);
            if (chunk.Length == 0)
            {
                if (trailers is not null)
                {
                    var canonical = string.Concat(trailers.Select(t => $"{t.Key}:{t.Value}\n"));
                    var signature = SigV4.Sign(key, SigV4.TrailerStringToSign(amzDate, scope, previous, SigV4.Sha256Hex(Encoding.UTF8.GetBytes(canonical))));
                    body.Write(Encoding.ASCII.GetBytes(string.Concat(trailers.Select(t => $"{t.Key}:{t.Value}\r\n"))));
                    body.Write(Encoding.ASCII.GetBytes($"x-amz-trailer-signature:{signature}\r\n"));
                }

                body.Write("\r\n"u8);
                return body.ToArray();
            }

            body.Write("\r\n"u8);
        }
    }

    /// <summary>The Signature= value of a signed request.</summary>
    public static string SignatureOf(HttpRequestMessage request) =>
        request.Headers.GetValues("Authorization").Single().Split("Signature=")[1];
}
