namespace Coffer.Testing;

/// <summary>Signs requests the way the COS SDKs do (every listed header and parameter), for raw HTTP tests: the product's signer.</summary>
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
        TimeSpan lifetime) =>
        Protocol.Auth.CosRequestSigner.Authorization(secretId, secretKey, method, decodedPath, parameters, headers, start, lifetime);
}
