using System.Text.RegularExpressions;

namespace Coffer.Protocol.Routing;

/// <summary>What the Host header says: a bucket (virtual-host style) or none (path style), and the region it names.</summary>
public readonly record struct HostMatch(string? Bucket, string? Region);

/// <summary>
/// Recognises virtual-host names: <c>&lt;bucket&gt;.&lt;suffix&gt;</c>, where a suffix is a configured pattern such as
/// <c>cos.{region}.myqcloud.com</c>. A host that is exactly a suffix, an IP address or anything unknown means path style.
/// </summary>
public sealed class HostResolver
{
    /// <summary>The suffixes COS and S3 clients use by default, so an SDK pointed at our address with its real host name works.</summary>
    public static readonly IReadOnlyList<string> DefaultSuffixes =
    [
        "cos.{region}.myqcloud.com",
        "cos.{region}.tencentcos.cn",
        "cos-internal.{region}.tencentcos.cn",
        "service.cos.myqcloud.com",
        "s3.{region}.amazonaws.com",
        "s3.amazonaws.com",
        "localhost",
    ];

    private readonly Regex[] _patterns;

    public HostResolver(IEnumerable<string> suffixes)
    {
        _patterns = suffixes.Select(Compile).ToArray();
    }

    /// <summary>
    /// The longest suffix that matches wins, whatever the order they are listed in: with <c>example.test</c> and
    /// <c>objects.example.test</c> configured, <c>b.objects.example.test</c> is bucket <c>b</c>, not <c>b.objects</c>.
    /// </summary>
    public HostMatch Resolve(string? host)
    {
        var name = StripPort(host ?? "").ToLowerInvariant();
        Match? best = null;
        foreach (var pattern in _patterns)
        {
            var match = pattern.Match(name);
            if (match.Success && (best is null || BucketLength(match) < BucketLength(best)))
            {
                best = match;
            }
        }

        if (best is null)
        {
            return default;
        }

        var bucket = best.Groups["bucket"];
        var region = best.Groups["region"];
        return new HostMatch(bucket.Success ? bucket.Value : null, region.Success ? region.Value : null);
    }

    private static int BucketLength(Match match) => match.Groups["bucket"] is { Success: true } bucket ? bucket.Length : 0;

    /// <summary>The host without its port (IPv6 literals keep their brackets).</summary>
    public static string StripPort(string host)
    {
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            return close < 0 ? host : host[..(close + 1)];
        }

        var colon = host.LastIndexOf(':');
        return colon < 0 ? host : host[..colon];
    }

    private static Regex Compile(string suffix)
    {
        var body = Regex.Escape(suffix.Trim().ToLowerInvariant()).Replace(@"\{region}", "(?<region>[a-z0-9-]+)", StringComparison.Ordinal);
        // The bucket label takes '_' and a leading '-' too, which no bucket name has: such a host still names a bucket, and
        // its name is answered InvalidBucketName, rather than the request falling back to path style on no bucket at all.
        return new Regex($"^(?:(?<bucket>[a-z0-9_-][a-z0-9._-]*)\\.)?{body}$", RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }
}
