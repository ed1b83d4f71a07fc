using System.Text;
using Coffer.Common;
using Coffer.Model;
using Coffer.Model.Objects;
using Coffer.Protocol.Http;
using Coffer.Server.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Handlers;

internal sealed class ObjectHandlers(IObjectService objects)
{
    private const string MetaPrefix = "x-cos-meta-";
    private const int MaxUserMetadataBytes = 2048;
    private const int CopyBufferSize = 256 * 1024;

    // Headers stored with an object and returned as they were sent.
    private static readonly string[] StoredHeaders =
        ["Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires"];

    private static readonly (string Query, string Header)[] ResponseOverrides =
    [
        ("response-content-type", "Content-Type"),
        ("response-content-language", "Content-Language"),
        ("response-expires", "Expires"),
        ("response-cache-control", "Cache-Control"),
        ("response-content-disposition", "Content-Disposition"),
        ("response-content-encoding", "Content-Encoding"),
    ];

    public async Task PutObjectAsync(RequestContext context)
    {
        var request = new PutObjectRequest
        {
            Bucket = context.Bucket,
            Key = context.Key,
            Body = context.Request.Body,
            ContentLength = context.Request.ContentLength,
            ContentMd5 = ParseContentMd5(context.Header("Content-MD5")),
            ContentType = context.Header("Content-Type"),
            StorageClass = StorageClass.NormalizeCos(context.Header("x-cos-storage-class")),
            UserMetadata = UserMetadata(context.Request.Headers),
            Headers = StoredHeaders
                .Select(name => (name, value: context.Header(name)))
                .Where(h => !string.IsNullOrEmpty(h.value))
                .Select(h => new KeyValuePair<string, string>(h.name, h.value!))
                .ToArray(),
        };
        var stored = await objects.PutObjectAsync(request, context.Aborted);
        var headers = context.Response.Headers;
        headers.ETag = Quote(stored.ETag);
        if (stored.Crc64 is { } crc)
        {
            headers["x-cos-hash-crc64ecma"] = crc.ToString();
        }

        if (stored.HasVersionId)
        {
            headers["x-cos-version-id"] = stored.VersionId;
        }

        await Responses.EmptyAsync(context);
    }

    public Task HeadObjectAsync(RequestContext context)
    {
        var info = objects.HeadObject(context.Bucket, context.Key, VersionIdOf(context));
        if (!ApplyPreconditions(context, info))
        {
            return Task.CompletedTask;
        }

        WriteObjectHeaders(context, info);
        context.Response.ContentLength = info.Size;
        return Task.CompletedTask;
    }

    public async Task GetObjectAsync(RequestContext context)
    {
        var range = ByteRange.Parse(context.Header("Range"));
        for (var attempt = 1; ; attempt++)
        {
            var content = objects.GetObject(context.Bucket, context.Key, VersionIdOf(context), range);
            if (!ApplyPreconditions(context, content.Info))
            {
                return;
            }

            Stream body;
            try
            {
                body = content.Open();
            }
            catch (FileNotFoundException) when (attempt < 3)
            {
                // A concurrent overwrite or delete removed the blob after we read its metadata: read again.
                continue;
            }

            await using (body)
            {
                WriteObjectHeaders(context, content.Info);
                foreach (var (query, header) in ResponseOverrides)
                {
                    if (context.Target.Get(query) is { } value)
                    {
                        context.Response.Headers[header] = value;
                    }
                }

                if (range is not null)
                {
                    context.Response.StatusCode = StatusCodes.Status206PartialContent;
                    context.Response.Headers.ContentRange =
                        $"bytes {content.Offset}-{content.Offset + content.Length - 1}/{content.Info.Size}";
                }

                context.Response.ContentLength = content.Length;
                await body.CopyToAsync(context.Response.Body, CopyBufferSize, context.Aborted);
            }

            return;
        }
    }

    public async Task DeleteObjectAsync(RequestContext context)
    {
        var result = await objects.DeleteObjectAsync(context.Bucket, context.Key, VersionIdOf(context), context.Aborted);
        if (result.VersionId is not null)
        {
            context.Response.Headers["x-cos-version-id"] = result.VersionId;
        }

        if (result.IsDeleteMarker)
        {
            context.Response.Headers["x-cos-delete-marker"] = "true";
        }

        await Responses.EmptyAsync(context, 204);
    }

    private static bool ApplyPreconditions(RequestContext context, ObjectInfo info)
    {
        switch (Preconditions.Evaluate(context, info))
        {
            case PreconditionOutcome.Failed:
                throw new CofferException(ErrorCode.PreconditionFailed);
            case PreconditionOutcome.NotModified:
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                context.Response.Headers.ETag = Quote(info.ETag);
                context.Response.Headers.LastModified = HttpDates.Rfc1123(info.LastModified);
                return false;
            default:
                return true;
        }
    }

    private static void WriteObjectHeaders(RequestContext context, ObjectInfo info)
    {
        var headers = context.Response.Headers;
        headers.ContentType = info.ContentType ?? "application/octet-stream";
        headers.ETag = Quote(info.ETag);
        headers.LastModified = HttpDates.Rfc1123(info.LastModified);
        headers.AcceptRanges = "bytes";
        if (info.Crc64 is { } crc)
        {
            headers["x-cos-hash-crc64ecma"] = crc.ToString();
        }

        if (info.StorageClass != StorageClass.Standard)
        {
            headers["x-cos-storage-class"] = info.StorageClass;
        }

        if (info.HasVersionId)
        {
            headers["x-cos-version-id"] = info.VersionId;
        }

        foreach (var (name, value) in info.Headers)
        {
            headers[name] = value;
        }

        foreach (var (name, value) in info.UserMetadata)
        {
            headers[MetaPrefix + name] = value;
        }
    }

    private static IReadOnlyList<KeyValuePair<string, string>> UserMetadata(IHeaderDictionary headers)
    {
        var metadata = new List<KeyValuePair<string, string>>();
        var bytes = 0;
        foreach (var (name, value) in headers)
        {
            if (!name.StartsWith(MetaPrefix, StringComparison.OrdinalIgnoreCase) || name.Length == MetaPrefix.Length)
            {
                continue;
            }

            var metaName = name[MetaPrefix.Length..].ToLowerInvariant();
            var metaValue = value.ToString();
            bytes += Encoding.UTF8.GetByteCount(metaName) + Encoding.UTF8.GetByteCount(metaValue);
            metadata.Add(new(metaName, metaValue));
        }

        return bytes > MaxUserMetadataBytes
            ? throw new CofferException(ErrorCode.MetadataTooLarge,
                $"User metadata may total at most {MaxUserMetadataBytes} bytes; this request has {bytes}.")
            : metadata;
    }

    private static byte[]? ParseContentMd5(string? header)
    {
        if (header is null)
        {
            return null;
        }

        var digest = new byte[16];
        return Convert.TryFromBase64String(header.Trim(), digest, out var written) && written == 16
            ? digest
            : throw new CofferException(ErrorCode.InvalidDigest);
    }

    private static string? VersionIdOf(RequestContext context) =>
        context.Target.Get("versionId") is { Length: > 0 } versionId ? versionId : null;

    private static string Quote(string etag) => $"\"{etag}\"";
}
