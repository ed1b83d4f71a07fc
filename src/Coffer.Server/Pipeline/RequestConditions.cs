using System.Globalization;
using Coffer.Model.Access;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Pipeline;

/// <summary>
/// The condition values the HTTP request carries, looked up one at a time when a policy tests one (nothing is copied
/// per request). A browser form upload is judged by its form fields (<c>acl</c> as the ACL header, its Content-Type
/// field), which the upload obeys, not by the HTTP headers around the form (except the browser's own and the agreement
/// to pay); its Content-Length is the whole form's.
/// </summary>
internal sealed class RequestConditions(HttpRequest request, IReadOnlyDictionary<string, string>? formFields, string prefix) : IRequestConditions
{
    /// <summary>The condition key of the Requester Pays agreement, which the authorizer looks up.</summary>
    internal static readonly string RequestPayerKey = AccessPolicy.HeaderKey("request-payer");

    public string? Find(string key) => key switch
    {
        "cos:content-type" => Header("Content-Type"),
        "cos:content-length" => request.ContentLength?.ToString(CultureInfo.InvariantCulture),
        "cos:response-content-type" => request.Query.TryGetValue("response-content-type", out var type) ? type.ToString() : null,
        "cos:secure-transport" => request.IsHttps ? "true" : "false",
        // The browser's own headers, a form upload's too: no form field stands for them.
        "aws:referer" => HttpHeader("Referer"),
        "aws:useragent" => HttpHeader("User-Agent"),
        // Agreeing to pay (Requester Pays) is said of the request, not of the object: a form upload may say it in its HTTP header.
        _ when key == RequestPayerKey => Header(prefix + "request-payer") ?? HttpHeader(prefix + "request-payer"),
        _ when key.StartsWith(AccessPolicy.HeaderKeyPrefix, StringComparison.Ordinal) => Header(prefix + key[AccessPolicy.HeaderKeyPrefix.Length..]),
        _ => null,
    };

    private string? Header(string name) => formFields is not null ? formFields.GetValueOrDefault(name) : HttpHeader(name);

    private string? HttpHeader(string name) => request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
}
