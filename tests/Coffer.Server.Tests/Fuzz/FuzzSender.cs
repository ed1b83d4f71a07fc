using System.Text;
using Coffer.Common;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests.Fuzz;

/// <summary>
/// Turns a <see cref="FuzzRequest"/> into bytes on the wire: COS requests to the bucket's virtual host, S3 ones
/// path-style, signed as <see cref="FuzzRequest.Signing"/> says. What HttpClient cannot send at all (CR or LF in a
/// header value) is left out, and said so in the request's mutations.
/// </summary>
internal sealed class FuzzSender : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _baseAddress;

    public FuzzSender(Uri baseAddress, TimeSpan timeout)
    {
        _baseAddress = baseAddress;
        // Header values go out as UTF-8, as clients that send non-ASCII metadata do; Coffer reads them so.
        var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8, ResponseHeaderEncodingSelector = (_, _) => Encoding.UTF8 };
        _http = new HttpClient(handler) { Timeout = timeout };
    }

    public async Task<HttpResponseMessage> SendAsync(FuzzRequest request)
    {
        using var message = Build(request);
        return await _http.SendAsync(message);
    }

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage Build(FuzzRequest request)
    {
        var s3 = request.Dialect == Dialect.S3;
        var bucket = string.IsNullOrEmpty(request.Bucket) ? null : request.Bucket;
        var keyPath = request.Key is null ? "" : EncodeKey(request.Key);
        var path = s3 ? (bucket is null ? "/" : $"/{bucket}" + (request.Key is null ? "" : "/" + keyPath)) : "/" + keyPath;
        var query = request.QueryString();
        var uri = new Uri(_baseAddress.GetLeftPart(UriPartial.Authority) + path + (query.Length > 0 ? "?" + query : ""),
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var message = new HttpRequestMessage(new HttpMethod(request.Method), uri);
        var host = s3 ? _baseAddress.Authority : bucket is null ? "service.cos.myqcloud.com" : TestServer.VirtualHost(bucket);
        message.Headers.Host = host;
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
        }

        var sent = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in request.Headers)
        {
            if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            {
                request.Mutations.Add($"unsendable {name} left out");
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content ??= new ByteArrayContent([]);
                if (!message.Content.Headers.TryAddWithoutValidation(name, value))
                {
                    continue;
                }
            }

            sent.Add(new(name.ToLowerInvariant(), value));
        }

        if (s3)
        {
            SignS3(message, request);
        }
        else
        {
            SignCos(message, request, host, sent);
        }

        return message;
    }

    private static void SignS3(HttpRequestMessage message, FuzzRequest request)
    {
        if (request.Signing == Signing.Anonymous)
        {
            return;
        }

        var account = request.Signing == Signing.UnknownKey ? TestAccounts.Owner with { SecretId = "AKIAnosuchkey0000000" } : TestAccounts.Owner;
        var time = request.Signing == Signing.Expired ? DateTimeOffset.UtcNow.AddHours(-1) : DateTimeOffset.UtcNow;
        var region = request.Signing == Signing.OtherRegion ? "us-east-1" : S3RequestSigner.Region;
        try
        {
            S3RequestSigner.Sign(message, account, time, S3RequestSigner.Sha256(request.Body ?? []), region);
        }
        catch (CofferException)
        {
            // A target the signer cannot parse (a bad escape): the server refuses it before it looks at a signature.
            message.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=unsigned");
            return;
        }

        Spoil(message, request.Signing, "Signature=");
    }

    private static void SignCos(HttpRequestMessage message, FuzzRequest request, string host, List<KeyValuePair<string, string>> headers)
    {
        if (request.Signing == Signing.Anonymous)
        {
            return;
        }

        var secretId = request.Signing == Signing.UnknownKey ? "AKIDnosuchkey000000000000000000000000" : TestAccounts.Owner.SecretId;
        var start = request.Signing == Signing.Expired ? DateTimeOffset.UtcNow.AddHours(-2) : DateTimeOffset.UtcNow.AddSeconds(-1);
        var lifetime = request.Signing == Signing.Expired ? TimeSpan.FromMinutes(1) : TimeSpan.FromMinutes(15);
        var parameters = request.Query.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)).ToList();
        message.Headers.TryAddWithoutValidation("Authorization", CosRequestSigner.Authorization(secretId, TestAccounts.Owner.SecretKey,
            request.Method, "/" + (request.Key ?? ""), parameters, [new("host", host), .. headers], start, lifetime));
        Spoil(message, request.Signing, "q-signature=");
    }

    private static void Spoil(HttpRequestMessage message, Signing signing, string signatureField)
    {
        if (signing is not (Signing.WrongSignature or Signing.MalformedHeader))
        {
            return;
        }

        var authorization = message.Headers.GetValues("Authorization").Single();
        message.Headers.Remove("Authorization");
        message.Headers.TryAddWithoutValidation("Authorization", signing == Signing.MalformedHeader
            ? authorization[..(authorization.Length / 2)]
            : authorization.Replace(signatureField, signatureField + "0", StringComparison.Ordinal));
    }

    /// <summary>
    /// Percent-encodes a key as UTF-8, keeping '/'; a lone surrogate (no UTF-8 has one) goes out as the three bytes it
    /// would take, so the server sees invalid UTF-8 in the path.
    /// </summary>
    private static string EncodeKey(string key)
    {
        var text = new StringBuilder();
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or '/')
            {
                text.Append(c);
                continue;
            }

            var length = char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]) ? 2 : 1;
            var bytes = char.IsSurrogate(c) && length == 1
                ? [(byte)(0xE0 | (c >> 12)), (byte)(0x80 | ((c >> 6) & 0x3F)), (byte)(0x80 | (c & 0x3F))]
                : Encoding.UTF8.GetBytes(key.Substring(i, length));
            foreach (var b in bytes)
            {
                text.Append('%').Append(b.ToString("X2"));
            }

            i += length - 1;
        }

        return text.ToString();
    }
}
