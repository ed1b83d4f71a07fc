using System.Security.Cryptography;
using System.Text;
using Coffer.Common;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Auth;

/// <summary>Checks a COS signature against the request, using exactly the headers and parameters the client listed.</summary>
public static class CosSignatureVerifier
{
    /// <summary>Requests signed for the future are refused beyond this much clock difference.</summary>
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(15);

    /// <summary>Fails with RequestExpired or RequestTimeTooSkewed when <paramref name="now"/> is outside the window.</summary>
    public static void CheckWindow(CosAuthorization authorization, DateTimeOffset now)
    {
        var (start, end) = authorization.Window;
        var seconds = now.ToUnixTimeSeconds();
        if (seconds > end)
        {
            throw new CofferException(ErrorCode.RequestExpired, "Request has expired");
        }

        if (seconds + (long)AllowedClockSkew.TotalSeconds < start)
        {
            throw new CofferException(ErrorCode.RequestTimeTooSkewed,
                "The difference between the request time and the server's time is too large.");
        }
    }

    /// <summary>
    /// True when the signature matches. When <c>host</c> is signed and does not match as sent, the host without its
    /// port is tried too: the Python SDK signs the host name without the port in some modes.
    /// </summary>
    public static bool Verify(
        CosAuthorization authorization,
        string method,
        RequestTarget target,
        Func<string, string?> header,
        string secretKey)
    {
        var parameters = SignedParameters(authorization, target);
        if (parameters is null)
        {
            return false;
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var name in authorization.HeaderList)
        {
            var value = header(name);
            if (value is null)
            {
                return false;
            }

            headers.Add(new(name, value));
        }

        if (Matches(authorization, method, target.Path, parameters, headers, secretKey))
        {
            return true;
        }

        var hostIndex = headers.FindIndex(h => h.Key == "host");
        if (hostIndex < 0)
        {
            return false;
        }

        var portless = HostResolver.StripPort(headers[hostIndex].Value);
        if (portless == headers[hostIndex].Value)
        {
            return false;
        }

        headers[hostIndex] = new("host", portless);
        return Matches(authorization, method, target.Path, parameters, headers, secretKey);
    }

    private static List<KeyValuePair<string, string>>? SignedParameters(CosAuthorization authorization, RequestTarget target)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var listed in authorization.ParameterList)
        {
            var parameter = target.Query.FirstOrDefault(p => string.Equals(UrlEncoding.Encode(p.Name), listed, StringComparison.OrdinalIgnoreCase));
            if (parameter is null)
            {
                return null;
            }

            parameters.Add(new(parameter.Name, parameter.Value));
        }

        return parameters;
    }

    private static bool Matches(
        CosAuthorization authorization,
        string method,
        string path,
        List<KeyValuePair<string, string>> parameters,
        List<KeyValuePair<string, string>> headers,
        string secretKey)
    {
        var httpString = CosSignature.HttpString(method, path, parameters, headers);
        var expected = CosSignature.Sign(secretKey, authorization.KeyTime, authorization.SignTime, httpString);
        return CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(expected),
            Encoding.ASCII.GetBytes(authorization.Signature.ToLowerInvariant()));
    }
}
