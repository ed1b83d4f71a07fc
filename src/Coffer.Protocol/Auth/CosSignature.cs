using System.Security.Cryptography;
using System.Text;
using Coffer.Common;

namespace Coffer.Protocol.Auth;

#pragma warning disable CA5350 // q-sign is defined on SHA-1; the choice is COS's, not ours.

/// <summary>
/// The COS XML request signature (q-sign-algorithm=sha1): HMAC-SHA1 over a digest of the method, decoded path,
/// signed parameters and signed headers, keyed by an HMAC of the key time. One implementation signs and verifies.
/// </summary>
public static class CosSignature
{
    /// <summary>Lower-case hex HMAC-SHA1 of <paramref name="keyTime"/> under the SecretKey.</summary>
    public static string SignKey(string secretKey, string keyTime) =>
        Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(keyTime)));

    /// <summary>
    /// <c>method\npath\nparams\nheaders\n</c>, with names lower-cased after encoding, values encoded, pairs sorted.
    /// </summary>
    public static string HttpString(
        string method,
        string decodedPath,
        IEnumerable<KeyValuePair<string, string>> parameters,
        IEnumerable<KeyValuePair<string, string>> headers) =>
        $"{method.ToLowerInvariant()}\n{decodedPath}\n{Canonical(parameters)}\n{Canonical(headers)}\n";

    public static string StringToSign(string signTime, string httpString) =>
        $"sha1\n{signTime}\n{Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(httpString)))}\n";

    public static string Sign(string secretKey, string keyTime, string signTime, string httpString)
    {
        var signKey = SignKey(secretKey, keyTime);
        var stringToSign = StringToSign(signTime, httpString);
        return Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(signKey), Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>The sorted, semicolon-joined list of encoded, lower-cased names (q-header-list, q-url-param-list).</summary>
    public static string NameList(IEnumerable<KeyValuePair<string, string>> pairs) =>
        string.Join(';', Encoded(pairs).Select(p => p.Key));

    private static string Canonical(IEnumerable<KeyValuePair<string, string>> pairs) =>
        string.Join('&', Encoded(pairs).Select(p => $"{p.Key}={p.Value}"));

    private static IEnumerable<KeyValuePair<string, string>> Encoded(IEnumerable<KeyValuePair<string, string>> pairs) =>
        pairs.Select(p => new KeyValuePair<string, string>(UrlEncoding.Encode(p.Key).ToLowerInvariant(), UrlEncoding.Encode(p.Value)))
            .OrderBy(p => p.Key, StringComparer.Ordinal);
}
