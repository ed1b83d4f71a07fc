using System.Globalization;
using Coffer.Common;
using Coffer.Model;
using Coffer.Model.Access;
using Coffer.Model.Multipart;
using Coffer.Model.Objects;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;
using Coffer.Server.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Handlers;

internal sealed class ObjectHandlers(IObjectService objects, Router router, Authorizer authorizer, AccessControl access, SettingsHandlers settings)
{
    private const int MaxTaggingBytes = 64 * 1024;

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
        context.RequireBodyLength();
        var stored = await StoreAsync(context, ObjectHeaders.Read(context));
        context.Response.Headers.ETag = ObjectHeaders.Quote(stored.ETag);
        ObjectHeaders.WriteCrc64(context, stored.Crc64);
        ObjectHeaders.WriteVerifiedChecksum(context);
        ObjectHeaders.WriteVersionId(context, stored);
        ObjectHeaders.WriteEncryption(context, stored);
        settings.WriteExpiration(context, stored);
        await Responses.EmptyAsync(context);
    }

    /// <summary>
    /// Writes the request's body as its key's new version, as the request's headers describe it: PUT Object, and POST
    /// Object (whose form fields stand in for the headers).
    /// </summary>
    public async Task<ObjectInfo> StoreAsync(RequestContext context, ObjectAttributes attributes)
    {
        var (encryption, kmsKeyId) = ObjectHeaders.Encryption(context);
        var request = new PutObjectRequest
        {
            Bucket = context.Bucket,
            Key = context.Key,
            Body = context.Body,
            ContentLength = context.ContentLength,
            ContentMd5 = ObjectHeaders.ContentMd5(context),
            ContentType = attributes.ContentType,
            StorageClass = attributes.StorageClass,
            UserMetadata = attributes.UserMetadata,
            Headers = attributes.Headers,
            Tags = attributes.Tags,
            ServerSideEncryption = encryption,
            KmsKeyId = kmsKeyId,
            CustomerKey = CustomerKeyHeaders.Read(context),
            Acl = attributes.Acl,
            Condition = ObjectHeaders.WriteConditions(context),
            HeadersAfterBody = () => ObjectHeaders.VerifiedChecksum(context),
            BucketRules = context.Rules,
            Lock = ObjectLockHeaders.Read(context, withBody: true),
        };
        return await objects.PutObjectAsync(request, context.Aborted);
    }

    public Task HeadObjectAsync(RequestContext context)
    {
        RefuseEncryptionHeaders(context);
        var overrides = ResponseOverridesOf(context);
        var (range, partNumber) = RangeOrPartOf(context);
        var versionId = VersionIdOf(context);
        var customerKey = CustomerKeyHeaders.Read(context);
        var part = partNumber is { } number ? objects.GetObjectPart(context.Bucket, context.Key, versionId, number, customerKey) : null;
        var info = part?.Info ?? objects.HeadObject(context.Bucket, context.Key, versionId, customerKey);
        ObjectHeaders.RejectDeleteMarker(context, info, versionId);
        ObjectHeaders.RejectAnonymousKmsRead(context, info);
        if (!ApplyPreconditions(context, info))
        {
            return Task.CompletedTask;
        }

        // A HEAD answers a Range as its GET would, by its status and lengths (416 for none of it).
        var ranged = range is { } asked && IfRangeHolds(context, info) ? asked.Resolve(info.Size) : ((long Offset, long Length)?)null;
        ObjectHeaders.Write(context, info, HasVersioning(context), wholeObject: part?.PartsCount is null && ranged is null, part: partNumber);
        ObjectLockHeaders.Write(context, info);
        settings.WriteExpiration(context, info);
        WriteOverrides(context, overrides);
        if (part is not null)
        {
            WritePartial(context, part);
        }
        else if (ranged is var (offset, length))
        {
            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = $"bytes {offset}-{offset + length - 1}/{info.Size}";
            context.Response.ContentLength = length;
        }
        else
        {
            context.Response.ContentLength = info.Size;
        }

        return Task.CompletedTask;
    }

    public async Task GetObjectAsync(RequestContext context)
    {
        RefuseEncryptionHeaders(context);
        var overrides = ResponseOverridesOf(context);
        var (range, partNumber) = RangeOrPartOf(context);
        var versionId = VersionIdOf(context);
        var customerKey = CustomerKeyHeaders.Read(context);
        // Attempts count the blob found gone under a read; a range an If-Range voids is asked for again without counting.
        for (var attempt = 1; ;)
        {
            ObjectContent content;
            try
            {
                content = partNumber is { } number
                    ? objects.GetObjectPart(context.Bucket, context.Key, versionId, number, customerKey)
                    : objects.GetObject(context.Bucket, context.Key, versionId, range, customerKey);
            }
            catch (CofferException error) when (error.Code == ErrorCode.InvalidRange && range is not null)
            {
                // The preconditions come before the range (RFC 9110 13.2.2): an object replaced by a shorter one is 412 to
                // an If-Match, not 416; and a range an If-Range voids is not asked for at all.
                var info = objects.HeadObject(context.Bucket, context.Key, versionId, customerKey);
                ObjectHeaders.RejectDeleteMarker(context, info, versionId);
                if (!ApplyPreconditions(context, info))
                {
                    return;
                }

                if (IfRangeHolds(context, info))
                {
                    throw;
                }

                range = null;
                continue;
            }

            ObjectHeaders.RejectDeleteMarker(context, content.Info, versionId);
            ObjectHeaders.RejectAnonymousKmsRead(context, content.Info);
            if (!ApplyPreconditions(context, content.Info))
            {
                return;
            }

            if (range is not null && !IfRangeHolds(context, content.Info))
            {
                // The object is not the one the client has the rest of: all of it, not a range of another object's bytes.
                range = null;
                continue;
            }

            Stream body;
            try
            {
                body = content.Open();
            }
            catch (FileNotFoundException) when (attempt < 3)
            {
                // A concurrent overwrite or delete removed the blob after we read its metadata: read again.
                attempt++;
                continue;
            }

            await using (body)
            {
                ObjectHeaders.Write(context, content.Info, HasVersioning(context), wholeObject: range is null && content.PartsCount is null, part: partNumber);
                ObjectLockHeaders.Write(context, content.Info);
                settings.WriteExpiration(context, content.Info);
                WriteOverrides(context, overrides);

                if (range is not null || partNumber is not null)
                {
                    WritePartial(context, content);
                }
                else
                {
                    context.Response.ContentLength = content.Length;
                }

                await Responses.StreamAsync(context, body, content.Length);
            }

            return;
        }
    }

    public async Task DeleteObjectAsync(RequestContext context)
    {
        var versionId = VersionIdOf(context);
        var target = new ObjectIdentifier(context.Key, versionId) { Condition = ObjectHeaders.DeleteConditions(context) };
        if (!ConditionalDeletes.MayCheck(context, access, target, Authorizer.Context(context.Target, context.SourceIp)))
        {
            throw new CofferException(ErrorCode.AccessDenied, "Access Denied. If-Match with an ETag needs permission to read the object too.");
        }

        var result = await objects.DeleteObjectAsync(context.Bucket, target,
            versionId is not null && ObjectLockHeaders.BypassesGovernance(context), context.Aborted);
        if (result.VersionId is not null)
        {
            context.Response.Headers[context.Wire.VersionId] = result.VersionId;
        }

        if (result.IsDeleteMarker)
        {
            context.Response.Headers[context.Wire.DeleteMarker] = "true";
        }

        await Responses.EmptyAsync(context, 204);
    }

    /// <summary>PUT Object - Copy: <c>x-cos-copy-source</c> / <c>x-amz-copy-source</c> with a metadata directive.</summary>
    public async Task CopyObjectAsync(RequestContext context)
    {
        var wire = context.Wire;
        // The router chose CopyObject because the dialect's copy-source header is there.
        var source = CopySource.Parse(context.Header(wire.CopySource)!, router.Hosts, context.Dialect);
        authorizer.AuthorizeCopySource(context, source);
        if (context.Credential is null)
        {
            // An anonymous copy reads its source as an anonymous GET would.
            ObjectHeaders.RejectAnonymousKmsRead(context, objects.HeadObject(source.Bucket, source.Key, source.VersionId));
        }

        var replaceMetadata = Directive(context.Header(wire.MetadataDirective), "metadata");
        var replaceTags = Directive(context.Header(wire.TaggingDirective), "tagging");
        var attributes = ObjectHeaders.Read(context);
        var (encryption, kmsKeyId) = ObjectHeaders.Encryption(context);
        var copy = await objects.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = source.Bucket,
            SourceKey = source.Key,
            SourceVersionId = source.VersionId,
            Bucket = context.Bucket,
            Key = context.Key,
            ReplaceMetadata = replaceMetadata,
            ContentType = attributes.ContentType,
            UserMetadata = attributes.UserMetadata,
            Headers = attributes.Headers,
            ReplaceTags = replaceTags,
            Tags = attributes.Tags,
            StorageClass = attributes.StorageClass,
            ServerSideEncryption = encryption,
            KmsKeyId = kmsKeyId,
            CustomerKey = CustomerKeyHeaders.Read(context),
            SourceCustomerKey = CustomerKeyHeaders.ReadCopySource(context),
            Acl = attributes.Acl,
            SourceCondition = ObjectHeaders.CopySourceConditions(context),
            Condition = ObjectHeaders.WriteConditions(context),
            ChecksumAlgorithm = CopyChecksumAlgorithm(context),
            Lock = ObjectLockHeaders.Read(context),
        }, context.Aborted);

        ObjectHeaders.WriteVersionId(context, copy);
        ObjectHeaders.WriteEncryption(context, copy);
        settings.WriteExpiration(context, copy);
        if (source.VersionId is not null)
        {
            context.Response.Headers[wire.Prefix + "copy-source-version-id"] = source.VersionId;
        }

        ObjectHeaders.WriteCrc64(context, copy.Crc64);
        var checksum = MultipartChecksum.StoredChecksum(copy.Headers);
        await Responses.XmlAsync(context, XmlDocumentWriter.Write(
            new CopyObjectDocument(copy.ETag, copy.LastModified, copy.Crc64, checksum?.Algorithm, checksum?.Value), context.Dialect));
    }

    /// <summary>
    /// S3's <c>x-amz-checksum-algorithm</c> on a copy: the checksum to compute over it. One S3 has and Coffer does not is
    /// NotImplemented; any other InvalidRequest, as S3 answers it.
    /// </summary>
    private static string? CopyChecksumAlgorithm(RequestContext context)
    {
        if (context.Dialect != Dialect.S3 || context.Header("x-amz-checksum-algorithm") is not { } header)
        {
            return null;
        }

        var algorithm = header.Trim().ToUpperInvariant();
        if (MultipartChecksum.Algorithms.Contains(algorithm))
        {
            return algorithm;
        }

        FlexibleChecksum.RefuseNotImplemented(algorithm);
        throw new CofferException(ErrorCode.InvalidRequest, "Value for x-amz-checksum-algorithm header is invalid.");
    }

    /// <summary>
    /// GetObjectAttributes (S3 only: COS has no such API, and the router refuses it in the COS dialect): the attributes
    /// <c>x-amz-object-attributes</c> names, with the version and Last-Modified in headers as S3 sends them; a multipart
    /// object's parts are paged by <c>x-amz-max-parts</c> and <c>x-amz-part-number-marker</c>.
    /// </summary>
    public Task GetObjectAttributesAsync(RequestContext context)
    {
        var asked = (context.Header("x-amz-object-attributes") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        if (asked.Count == 0)
        {
            throw new CofferException(ErrorCode.InvalidArgument, "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty");
        }

        if (asked.FirstOrDefault(a => a is not ("ETag" or "Checksum" or "ObjectParts" or "StorageClass" or "ObjectSize")) is { } unknown)
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"Invalid attribute name specified: {unknown}");
        }

        var versionId = VersionIdOf(context);
        var maxParts = BucketHandlers.ParseMax(context.Header("x-amz-max-parts"), "x-amz-max-parts");
        var marker = MultipartHandlers.PartNumberMarker(context.Header("x-amz-part-number-marker"), "x-amz-part-number-marker");
        var withParts = asked.Contains("ObjectParts");
        // An SSE-C object's attributes (its plaintext checksums among them) need its key, as in S3.
        var (info, parts) = objects.GetObjectAttributes(context.Bucket, context.Key, versionId, CustomerKeyHeaders.Read(context), withParts, marker,
            maxParts);
        ObjectHeaders.RejectDeleteMarker(context, info, versionId);
        ObjectHeaders.WriteVersionId(context, info);
        context.Response.Headers.LastModified = HttpDates.Rfc1123(info.LastModified);
        var checksum = info.Headers.Where(h => h.Key.StartsWith("x-amz-checksum-", StringComparison.Ordinal))
            .Select(h => new KeyValuePair<string, string>(
                h.Key == "x-amz-checksum-type" ? "ChecksumType" : "Checksum" + h.Key["x-amz-checksum-".Length..].ToUpperInvariant(), h.Value))
            .OrderBy(h => h.Key == "ChecksumType")
            .ToList();
        if (checksum.Count > 0 && checksum[^1].Key != "ChecksumType")
        {
            // An object put in one request has a checksum of the whole object.
            checksum.Add(new("ChecksumType", "FULL_OBJECT"));
        }
        var document = new ObjectAttributesDocument(
            asked.Contains("ETag") ? info.ETag : null,
            asked.Contains("Checksum") ? checksum : null,
            parts is not null
                ? new ObjectPartsDocument(parts.PartsCount, marker, parts.NextPartNumberMarker, maxParts, parts.IsTruncated,
                    parts.Parts.Select(p => new ObjectPartEntry(p.PartNumber, p.Size, p.Checksum)).ToArray(), parts.ChecksumAlgorithm)
                : null,
            asked.Contains("StorageClass") ? info.StorageClass : null,
            asked.Contains("ObjectSize") ? info.Size : null);
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(document, context.Dialect));
    }

    public Task GetObjectTaggingAsync(RequestContext context)
    {
        var versionId = VersionIdOf(context);
        var info = objects.HeadObject(context.Bucket, context.Key, versionId);
        ObjectHeaders.RejectDeleteMarker(context, info, versionId);
        ObjectHeaders.WriteVersionId(context, info);
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(new TaggingDocument(info.Tags), context.Dialect));
    }

    public async Task PutObjectTaggingAsync(RequestContext context)
    {
        var body = await SafeXml.ReadAsync(context.Body, MaxTaggingBytes, context.Aborted)
            ?? throw new CofferException(ErrorCode.MissingRequestBody);
        var tags = RequestDocuments.ReadTagging(body);
        var info = await objects.PutObjectTaggingAsync(context.Bucket, context.Key, VersionIdOf(context), tags, context.Aborted);
        ObjectHeaders.WriteVersionId(context, info);
        await Responses.EmptyAsync(context);
    }

    public async Task DeleteObjectTaggingAsync(RequestContext context)
    {
        var info = await objects.PutObjectTaggingAsync(context.Bucket, context.Key, VersionIdOf(context), [], context.Aborted);
        ObjectHeaders.WriteVersionId(context, info);
        await Responses.EmptyAsync(context, 204);
    }

    /// <summary>
    /// A read decrypts whatever the object was written with, so encryption headers mean nothing on GET and HEAD; S3
    /// answers them with InvalidArgument rather than ignoring them, and so does Coffer in both dialects.
    /// </summary>
    private static void RefuseEncryptionHeaders(RequestContext context)
    {
        var wire = context.Wire;
        foreach (var name in new[] { wire.ServerSideEncryption, wire.KmsKeyId, wire.EncryptionContext })
        {
            if (context.Header(name) is not null)
            {
                throw new CofferException(ErrorCode.InvalidArgument, $"The {name} header is not supported for this operation.");
            }
        }
    }

    /// <summary>
    /// The headers a GET's or HEAD's <c>response-*</c> parameters set. A value with a control character could not be sent,
    /// and one with CR LF would forge headers: InvalidArgument, before anything is read. Only a signed request may set them
    /// (S3 and COS alike): anyone could otherwise have a public object served as a page of the bucket's origin.
    /// </summary>
    private static List<KeyValuePair<string, string>> ResponseOverridesOf(RequestContext context)
    {
        var overrides = new List<KeyValuePair<string, string>>();
        foreach (var (query, header) in ResponseOverrides)
        {
            if (context.Target.Get(query) is not { } value)
            {
                continue;
            }

            if (context.Credential is null)
            {
                throw new CofferException(ErrorCode.InvalidRequest, "Request specific response headers cannot be used for anonymous GET requests.");
            }

            if (HeaderValues.HasControlCharacters(value))
            {
                throw new CofferException(ErrorCode.InvalidArgument, $"{query} may not contain control characters.");
            }

            overrides.Add(new(header, value));
        }

        return overrides;
    }

    private static void WriteOverrides(RequestContext context, List<KeyValuePair<string, string>> overrides)
    {
        foreach (var (header, value) in overrides)
        {
            context.Response.Headers[header] = value;
        }
    }

    /// <summary>
    /// A range or a part: 206 with its Content-Range, and the part count for a part of a multipart object. An empty
    /// part (or an empty object asked for its part 1) has no range to name, so it is a plain 200.
    /// </summary>
    private static void WritePartial(RequestContext context, ObjectContent content)
    {
        var response = context.Response;
        if (content.Length > 0)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {content.Offset}-{content.Offset + content.Length - 1}/{content.Info.Size}";
        }

        if (content.PartsCount is { } count)
        {
            response.Headers[context.Wire.PartsCount] = count.ToString();
        }

        response.ContentLength = content.Length;
    }

    /// <summary>A GET's or HEAD's Range (null when absent or not a single byte range) or its part; not both.</summary>
    private static (ByteRange? Range, int? PartNumber) RangeOrPartOf(RequestContext context)
    {
        var partNumber = PartNumberOf(context);
        if (partNumber is not null && context.Header("Range") is not null)
        {
            throw new CofferException(ErrorCode.InvalidRequest, "Cannot specify both Range header and partNumber query parameter.");
        }

        return (ByteRange.Parse(context.Header("Range")), partNumber);
    }

    /// <summary>
    /// Whether a Range may be served under the request's <c>If-Range</c> (RFC 9110 13.1.5): with none, or when it names
    /// the object's ETag (strongly) or its Last-Modified exactly; otherwise the whole object is sent.
    /// </summary>
    private static bool IfRangeHolds(RequestContext context, ObjectInfo info) => context.Header("If-Range")?.Trim() switch
    {
        null => true,
        ['"', ..] and var etag => etag == ObjectHeaders.Quote(info.ETag),
        ['W', '/', ..] => false,
        var date => HttpDates.ParseHttpDate(date) is { } when && when == TruncateToSeconds(info.LastModified),
    };

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerSecond, time.Offset);

    /// <summary>The <c>partNumber</c> of a GET or HEAD, when given; S3 and COS allow 1 to 10,000.</summary>
    private static int? PartNumberOf(RequestContext context) =>
        context.Target.Get("partNumber") switch
        {
            null => null,
            var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) => number,
            _ => throw new CofferException(ErrorCode.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive."),
        };

    /// <summary>
    /// From the bucket's rules the pipeline already holds (read for this request, or kept while no bucket changed), so a GET
    /// or HEAD opens no second snapshot for it; only a request without them reads the bucket.
    /// </summary>
    private bool HasVersioning(RequestContext context) =>
        (context.Rules?.Bucket ?? objects.GetBucket(context.Bucket)).Versioning != Model.Buckets.BucketVersioning.Unversioned;

    /// <summary>
    /// The request's <c>versionId</c>. An empty one is refused in S3, as S3 refuses it: read as "no version", a DELETE meant
    /// for one version would add a delete marker instead. COS documents nothing for it (its Go SDK writes whatever id it
    /// is given), so there it names no version, as it always did.
    /// </summary>
    internal static string? VersionIdOf(RequestContext context) => context.Target.Get("versionId") switch
    {
        "" when context.Dialect == Dialect.S3 => throw new CofferException(ErrorCode.InvalidArgument, CopySource.EmptyVersionId),
        "" => null,
        var versionId => versionId,
    };

    /// <summary>COPY keeps the source's; REPLACE (S3) or Replaced (COS) takes the request's.</summary>
    private static bool Directive(string? value, string what) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "COPY" => false,
        "REPLACE" or "REPLACED" => true,
        _ => throw new CofferException(ErrorCode.InvalidArgument, $"The {what} directive must be COPY or REPLACE."),
    };

    private static bool ApplyPreconditions(RequestContext context, ObjectInfo info)
    {
        switch (ObjectHeaders.Conditions(context).Evaluate(info))
        {
            case PreconditionOutcome.Failed:
                throw new CofferException(ErrorCode.PreconditionFailed);
            case PreconditionOutcome.NotModified:
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                context.Response.Headers.ETag = ObjectHeaders.Quote(info.ETag);
                context.Response.Headers.LastModified = HttpDates.Rfc1123(info.LastModified);
                return false;
            default:
                return true;
        }
    }
}
