namespace Coffer.Protocol.Auth;

/// <summary>
/// Signs a request the way the COS SDKs do (q-sign-algorithm=sha1 over every listed header and parameter): the
/// <c>Authorization</c> value for a key pair, valid from a start time for a lifetime.
/// Used by <c>coffer</c>'s own client commands.
/// </summary>
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
