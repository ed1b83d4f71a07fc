using Coffer.Common;
using Coffer.Model;
using Coffer.Model.Objects;
using Coffer.Protocol.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Coffer.WebConsole;

/// <summary>Buckets and objects: list by prefix, versions, download, upload, delete, tags; each authorized as its API operation.</summary>
internal sealed class ObjectEndpoints(ConsoleEndpoints guard, IObjectService objects)
{
    private const int PageSize = 200;

    private sealed record TagBody(IReadOnlyList<TagEntry>? Tags);

    private sealed record TagEntry(string Key, string Value);

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/buckets", http => guard.Guarded(http, request =>
        {
            request.Authorize(Operation.ListBuckets, null);
            var buckets = objects.ListBuckets(request.Caller.Identity.Root.AppId);
            return request.JsonAsync(buckets.Select(b => new { b.Name, b.Region, b.CreatedAt }));
        }));

        routes.MapGet("/api/buckets/{bucket}/objects", http => guard.Guarded(http, request =>
        {
            var bucket = request.Bucket();
            var prefix = request.Query("prefix");
            var marker = request.OptionalQuery("marker");
            request.Authorize(Operation.ListObjects, bucket, query: $"prefix={Uri.EscapeDataString(prefix)}&delimiter=%2F");
            var page = objects.ListObjects(bucket, new ListObjectsQuery { Prefix = prefix, Delimiter = "/", After = marker, MaxKeys = PageSize });
            return request.JsonAsync(new
            {
                prefix,
                prefixes = page.CommonPrefixes,
                objects = page.Objects.Select(Describe),
                nextMarker = page.IsTruncated ? page.NextMarker ?? LastOf(page) : null,
            });
        }));

        routes.MapGet("/api/buckets/{bucket}/versions", http => guard.Guarded(http, request =>
        {
            var bucket = request.Bucket();
            var key = request.RequiredQuery("key");
            request.Authorize(Operation.ListObjectVersions, bucket, query: $"prefix={Uri.EscapeDataString(key)}");
            var page = objects.ListObjectVersions(bucket, new ListVersionsQuery { Prefix = key, MaxKeys = PageSize });
            return request.JsonAsync(page.Versions.Where(v => v.Key == key).Select(Describe));
        }));

        routes.MapGet("/api/buckets/{bucket}/download", http => guard.Guarded(http, async request =>
        {
            var bucket = request.Bucket();
            var key = request.RequiredQuery("key");
            var versionId = request.OptionalQuery("versionId");
            request.Authorize(Operation.GetObject, bucket, key, versionId is null ? "" : "versionId=" + Uri.EscapeDataString(versionId));
            var content = objects.GetObject(bucket, key, versionId);
            if (content.Info.IsDeleteMarker)
            {
                throw new CofferException(ErrorCode.NoSuchKey);
            }

            http.Response.ContentType = content.Info.ContentType ?? "application/octet-stream";
            http.Response.ContentLength = content.Length;
            http.Response.Headers.ContentDisposition = new System.Net.Mime.ContentDisposition
            {
                FileName = Path.GetFileName(key.TrimEnd('/')) is { Length: > 0 } name ? name : "object",
                DispositionType = "attachment",
            }.ToString();
            await using var body = content.Open();
            await body.CopyToAsync(http.Response.Body, request.Aborted);
        }));

        routes.MapPut("/api/buckets/{bucket}/upload", http => guard.Guarded(http, async request =>
        {
            var bucket = request.Bucket();
            var key = request.RequiredQuery("key");
            ObjectKey.ValidateNew(key);
            request.Authorize(Operation.PutObject, bucket, key);
            var stored = await objects.PutObjectAsync(new PutObjectRequest
            {
                Bucket = bucket,
                Key = key,
                Body = http.Request.Body,
                ContentLength = http.Request.ContentLength,
                ContentType = http.Request.ContentType,
            }, request.Aborted);
            await request.JsonAsync(Describe(stored));
        }));

        routes.MapDelete("/api/buckets/{bucket}/object", http => guard.Guarded(http, async request =>
        {
            var bucket = request.Bucket();
            var key = request.RequiredQuery("key");
            var versionId = request.OptionalQuery("versionId");
            request.Authorize(Operation.DeleteObject, bucket, key, versionId is null ? "" : "versionId=" + Uri.EscapeDataString(versionId));
            var result = await objects.DeleteObjectAsync(bucket, key, versionId, request.Aborted);
            await request.JsonAsync(new { result.VersionId, result.IsDeleteMarker });
        }));

        routes.MapGet("/api/buckets/{bucket}/tags", http => guard.Guarded(http, request =>
        {
            var bucket = request.Bucket();
            var key = request.RequiredQuery("key");
            request.Authorize(Operation.GetObjectTagging, bucket, key);
            var info = objects.HeadObject(bucket, key, request.OptionalQuery("versionId"));
            return request.JsonAsync(info.Tags.Select(t => new TagEntry(t.Key, t.Value)));
        }));

        routes.MapPut("/api/buckets/{bucket}/tags", http => guard.Guarded(http, async request =>
        {
            var bucket = request.Bucket();
            var key = request.RequiredQuery("key");
            request.Authorize(Operation.PutObjectTagging, bucket, key);
            // Every tag needs its key and value; a body without the list is refused rather than read as "remove them all".
            var body = await ConsoleEndpoints.ReadJsonAsync<TagBody>(http);
            if (body?.Tags is not { } entries || entries.Any(t => t?.Key is null || t.Value is null))
            {
                throw new CofferException(ErrorCode.InvalidRequest, "The body must be JSON: {\"tags\": [{\"key\": \"k\", \"value\": \"v\"}]}.");
            }

            var tags = ObjectTags.Validate([.. entries.Select(t => new KeyValuePair<string, string>(t.Key, t.Value))]);
            var info = await objects.PutObjectTaggingAsync(bucket, key, request.OptionalQuery("versionId"), tags, request.Aborted);
            await request.JsonAsync(info.Tags.Select(t => new TagEntry(t.Key, t.Value)));
        }));
    }

    /// <summary>Where the next page starts when the listing names no marker: after the last key or prefix listed.</summary>
    private static string? LastOf(ListObjectsPage page)
    {
        var key = page.Objects.Count > 0 ? page.Objects[^1].Key : null;
        var prefix = page.CommonPrefixes.Count > 0 ? page.CommonPrefixes[^1] : null;
        return key is null ? prefix : prefix is null ? key : string.CompareOrdinal(key, prefix) > 0 ? key : prefix;
    }

    private static object Describe(ObjectInfo o) => new
    {
        o.Key,
        o.VersionId,
        o.IsLatest,
        o.IsDeleteMarker,
        o.Size,
        o.LastModified,
        o.StorageClass,
        o.ETag,
        o.Encryption,
    };
}
