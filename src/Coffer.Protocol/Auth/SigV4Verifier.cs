using Coffer.Common;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Auth;

/// <summary>Checks a SigV4 signature against the request and the clock.</summary>
public static class SigV4Verifier
{
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(15);

    public static void CheckTime(SigV4Authorization authorization, DateTimeOffset now)
    {
        if (authorization.Expires is { } expires)
        {
            if (now > authorization.RequestTime + expires)
            {
                throw new CofferException(ErrorCode.RequestExpired, "Request has expired");
            }

            if (authorization.RequestTime - now > AllowedClockSkew)
            {
                throw new CofferException(ErrorCode.RequestTimeTooSkewed, "The request is signed for a time in the future.");
            }

            return;
        }

        if ((now - authorization.RequestTime).Duration() > AllowedClockSkew)
        {
            throw new CofferException(ErrorCode.RequestTimeTooSkewed,
                "The difference between the request time and the current time is too large.");
        }
    }

    /// <summary>
    /// The payload hash the signature covers: from <c>x-amz-content-sha256</c> for header signatures (required there),
    /// <c>UNSIGNED-PAYLOAD</c> for presigned URLs.
    /// </summary>
    public static string PayloadHash(SigV4Authorization authorization, Func<string, string?> header)
    {
        var declared = header("x-amz-content-sha256");
        if (authorization.IsPresigned)
        {
            return declared ?? SigV4.UnsignedPayload;
        }

        return declared ?? throw new CofferException(ErrorCode.InvalidRequest,
            "Missing required header for this request: x-amz-content-sha256");
    }

    /// <summary>
    /// Refuses an <c>x-amz-*</c> header the signature does not cover, as S3 does: such headers act (a copy source, an ACL,
    /// tags), so whoever holds a presigned URL could otherwise turn an upload into a public copy of another object. The
    /// payload hash and the date need no place in the list; the string to sign holds them already. CloudFront adds its
    /// <c>x-amz-cf-*</c> headers after the client signed, as the router reads them too: they are the proxy's, not the client's.
    /// </summary>
    public static void CheckAmzHeadersSigned(SigV4Authorization authorization, IEnumerable<string> headerNames)
    {
        // Compared without case, so that a request's headers are not each lower-cased (SignedHeaders are lower case).
        List<string>? unsigned = null;
        foreach (var name in headerNames)
        {
            if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) && !name.StartsWith("x-amz-cf-", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("x-amz-content-sha256", StringComparison.OrdinalIgnoreCase) && !name.Equals("x-amz-date", StringComparison.OrdinalIgnoreCase)
                && !IsSigned(authorization.SignedHeaders, name))
            {
                (unsigned ??= []).Add(name.ToLowerInvariant());
            }
        }

        if (unsigned is not null)
        {
            throw new CofferException(ErrorCode.AccessDenied, "There were headers present in the request which were not signed")
            {
                Details = [new("HeadersNotSigned", string.Join(", ", unsigned))],
            };
        }
    }

    private static bool IsSigned(IReadOnlyList<string> signedHeaders, string name)
    {
        for (var i = 0; i < signedHeaders.Count; i++)
        {
            if (signedHeaders[i].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the signature matches; <paramref name="signingKey"/> then signs the body's chunks too.</summary>
    public static bool Verify(
        SigV4Authorization authorization,
        string method,
        RequestTarget target,
        Func<string, string?> header,
        string payloadHash,
        string secretKey,
        out byte[] signingKey)
    {
        signingKey = SigningKeyCache.Get(secretKey, authorization.Date, authorization.Region, authorization.Service);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var name in authorization.SignedHeaders.Order(StringComparer.Ordinal))
        {
            var value = header(name);
            if (value is null)
            {
                return false;
            }

            headers.Add(new(name, value));
        }

        return SigV4.Matches(authorization.Signature, signingKey, authorization.AmzDate, authorization.Scope, method,
            SigV4.CanonicalUri(target.Path), SigV4.CanonicalQuery(target.Query), headers, payloadHash);
    }
}
