using Coffer.Common;
using Coffer.Common.Cors;
using Coffer.Model.Buckets;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Pipeline;

/// <summary>
/// CORS as S3 and COS answer it: a preflight (<c>OPTIONS</c>, no credentials) is allowed by the first rule of the
/// bucket's CORS configuration whose origin, method and every requested header match, and refused with 403 otherwise;
/// an actual request from a browser (one with an <c>Origin</c>) gets the matching rule's headers, so the page may read
/// the answer. Requests without an <c>Origin</c> never read the configuration.
/// </summary>
internal sealed class CorsResponder(BucketSettings settings)
{
    private const string Vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

    public async Task PreflightAsync(HttpContext http, string bucket)
    {
        var origin = Header(http, "Origin");
        var method = Header(http, "Access-Control-Request-Method");
        if (origin is null || method is null)
        {
            throw new CofferException(ErrorCode.InvalidRequest,
                "Insufficient information. Origin request header and Access-Control-Request-Method are needed.");
        }

        var configuration = settings.FindCors(bucket)
            ?? throw new CofferException(ErrorCode.CorsForbidden, "CORSResponse: CORS is not enabled for this bucket.");
        var asked = Header(http, "Access-Control-Request-Headers");
        var requested = (asked ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var rule = (Echoable(origin) && Echoable(asked) ? configuration.Match(origin, method, requested) : null)
            ?? throw new CofferException(ErrorCode.CorsForbidden,
                "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.");
        Write(http.Response, configuration, rule, origin);
        if (requested.Length > 0)
        {
            http.Response.Headers.AccessControlAllowHeaders = string.Join(", ", requested);
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentLength = 0;
        await http.Response.CompleteAsync();
    }

    /// <summary>Adds the CORS headers of the rule that allows this request's origin and method, if any does.</summary>
    public void Apply(HttpContext http, string bucket)
    {
        if (Header(http, "Origin") is not { } origin || !Echoable(origin))
        {
            return;
        }

        CorsConfiguration? configuration;
        try
        {
            configuration = settings.FindCors(bucket);
        }
        catch (CofferException)
        {
            // No such bucket: the handler answers that.
            return;
        }

        if (configuration?.Match(origin, http.Request.Method, []) is { } rule)
        {
            Write(http.Response, configuration, rule, origin);
        }
    }

    private static void Write(HttpResponse response, CorsConfiguration configuration, CorsRule rule, string origin)
    {
        var headers = response.Headers;
        // A rule for any origin answers "*" (and so no credentials), as S3 does; a named origin is echoed.
        if (rule.OriginMatching(origin) == "*")
        {
            headers.AccessControlAllowOrigin = "*";
        }
        else
        {
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowCredentials = "true";
        }

        headers.AccessControlAllowMethods = string.Join(", ", rule.AllowedMethods);
        if (rule.ExposeHeaders.Count > 0)
        {
            headers.AccessControlExposeHeaders = string.Join(", ", rule.ExposeHeaders);
        }

        if (rule.MaxAgeSeconds is { } age)
        {
            headers.AccessControlMaxAge = age.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (configuration.ResponseVary != false)
        {
            headers.Vary = Vary;
        }
    }

    private static string? Header(HttpContext http, string name) =>
        http.Request.Headers.TryGetValue(name, out var value) && value.ToString().Length > 0 ? value.ToString() : null;

    /// <summary>
    /// Whether a request header could be echoed in the answer: Kestrel takes a control character (DEL) in a request and
    /// refuses it in a response, so a request that carries one in its Origin or asked headers matches no rule.
    /// </summary>
    private static bool Echoable(string? value) => value is null || value.All(c => c is >= ' ' and <= '~' or '\t');
}
