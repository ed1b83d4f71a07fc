using System.Globalization;
using System.Text;
using Coffer.Common;
using Coffer.Model;
using Coffer.Model.Buckets;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

internal sealed class ServiceHandlers(IObjectService objects, BucketSettings settings)
{
    private const int MaxBuckets = 10_000;

    /// <summary>
    /// GET Service: the caller's buckets in name order. S3's ListBuckets also pages and filters them: <c>max-buckets</c>
    /// (1-10,000), <c>continuation-token</c> (from the previous page), <c>prefix</c> and <c>bucket-region</c>. COS filters
    /// them as its GET Service documents: the region of a <c>cos.&lt;region&gt;.myqcloud.com</c> host or of <c>region</c>,
    /// one bucket tag (<c>tagkey</c>, <c>tagvalue</c>) and the creation time (<c>create-time</c>, a Unix time, with
    /// <c>range</c> lt, gt, lte or gte); its paging (<c>marker</c>, <c>max-keys</c>) is not implemented (501).
    /// </summary>
    public Task ListBucketsAsync(RequestContext context)
    {
        IEnumerable<BucketInfo> buckets = objects.ListBuckets(context.Caller.AppId).OrderBy(b => b.Name, StringComparer.Ordinal);
        string? prefix = null, nextToken = null;
        if (context.Dialect == Dialect.S3)
        {
            var target = context.Target;
            prefix = target.Get("prefix");
            var region = target.Get("bucket-region");
            var after = target.Get("continuation-token") is { Length: > 0 } token ? BucketAfter(token) : null;
            var max = target.Get("max-buckets") is { } text ? MaxBucketsOf(text) : MaxBuckets;
            var page = buckets
                .Where(b => (after is null || string.CompareOrdinal(b.Name, after) > 0)
                    && (prefix is null || b.Name.StartsWith(prefix, StringComparison.Ordinal))
                    && (region is null || b.Region == region))
                .Take(max + 1)
                .ToList();
            if (page.Count > max)
            {
                page.RemoveAt(max);
                nextToken = Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1].Name));
            }

            buckets = page;
        }
        else
        {
            buckets = buckets.Where(CosFilter(context));
        }

        var entries = buckets.Select(b => new BucketEntry(b.Name, b.Region, b.CreatedAt)).ToArray();
        var ownerId = context.Dialect == Dialect.S3 ? context.Caller.Uin : context.Caller.OwnerId;
        var document = new ListAllMyBucketsDocument(ownerId, context.Caller.Uin, entries, nextToken, prefix);
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(document, context.Dialect));
    }

    private Func<BucketInfo, bool> CosFilter(RequestContext context)
    {
        var target = context.Target;
        foreach (var paging in new[] { "marker", "max-keys" })
        {
            if (target.Has(paging))
            {
                throw new CofferException(ErrorCode.NotImplemented, $"GET Service does not page here ({paging}): it lists every bucket the filters leave.");
            }
        }

        var hostRegion = context.Route.HostRegion;
        var region = target.Get("region");
        var (tagKey, tagValue) = (target.Get("tagkey"), target.Get("tagvalue"));
        if (tagKey is null != tagValue is null)
        {
            throw new CofferException(ErrorCode.InvalidArgument, "tagkey and tagvalue filter together: give both or neither.");
        }

        var created = CreatedFilter(target.Get("create-time"), target.Get("range"));
        return bucket => (hostRegion is null || bucket.Region == hostRegion) && (region is null || bucket.Region == region)
            && created(bucket.CreatedAt) && (tagKey is null || HasTag(bucket.Name, tagKey, tagValue!));
    }

    private bool HasTag(string bucket, string key, string value) =>
        settings.FindTagging(bucket)?.Any(t => t.Key == key && t.Value == value) ?? false;

    private static Func<DateTimeOffset, bool> CreatedFilter(string? time, string? range)
    {
        if (time is null && range is null)
        {
            return _ => true;
        }

        if (!long.TryParse(time, NumberStyles.None, CultureInfo.InvariantCulture, out var at))
        {
            throw new CofferException(ErrorCode.InvalidArgument, "create-time must be a Unix time in seconds, given with range.");
        }

        // Compared to the second, as the time is given.
        return range switch
        {
            "lt" => created => created.ToUnixTimeSeconds() < at,
            "gt" => created => created.ToUnixTimeSeconds() > at,
            "lte" => created => created.ToUnixTimeSeconds() <= at,
            "gte" => created => created.ToUnixTimeSeconds() >= at,
            _ => throw new CofferException(ErrorCode.InvalidArgument, "range must be lt, gt, lte or gte, given with create-time."),
        };
    }

    private static int MaxBucketsOf(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max is >= 1 and <= MaxBuckets
            ? max
            : throw new CofferException(ErrorCode.InvalidArgument, $"max-buckets must be an integer between 1 and {MaxBuckets}.");

    /// <summary>The bucket name a continuation token starts after (tokens are the base64 of the last name listed).</summary>
    private static string BucketAfter(string token)
    {
        var bytes = new byte[token.Length];
        return Convert.TryFromBase64String(token, bytes, out var length) && BucketName.TryParse(Encoding.UTF8.GetString(bytes, 0, length), out var name)
            ? name.Value
            : throw new CofferException(ErrorCode.InvalidArgument, "The continuation token provided is incorrect.");
    }
}
