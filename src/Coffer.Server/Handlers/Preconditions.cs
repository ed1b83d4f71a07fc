using Coffer.Model.Objects;
using Coffer.Protocol.Http;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

internal enum PreconditionOutcome
{
    Proceed,
    NotModified,
    Failed,
}

/// <summary>If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since, evaluated in the order RFC 9110 gives.</summary>
internal static class Preconditions
{
    public static PreconditionOutcome Evaluate(RequestContext context, ObjectInfo info)
    {
        var lastModified = TruncateToSeconds(info.LastModified);
        var ifMatch = context.Header("If-Match");
        if (ifMatch is not null)
        {
            if (!MatchesAny(ifMatch, info.ETag))
            {
                return PreconditionOutcome.Failed;
            }
        }
        else if (HttpDates.ParseRfc1123(context.Header("If-Unmodified-Since")) is { } unmodifiedSince && lastModified > unmodifiedSince)
        {
            return PreconditionOutcome.Failed;
        }

        var ifNoneMatch = context.Header("If-None-Match");
        if (ifNoneMatch is not null)
        {
            if (MatchesAny(ifNoneMatch, info.ETag))
            {
                return PreconditionOutcome.NotModified;
            }
        }
        else if (HttpDates.ParseRfc1123(context.Header("If-Modified-Since")) is { } modifiedSince && lastModified <= modifiedSince)
        {
            return PreconditionOutcome.NotModified;
        }

        return PreconditionOutcome.Proceed;
    }

    private static bool MatchesAny(string header, string etag) =>
        header.Split(',').Select(t => t.Trim()).Any(t => t == "*" || Unquote(t) == etag);

    private static string Unquote(string tag)
    {
        if (tag.StartsWith("W/", StringComparison.Ordinal))
        {
            tag = tag[2..];
        }

        return tag.Trim('"');
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
}
