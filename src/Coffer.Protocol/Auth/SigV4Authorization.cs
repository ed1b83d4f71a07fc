using System.Globalization;
using Coffer.Common;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Auth;

/// <summary>The fields of an AWS SigV4 signature, from the Authorization header or from presigned <c>X-Amz-*</c> parameters.</summary>
public sealed record SigV4Authorization(
    string AccessKeyId,
    string Date,
    string Region,
    string Service,
    IReadOnlyList<string> SignedHeaders,
    string Signature,
    DateTimeOffset RequestTime,
    string AmzDate,
    TimeSpan? Expires)
{
    /// <summary>Presigned URLs may live at most seven days.</summary>
    public static readonly TimeSpan MaxPresignedLifetime = TimeSpan.FromDays(7);

    public bool IsPresigned => Expires is not null;

    public string Scope => $"{Date}/{Region}/{Service}/aws4_request";

    /// <summary>Reads a SigV4 signature; null when the request carries none. Signature Version 2 is refused.</summary>
    public static SigV4Authorization? From(string? authorizationHeader, RequestTarget target, Func<string, string?> header)
    {
        if (!string.IsNullOrEmpty(authorizationHeader))
        {
            if (authorizationHeader.StartsWith("AWS ", StringComparison.Ordinal))
            {
                throw new CofferException(ErrorCode.InvalidRequest,
                    "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
            }

            // Two signatures would leave it open which one the request is authorized by.
            return target.Has("X-Amz-Algorithm") || target.Has("X-Amz-Signature")
                ? throw new CofferException(ErrorCode.InvalidArgument,
                    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
                : FromHeader(authorizationHeader, header);
        }

        if (target.Has("X-Amz-Algorithm"))
        {
            return FromQuery(target);
        }

        return target.Has("AWSAccessKeyId")
            ? throw new CofferException(ErrorCode.InvalidRequest,
                "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
            : null;
    }

    private static SigV4Authorization FromHeader(string value, Func<string, string?> header)
    {
        static CofferException Malformed(string why) => new(ErrorCode.AuthorizationHeaderMalformed, why);

        if (!value.StartsWith(SigV4.Algorithm + " ", StringComparison.Ordinal))
        {
            throw Malformed($"Unsupported authorization algorithm; use {SigV4.Algorithm}.");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in value[(SigV4.Algorithm.Length + 1)..].Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                fields[part[..equals].Trim()] = part[(equals + 1)..].Trim();
            }
        }

        if (!fields.TryGetValue("Credential", out var credential) || !fields.TryGetValue("SignedHeaders", out var signedHeaders)
            || !fields.TryGetValue("Signature", out var signature))
        {
            throw Malformed("The authorization header needs Credential, SignedHeaders and Signature.");
        }

        var amzDate = header("x-amz-date");
        DateTimeOffset time;
        if (amzDate is not null)
        {
            time = ParseAmzDate(amzDate) ?? throw Malformed("x-amz-date is not yyyyMMddTHHmmssZ.");
        }
        else
        {
            time = HttpDates.ParseHttpDate(header("Date")) ?? throw new CofferException(ErrorCode.AccessDenied,
                "AWS authentication requires a valid Date or x-amz-date header.");
            amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        }

        return Build(credential, signedHeaders, signature, time, amzDate, null, Malformed, "The authorization header is malformed");
    }

    private static SigV4Authorization FromQuery(RequestTarget target)
    {
        static CofferException Malformed(string why) => new(ErrorCode.AuthorizationQueryParametersError, why);

        if (target.Get("X-Amz-Algorithm") != SigV4.Algorithm)
        {
            throw Malformed($"X-Amz-Algorithm only supports \"{SigV4.Algorithm}\".");
        }

        string Required(string name) => target.Get(name) is { Length: > 0 } value ? value : throw Malformed($"{name} is missing.");

        var amzDate = Required("X-Amz-Date");
        var time = ParseAmzDate(amzDate) ?? throw Malformed("X-Amz-Date is not yyyyMMddTHHmmssZ.");
        if (!long.TryParse(Required("X-Amz-Expires"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) || seconds < 0)
        {
            throw Malformed("X-Amz-Expires must be a non-negative number of seconds.");
        }

        // Compared as seconds: a TimeSpan cannot hold every long, and a huge value is the client's mistake, not ours.
        if (seconds > (long)MaxPresignedLifetime.TotalSeconds)
        {
            throw Malformed("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds.");
        }

        return Build(Required("X-Amz-Credential"), Required("X-Amz-SignedHeaders"), Required("X-Amz-Signature"), time, amzDate,
            TimeSpan.FromSeconds(seconds), Malformed, "Error parsing the X-Amz-Credential parameter");
    }

    private static SigV4Authorization Build(
        string credential,
        string signedHeaders,
        string signature,
        DateTimeOffset time,
        string amzDate,
        TimeSpan? expires,
        Func<string, CofferException> malformed,
        string credentialIsMalformed)
    {
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request" || scope[1].Length != 8)
        {
            throw malformed($"The credential '{credential}' is not <key>/<yyyyMMdd>/<region>/<service>/aws4_request.");
        }

        // S3 (and S3 Control, which Coffer serves beside it) signs for the service "s3": a signature made for another
        // service with the same key must not be good here.
        if (scope[3] != SigV4.S3Service)
        {
            throw malformed($"{credentialIsMalformed}; incorrect service \"{scope[3]}\". This endpoint belongs to \"{SigV4.S3Service}\".");
        }

        if (scope[1] != amzDate[..8])
        {
            throw malformed($"The credential date {scope[1]} does not match the request date {amzDate[..8]}.");
        }

        var headers = signedHeaders.Split(';', StringSplitOptions.RemoveEmptyEntries);
        if (!headers.Contains("host"))
        {
            throw malformed("The signed headers must include host.");
        }

        return new SigV4Authorization(scope[0], scope[1], scope[2], scope[3], headers, signature, time, amzDate, expires);
    }

    private static DateTimeOffset? ParseAmzDate(string value) =>
        DateTimeOffset.TryParseExact(value, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : null;
}
