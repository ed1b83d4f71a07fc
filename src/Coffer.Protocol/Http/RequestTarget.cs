using Coffer.Common;

namespace Coffer.Protocol.Http;

/// <summary>One query parameter, decoded. <see cref="HasValue"/> is false for <c>?acl</c> and true for <c>?acl=</c>.</summary>
public sealed record QueryParameter(string Name, string Value, bool HasValue);

/// <summary>The request target (<c>/path?query</c>) as the client sent it, decoded once, strictly.</summary>
public sealed class RequestTarget
{
    private RequestTarget(string rawPath, string path, IReadOnlyList<QueryParameter> query)
    {
        RawPath = rawPath;
        Path = path;
        Query = query;
    }

    public string RawPath { get; }

    /// <summary>The decoded path; <c>+</c> stays a plus sign.</summary>
    public string Path { get; }

    public IReadOnlyList<QueryParameter> Query { get; }

    public static RequestTarget Parse(string rawTarget)
    {
        var questionMark = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = questionMark < 0 ? rawTarget : rawTarget[..questionMark];
        var rawQuery = questionMark < 0 ? "" : rawTarget[(questionMark + 1)..];
        if (rawPath.Length == 0)
        {
            rawPath = "/";
        }

        var query = new List<QueryParameter>();
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            query.Add(equals < 0
                ? new QueryParameter(UrlEncoding.Decode(part, plusIsSpace: true), "", false)
                : new QueryParameter(
                    UrlEncoding.Decode(part.AsSpan(0, equals), plusIsSpace: true),
                    UrlEncoding.Decode(part.AsSpan(equals + 1), plusIsSpace: true),
                    true));
        }

        return new RequestTarget(rawPath, UrlEncoding.Decode(rawPath, plusIsSpace: false), query);
    }

    public bool Has(string name)
    {
        // A loop, not LINQ: the router asks this for every sub-resource it knows, on every request.
        foreach (var parameter in Query)
        {
            if (parameter.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first value of the parameter, or null when it is absent.</summary>
    public string? Get(string name)
    {
        foreach (var parameter in Query)
        {
            if (parameter.Name == name)
            {
                return parameter.Value;
            }
        }

        return null;
    }
}
