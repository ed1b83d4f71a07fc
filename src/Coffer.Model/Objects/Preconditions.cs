using Coffer.Common;

namespace Coffer.Model.Objects;

public enum PreconditionOutcome
{
    Proceed,
    NotModified,
    Failed,
}

/// <summary>
/// If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since, evaluated in the order RFC 9110 gives: on GET
/// and HEAD, on the source of a copy, and (If-Match / If-None-Match) on the object a PUT would replace.
/// </summary>
public sealed record Preconditions(string? IfMatch, string? IfNoneMatch, DateTimeOffset? IfModifiedSince, DateTimeOffset? IfUnmodifiedSince)
{
    public static Preconditions None { get; } = new(null, null, null, null);

    /// <summary>
    /// COS's <c>x-cos-forbid-overwrite: true</c>: a write fails with FileAlreadyExists when the key has an object, unless
    /// the bucket's versioning is on, where a write replaces nothing.
    /// </summary>
    public bool ForbidOverwrite { get; init; }

    public bool IsEmpty => this == None;

    public PreconditionOutcome Evaluate(ObjectInfo info)
    {
        var lastModified = DateTimeOffset.FromUnixTimeSeconds(info.LastModified.ToUnixTimeSeconds());
        if (IfMatch is not null)
        {
            if (!MatchesAny(IfMatch, info.ETag))
            {
                return PreconditionOutcome.Failed;
            }
        }
        else if (IfUnmodifiedSince is { } unmodifiedSince && lastModified > unmodifiedSince)
        {
            return PreconditionOutcome.Failed;
        }

        if (IfNoneMatch is not null)
        {
            if (MatchesAny(IfNoneMatch, info.ETag))
            {
                return PreconditionOutcome.NotModified;
            }
        }
        else if (IfModifiedSince is { } modifiedSince && lastModified <= modifiedSince)
        {
            return PreconditionOutcome.NotModified;
        }

        return PreconditionOutcome.Proceed;
    }

    /// <summary>
    /// A conditional write: <c>If-None-Match: *</c> fails when the key has an object, <c>If-Match</c> when it has none
    /// (NoSuchKey) or one with another ETag (PreconditionFailed), <see cref="ForbidOverwrite"/> when it has one and
    /// <paramref name="keepsVersions"/> (the bucket's versioning is on) is false.
    /// </summary>
    public void CheckWrite(ObjectInfo? current, bool keepsVersions)
    {
        if (ForbidOverwrite && current is not null && !keepsVersions)
        {
            throw new CofferException(ErrorCode.FileAlreadyExists, "The object exists and x-cos-forbid-overwrite forbids replacing it.");
        }

        if (IfNoneMatch is not null && current is not null && MatchesAny(IfNoneMatch, current.ETag))
        {
            throw new CofferException(ErrorCode.PreconditionFailed, "The object exists and If-None-Match forbids replacing it.");
        }

        if (IfMatch is null)
        {
            return;
        }

        if (current is null)
        {
            throw new CofferException(ErrorCode.NoSuchKey, "If-Match names an object that does not exist.");
        }

        if (!MatchesAny(IfMatch, current.ETag))
        {
            throw new CofferException(ErrorCode.PreconditionFailed, "The object's ETag does not match If-Match.");
        }
    }

    internal static bool MatchesAny(string header, string etag) =>
        header.Split(',').Select(t => t.Trim()).Any(t => t == "*" || Unquote(t) == etag);

    private static string Unquote(string tag)
    {
        if (tag.StartsWith("W/", StringComparison.Ordinal))
        {
            tag = tag[2..];
        }

        return tag.Trim('"');
    }
}
