using Coffer.Protocol.Auth;

namespace Coffer.Testing;

/// <summary>Signs requests the way the COS SDKs do (every listed header and parameter), for raw HTTP tests.</summary>
public static class CosRequestSigner
{
    public static string Authorization(
        string secretId,
        string secretKey,
        string method,
        string decodedPath,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        DateTimeOffset start,
        TimeSpan lifetime)
    {
        var keyTime = $"{start.ToUnixTimeSeconds()};{(start + lifetime).ToUnixTimeSeconds()}";
        var httpString = CosSignature.HttpString(method, decodedPath, parameters, headers);
        var signature = CosSignature.Sign(secretKey, keyTime, keyTime, httpString);
        return $"q-sign-algorithm=sha1&q-ak={secretId}&q-sign-time={keyTime}&q-key-time={keyTime}" +
            $"&q-header-list={CosSignature.NameList(headers)}&q-url-param-list={CosSignature.NameList(parameters)}" +
            $"&q-signature={signature}";
    }
}
