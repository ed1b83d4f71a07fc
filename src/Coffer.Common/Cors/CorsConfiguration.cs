namespace Coffer.Common.Cors;

/// <summary>
/// One CORS rule: which origins may call with which methods and request headers, which response headers they may read,
/// and how long a preflight may be cached. Origins and headers may hold one <c>*</c> wildcard each.
/// </summary>
public sealed record CorsRule(
    string? Id,
    IReadOnlyList<string> AllowedOrigins,
    IReadOnlyList<string> AllowedMethods,
    IReadOnlyList<string> AllowedHeaders,
    IReadOnlyList<string> ExposeHeaders,
    int? MaxAgeSeconds)
{
    /// <summary>The methods a rule may allow, as COS and S3 define them.</summary>
    public static IReadOnlyList<string> Methods { get; } = ["GET", "PUT", "POST", "DELETE", "HEAD"];

    /// <summary>The allowed origin <paramref name="origin"/> matches, or null.</summary>
    public string? OriginMatching(string origin) => AllowedOrigins.FirstOrDefault(pattern => Wildcard(pattern, origin, ignoreCase: false));

    public bool AllowsMethod(string method) => AllowedMethods.Contains(method, StringComparer.Ordinal);

    /// <summary>Every requested header matches an allowed header (case-insensitively, with its wildcard).</summary>
    public bool AllowsHeaders(IReadOnlyList<string> headers) =>
        headers.All(header => AllowedHeaders.Any(pattern => Wildcard(pattern, header, ignoreCase: true)));

    /// <summary>Whether <paramref name="text"/> matches <paramref name="pattern"/>, whose one <c>*</c> stands for any run of characters.</summary>
    private static bool Wildcard(string pattern, string text, bool ignoreCase)
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        if (star < 0)
        {
            return string.Equals(pattern, text, comparison);
        }

        var head = pattern[..star];
        var tail = pattern[(star + 1)..];
        return text.Length >= head.Length + tail.Length && text.StartsWith(head, comparison) && text.EndsWith(tail, comparison);
    }
}

/// <summary>A bucket's CORS configuration: up to 100 rules, the first that matches a request applies.</summary>
/// <param name="ResponseVary">COS's <c>ResponseVary</c>: false leaves <c>Vary</c> out of CORS answers; null when not given (it is sent).</param>
public sealed record CorsConfiguration(IReadOnlyList<CorsRule> Rules, bool? ResponseVary = null)
{
    public const int MaxRules = 100;

    /// <summary>
    /// The rule for a preflight (with the headers the browser will send) or an actual request (with none to check):
    /// the first whose origins, methods and headers all match, as S3 evaluates them; null when none does.
    /// </summary>
    public CorsRule? Match(string origin, string method, IReadOnlyList<string> requestHeaders) =>
        Rules.FirstOrDefault(rule => rule.OriginMatching(origin) is not null && rule.AllowsMethod(method) && rule.AllowsHeaders(requestHeaders));
}
