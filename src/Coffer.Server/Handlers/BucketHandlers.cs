using Coffer.Common;
using Coffer.Model;
using Coffer.Model.Objects;
using Coffer.Protocol.Xml;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

internal sealed class BucketHandlers(IObjectService objects, CofferServerOptions options)
{
    public const int MaxListKeys = 1000;
    private const int MaxConfigurationBytes = 64 * 1024;

    /// <summary>PUT Bucket: the name must be <c>&lt;name&gt;-&lt;appid&gt;</c> with the caller's APPID.</summary>
    public async Task CreateBucketAsync(RequestContext context)
    {
        var name = BucketName.Parse(context.Bucket);
        if (name.AppId != context.Caller.AppId)
        {
            throw new CofferException(ErrorCode.AccessDenied,
                $"Access Denied. The bucket name must end with your APPID ({context.Caller.AppId}).");
        }

        // The body is optional; when present it must be a well-formed CreateBucketConfiguration.
        if (await SafeXml.ReadAsync(context.Request.Body, MaxConfigurationBytes, context.Aborted) is { } body)
        {
            CreateBucketConfiguration.Read(body);
        }

        var region = context.Route.HostRegion ?? options.Region;
        await objects.CreateBucketAsync(name.Value, context.Caller.AppId, region, context.Aborted);
        context.Response.Headers.Location = "/" + name.Value;
        await Responses.EmptyAsync(context);
    }

    public Task HeadBucketAsync(RequestContext context)
    {
        var bucket = objects.GetBucket(context.Bucket);
        context.Response.Headers["x-cos-bucket-region"] = bucket.Region;
        context.Response.Headers["x-amz-bucket-region"] = bucket.Region;
        return Responses.EmptyAsync(context);
    }

    public async Task DeleteBucketAsync(RequestContext context)
    {
        await objects.DeleteBucketAsync(context.Bucket, context.Aborted);
        await Responses.EmptyAsync(context, 204);
    }

    /// <summary>GET Bucket (List Objects version 1).</summary>
    public Task ListObjectsAsync(RequestContext context)
    {
        var target = context.Target;
        var encodingType = target.Get("encoding-type");
        if (encodingType is not null && encodingType != "url")
        {
            throw new CofferException(ErrorCode.InvalidArgument, "encoding-type must be 'url'.");
        }

        var maxKeys = ParseMaxKeys(target.Get("max-keys"));
        var query = new ListObjectsQuery
        {
            Prefix = target.Get("prefix") ?? "",
            Delimiter = NullIfEmpty(target.Get("delimiter")),
            After = NullIfEmpty(target.Get("marker")),
            MaxKeys = maxKeys,
        };
        var page = objects.ListObjects(context.Bucket, query);
        var owner = context.Caller.AppId;
        var document = new ListBucketDocument(
            context.Bucket,
            query.Prefix,
            query.After ?? "",
            maxKeys,
            query.Delimiter,
            encodingType,
            page.IsTruncated,
            page.NextMarker,
            page.CommonPrefixes,
            page.Objects.Select(o => new ObjectEntry(o.Key, o.LastModified, o.ETag, o.Size, owner, o.StorageClass)).ToArray());
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(document));
    }

    internal static int ParseMaxKeys(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return MaxListKeys;
        }

        return int.TryParse(value, out var parsed) && parsed >= 0
            ? Math.Min(parsed, MaxListKeys)
            : throw new CofferException(ErrorCode.InvalidArgument, "max-keys must be an integer between 0 and 1000.");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
