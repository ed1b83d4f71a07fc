using Coffer.Common;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Http;

/// <summary>
/// The source of a copy. COS writes <c>&lt;bucket&gt;.cos.&lt;region&gt;.myqcloud.com/&lt;key&gt;[?versionId=]</c>,
/// S3 writes <c>[/]&lt;bucket&gt;/&lt;key&gt;[?versionId=]</c>. Clients encode the key, and some (the AWS SDK for .NET)
/// the slash after the bucket too, so the value is decoded before it is split.
/// </summary>
public sealed record CopySource(string Bucket, string Key, string? VersionId)
{
    /// <summary>S3's words for an empty <c>versionId</c>, which names no version (not "the current one").</summary>
    public const string EmptyVersionId = "Version id cannot be the empty string";

    /// <summary>
    /// The copy source a header names. An empty <c>versionId</c> is InvalidArgument in S3, as S3 answers it; COS documents
    /// nothing for it and its Go SDK writes whatever id it is given, so there it names no version, as it always did.
    /// </summary>
    public static CopySource Parse(string header, HostResolver hosts, Dialect dialect)
    {
        var value = header.Trim();
        string? versionId = null;
        var question = value.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            var query = RequestTarget.Parse("/" + value[question..]);
            versionId = query.Get("versionId") switch
            {
                "" when dialect == Dialect.S3 => throw new CofferException(ErrorCode.InvalidArgument, EmptyVersionId),
                "" => null,
                var v => v,
            };
            value = value[..question];
        }

        value = UrlEncoding.Decode(value, plusIsSpace: false).TrimStart('/');
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1)
        {
            throw new CofferException(ErrorCode.InvalidArgument, "The copy source must name a bucket and a key.");
        }

        var first = value[..slash];
        return new CopySource(hosts.Resolve(first).Bucket ?? first, value[(slash + 1)..], versionId);
    }

    /// <summary>
    /// <c>x-cos-copy-source-range</c> / <c>x-amz-copy-source-range</c>: <c>bytes=first-last</c>, both zero-based and
    /// inclusive. Any other form (open-ended, suffix, reversed) is InvalidArgument, as S3 answers it.
    /// </summary>
    public static (long First, long Last)? ParseRange(string? header)
    {
        if (header is null)
        {
            return null;
        }

        var value = header.Trim();
        if (value.StartsWith("bytes=", StringComparison.Ordinal))
        {
            var dash = value.IndexOf('-', StringComparison.Ordinal);
            if (dash > "bytes=".Length
                && long.TryParse(value.AsSpan("bytes=".Length, dash - "bytes=".Length), System.Globalization.NumberStyles.None, null, out var first)
                && long.TryParse(value.AsSpan(dash + 1), System.Globalization.NumberStyles.None, null, out var last) && first <= last)
            {
                return (first, last);
            }
        }

        throw new CofferException(ErrorCode.InvalidArgument,
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy");
    }
}
