using Coffer.Common;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Auth;

/// <summary>The fields of a COS signature, from the Authorization header or from <c>q-*</c> query parameters.</summary>
public sealed record CosAuthorization(
    string SecretId,
    string SignTime,
    string KeyTime,
    IReadOnlyList<string> HeaderList,
    IReadOnlyList<string> ParameterList,
    string Signature)
{
    /// <summary>The signature's validity window in Unix seconds.</summary>
    public (long Start, long End) Window
    {
        get
        {
            var parts = SignTime.Split(';');
            return parts.Length == 2 && long.TryParse(parts[0], out var start) && long.TryParse(parts[1], out var end) && start <= end
                ? (start, end)
                : throw new CofferException(ErrorCode.AccessDenied, "q-sign-time is malformed.");
        }
    }

    /// <summary>
    /// Reads the signature from the header, else from the query: as <c>q-*</c> parameters, or the whole q-sign signature
    /// URL-encoded in one <c>sign</c> parameter (as cos-nodejs-sdk-v5's test suite builds it); null when the request is
    /// anonymous. One signature is verified, the first of header, <c>q-*</c> parameters, <c>sign</c>; the others are
    /// plain parameters. A <c>sign</c> that is not a q-sign signature (the JSON API's V4 <c>sign=&lt;base64&gt;</c>) is
    /// AccessDenied, not an anonymous request.
    /// </summary>
    public static CosAuthorization? From(string? authorizationHeader, RequestTarget target)
    {
        if (!string.IsNullOrEmpty(authorizationHeader))
        {
            return Parse(authorizationHeader);
        }

        if (target.Has("q-signature"))
        {
            return Build(target.Get);
        }

        if (target.Get("sign") is not { } sign)
        {
            return null;
        }

        return sign.Contains("q-signature=", StringComparison.Ordinal)
            ? Parse(sign)
            : throw new CofferException(ErrorCode.AccessDenied,
                "The sign parameter is not a q-sign-algorithm=sha1 signature; other signature forms are not supported.");
    }

    /// <summary>
    /// The fields of <c>q-sign-algorithm=sha1&amp;q-ak=...</c>. Values are taken as they are: a SecretId sent with a
    /// space in it is not the key without it.
    /// </summary>
    private static CosAuthorization Parse(string signature)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in signature.Split('&'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                fields[part[..equals].Trim()] = part[(equals + 1)..];
            }
        }

        return Build(fields.GetValueOrDefault);
    }

    private static CosAuthorization Build(Func<string, string?> field)
    {
        var algorithm = field("q-sign-algorithm");
        if (algorithm != "sha1")
        {
            throw new CofferException(ErrorCode.AccessDenied, $"q-sign-algorithm '{algorithm}' is not supported; use sha1.");
        }

        string Required(string name) =>
            field(name) is { Length: > 0 } value
                ? value
                : throw new CofferException(ErrorCode.AccessDenied, $"The signature has no {name}.");

        return new CosAuthorization(
            Required("q-ak"),
            Required("q-sign-time"),
            Required("q-key-time"),
            SplitList(field("q-header-list")),
            SplitList(field("q-url-param-list")),
            Required("q-signature"));
    }

    private static string[] SplitList(string? list) =>
        string.IsNullOrEmpty(list) ? [] : list.Split(';', StringSplitOptions.RemoveEmptyEntries);
}
