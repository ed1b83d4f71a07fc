using Coffer.Common;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Http;

/// <summary>
/// The source of a copy. COS writes <c>&lt;bucket&gt;.cos.&lt;region&gt;.myqcloud.com/&lt;key&gt;[?versionId=]</c>,
/// S3 writes <c>[/]&lt;bucket&gt;/&lt;key&gt;[?versionId=]</c>; the key is URL-encoded in both.
/// </summary>
public sealed record CopySource(string Bucket, string Key, string? VersionId)
{
    public static CopySource Parse(string header, HostResolver hosts)
    {
        var value = header.Trim();
        string? versionId = null;
        var question = value.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            var query = RequestTarget.Parse("/" + value[question..]);
            versionId = query.Get("versionId") is { Length: > 0 } v ? v : null;
            value = value[..question];
        }

        value = value.TrimStart('/');
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1)
        {
            throw new CofferException(ErrorCode.InvalidArgument, "The copy source must name a bucket and a key.");
        }

        var first = value[..slash];
        var key = UrlEncoding.Decode(value.AsSpan(slash + 1), plusIsSpace: false);
        var bucket = hosts.Resolve(first).Bucket ?? UrlEncoding.Decode(first, plusIsSpace: false);
        return new CopySource(bucket, key, versionId);
    }
}
