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

namespace Coffer.Server.Handlers;

internal sealed class MultipartHandlers(IObjectService objects, Router router, Authorizer authorizer, SettingsHandlers settings)
{
    private const int MaxCompleteBodyBytes = 2 * 1024 * 1024;

    public async Task CreateMultipartUploadAsync(RequestContext context)
    {
        var attributes = ObjectHeaders.Read(context);
        var (encryption, kmsKeyId) = ObjectHeaders.Encryption(context);
        var checksum = ChecksumOf(context);
        var upload = await objects.CreateMultipartUploadAsync(new CreateMultipartUploadRequest
        {
            Bucket = context.Bucket,
            Key = context.Key,
            ContentType = attributes.ContentType,
            StorageClass = attributes.StorageClass,
            UserMetadata = attributes.UserMetadata,
            Headers = attributes.Headers,
            Tags = attributes.Tags,
            ServerSideEncryption = encryption,
            KmsKeyId = kmsKeyId,
            CustomerKey = CustomerKeyHeaders.Read(context),
            ChecksumAlgorithm = checksum?.Algorithm,
            ChecksumType = checksum?.Type,
            Initiator = context.Credential?.Identity.Principal,
            Acl = attributes.Acl,
            Lock = ObjectLockHeaders.Read(context),
        }, context.Aborted);
        ObjectHeaders.WriteEncryption(context, upload.Encryption?.Algorithm, upload.Encryption?.KmsKeyId);
        if (upload.ChecksumAlgorithm is { } algorithm)
        {
            context.Response.Headers["x-amz-checksum-algorithm"] = algorithm;
            context.Response.Headers[MultipartChecksum.TypeHeader] = upload.ChecksumType;
        }

        await Responses.XmlAsync(context, XmlDocumentWriter.Write(
            new InitiateMultipartUploadDocument(context.Bucket, upload.Key, upload.UploadId), context.Dialect));
    }

    public async Task UploadPartAsync(RequestContext context)
    {
        context.RequireBodyLength();
        var partNumber = PartNumberOf(context);

        var part = await objects.UploadPartAsync(new UploadPartRequest
        {
            Bucket = context.Bucket,
            Key = context.Key,
            UploadId = UploadId(context),
            PartNumber = partNumber,
            Body = context.Body,
            ContentLength = context.ContentLength,
            ContentMd5 = ObjectHeaders.ContentMd5(context),
            CustomerKey = CustomerKeyHeaders.Read(context),
            ChecksumAfterBody = () => context.Body is IVerifiedChecksum { VerifiedChecksum: { } checksum } ? checksum : null,
        }, context.Aborted);
        context.Response.Headers.ETag = ObjectHeaders.Quote(part.ETag);
        ObjectHeaders.WriteCrc64(context, part.Crc64);
        ObjectHeaders.WriteEncryption(context, part.Encryption?.Algorithm, part.Encryption?.KmsKeyId);
        ObjectHeaders.WriteVerifiedChecksum(context, wholeObject: false);
        await Responses.EmptyAsync(context);
    }

    /// <summary>
    /// Upload Part - Copy: the part is the source object (<c>x-cos-copy-source</c> / <c>x-amz-copy-source</c>, read as a
    /// GET of it would be authorized), or the range of it <c>x-*-copy-source-range</c> names, streamed on the server.
    /// </summary>
    public async Task UploadPartCopyAsync(RequestContext context)
    {
        var wire = context.Wire;
        var source = CopySource.Parse(context.Header(wire.CopySource)!, router.Hosts, context.Dialect);
        var range = CopySource.ParseRange(context.Header(wire.CopySourceRange));
        authorizer.AuthorizeCopySource(context, source);
        if (context.Credential is null)
        {
            // An anonymous copy reads its source as an anonymous GET would.
            ObjectHeaders.RejectAnonymousKmsRead(context, objects.HeadObject(source.Bucket, source.Key, source.VersionId));
        }
        var copied = await objects.UploadPartCopyAsync(new UploadPartCopyRequest
        {
            Bucket = context.Bucket,
            Key = context.Key,
            UploadId = UploadId(context),
            PartNumber = PartNumberOf(context),
            SourceBucket = source.Bucket,
            SourceKey = source.Key,
            SourceVersionId = source.VersionId,
            SourceRange = range,
            SourceCondition = ObjectHeaders.CopySourceConditions(context),
            CustomerKey = CustomerKeyHeaders.Read(context),
            SourceCustomerKey = CustomerKeyHeaders.ReadCopySource(context),
        }, context.Aborted);
        var part = copied.Part;
        if (copied.SourceVersionId != Model.Objects.ObjectInfo.NullVersionId)
        {
            context.Response.Headers[wire.Prefix + "copy-source-version-id"] = copied.SourceVersionId;
        }

        ObjectHeaders.WriteCrc64(context, part.Crc64);
        ObjectHeaders.WriteEncryption(context, part.Encryption?.Algorithm, part.Encryption?.KmsKeyId);
        await Responses.XmlAsync(context,
            XmlDocumentWriter.Write(new CopyPartDocument(part.ETag, part.LastModified, copied.ChecksumAlgorithm, part.Checksum), context.Dialect));
    }

    public async Task CompleteMultipartUploadAsync(RequestContext context)
    {
        var body = await SafeXml.ReadAsync(context.Body, MaxCompleteBodyBytes, context.Aborted)
            ?? throw new CofferException(ErrorCode.MalformedXml, "You must specify at least one part.");
        var parts = RequestDocuments.ReadCompleteMultipartUpload(body);
        var customerKey = CustomerKeyHeaders.Read(context);
        var info = await objects.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            Bucket = context.Bucket,
            Key = context.Key,
            UploadId = UploadId(context),
            Parts = parts.Select(p => new CompletedPart(p.PartNumber, p.ETag, p.Checksum)).ToArray(),
            MinPartSize = context.Dialect == Dialect.S3 ? MultipartLimits.S3MinPartSize : MultipartLimits.CosMinPartSize,
            Condition = ObjectHeaders.WriteConditions(context),
            Expected = ExpectedObjectOf(context),
            CustomerKey = customerKey,
        }, context.Aborted);
        var showsDigests = ShowsPlaintextDigests(info.Encryption, customerKey);
        ObjectHeaders.WriteCrc64(context, showsDigests ? info.Crc64 : null);
        ObjectHeaders.WriteVersionId(context, info);
        ObjectHeaders.WriteEncryption(context, info);
        settings.WriteExpiration(context, info);
        var location = Location(context, info.Key);
        var checksum = showsDigests ? ChecksumOf(info) : null;
        await Responses.XmlAsync(context, XmlDocumentWriter.Write(
            new CompleteMultipartUploadDocument(location, context.Bucket, info.Key, info.ETag, checksum?.Algorithm, checksum?.Value, checksum?.Type),
            context.Dialect));
    }

    /// <summary>
    /// S3's <c>x-amz-checksum-*</c> (the object's checksum: the pipeline leaves this request's body unchecked by it),
    /// <c>x-amz-checksum-type</c> and <c>x-amz-mp-object-size</c> on a completion. A size that does not parse is InvalidArgument.
    /// </summary>
    private static ExpectedObject ExpectedObjectOf(RequestContext context)
    {
        if (context.Dialect != Dialect.S3)
        {
            return ExpectedObject.None;
        }

        var checksum = FlexibleChecksum.FromHeaders(context.Request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString())));
        // A composite checksum may carry its part count (<base64>-<parts>); base64 itself has no '-'.
        if (checksum is { Expected: var value } && value.Trim().Split('-')[0] is var digest
            && !Convert.TryFromBase64String(digest, new byte[digest.Length], out _))
        {
            throw new CofferException(ErrorCode.InvalidRequest, $"{checksum.Value.Checksum.HeaderName} is not a base64 checksum.");
        }

        return new ExpectedObject(checksum?.Checksum.HeaderName, checksum?.Expected, context.Header(MultipartChecksum.TypeHeader),
            ObjectHeaders.SizeHeader(context, "x-amz-mp-object-size"));
    }

    /// <summary>
    /// <c>x-amz-checksum-algorithm</c> and <c>x-amz-checksum-type</c> on initiation: the checksum every part must carry,
    /// and whether completion makes the object's checksum <c>COMPOSITE</c> (of the parts' checksums) or
    /// <c>FULL_OBJECT</c> (the CRC of the whole object); S3's default is composite, but full-object for CRC64NVME. A
    /// pair S3 does not offer (a full-object SHA, a composite CRC64NVME) is InvalidRequest.
    /// </summary>
    private static (string Algorithm, string Type)? ChecksumOf(RequestContext context)
    {
        if (context.Dialect != Dialect.S3)
        {
            return null;
        }

        var algorithm = context.Header("x-amz-checksum-algorithm")?.Trim().ToUpperInvariant();
        var type = context.Header(MultipartChecksum.TypeHeader)?.Trim().ToUpperInvariant();
        if (algorithm is null)
        {
            return type is null ? null : throw new CofferException(ErrorCode.InvalidRequest, "x-amz-checksum-type needs x-amz-checksum-algorithm.");
        }

        if (!MultipartChecksum.Algorithms.Contains(algorithm))
        {
            FlexibleChecksum.RefuseNotImplemented(algorithm);
            throw new CofferException(ErrorCode.InvalidRequest, "Value for x-amz-checksum-algorithm header is invalid.");
        }

        type ??= MultipartChecksum.DefaultType(algorithm);
        if (type is not (MultipartChecksum.Composite or MultipartChecksum.FullObject))
        {
            throw new CofferException(ErrorCode.InvalidRequest, "Value for x-amz-checksum-type header is invalid.");
        }

        return MultipartChecksum.IsOffered(algorithm, type)
            ? (algorithm, type)
            : throw new CofferException(ErrorCode.InvalidRequest,
                $"The {type} checksum type cannot be used with the {algorithm.ToLowerInvariant()} checksum algorithm.");
    }

    /// <summary>The checksum completion stored with the object (algorithm, value, type), when the upload had an algorithm.</summary>
    private static (string Algorithm, string Value, string Type)? ChecksumOf(Model.Objects.ObjectInfo info) =>
        info.Headers.FirstOrDefault(h => h.Key == MultipartChecksum.TypeHeader).Value is { } type
            && MultipartChecksum.StoredChecksum(info.Headers) is { } stored
            ? (stored.Algorithm, stored.Value, type)
            : null;

    /// <summary>
    /// An SSE-C upload's checksums and CRC-64 are of its plaintext: shown only to a request that carries its key (which
    /// the service has checked is the upload's), as anything else would let a guess of the content be tested.
    /// </summary>
    private static bool ShowsPlaintextDigests(string? encryption, Storage.Encryption.CustomerKey? customerKey) =>
        encryption != ObjectEncryption.Customer || customerKey is not null;

    public async Task AbortMultipartUploadAsync(RequestContext context)
    {
        await objects.AbortMultipartUploadAsync(context.Bucket, context.Key, UploadId(context), context.Aborted);
        await Responses.EmptyAsync(context, 204);
    }

    public Task ListPartsAsync(RequestContext context)
    {
        var marker = PartNumberMarker(context.Target.Get("part-number-marker"), "part-number-marker");
        var maxParts = BucketHandlers.ParseMax(context.Target.Get("max-parts"), "max-parts");
        var customerKey = CustomerKeyHeaders.Read(context);
        var page = objects.ListParts(context.Bucket, context.Key, UploadId(context), marker, maxParts, customerKey);
        var showsDigests = ShowsPlaintextDigests(page.Upload.Encryption?.Algorithm, customerKey);
        var (initiatorId, initiatorName) = Initiator(context, page.Upload.Initiator);
        var document = new ListPartsDocument(
            context.Bucket,
            context.Key,
            page.Upload.UploadId,
            UploadOwner(context, page.Upload),
            page.Upload.StorageClass,
            marker,
            page.NextPartNumberMarker,
            maxParts,
            page.IsTruncated,
            page.Parts.Select(p => new PartEntry(p.PartNumber, p.LastModified, p.ETag, p.Size, showsDigests ? p.Checksum : null)).ToArray(),
            initiatorId,
            initiatorName,
            page.Upload.ChecksumAlgorithm,
            page.Upload.ChecksumType);
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(document, context.Dialect));
    }

    /// <summary>
    /// A part number marker (ListParts' query, GetObjectAttributes' header): where a page of parts starts; 0 when absent.
    /// Anything but an integer of 0 or more is refused, as max-parts is, rather than read as 0 (the first page again).
    /// </summary>
    internal static int PartNumberMarker(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            return 0;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= 0
            ? parsed
            : throw new CofferException(ErrorCode.InvalidArgument, $"{name} must be an integer of 0 or more.");
    }

    public Task ListMultipartUploadsAsync(RequestContext context)
    {
        var target = context.Target;
        var query = new ListUploadsQuery
        {
            Prefix = target.Get("prefix") ?? "",
            Delimiter = BucketHandlers.NullIfEmpty(target.Get("delimiter")),
            KeyMarker = BucketHandlers.NullIfEmpty(target.Get("key-marker")),
            UploadIdMarker = BucketHandlers.NullIfEmpty(target.Get("upload-id-marker")),
            MaxUploads = BucketHandlers.ParseMax(target.Get("max-uploads"), "max-uploads"),
        };
        var page = objects.ListMultipartUploads(context.Bucket, query);
        var document = new ListUploadsDocument(
            context.Bucket,
            BucketHandlers.EncodingType(context),
            query.KeyMarker ?? "",
            query.UploadIdMarker ?? "",
            page.NextKeyMarker,
            page.NextUploadIdMarker,
            query.Prefix,
            query.Delimiter,
            query.MaxUploads,
            page.IsTruncated,
            page.Uploads.Select(u =>
            {
                var (initiatorId, initiatorName) = Initiator(context, u.Initiator);
                return new UploadEntry(u.Key, u.UploadId, UploadOwner(context, u), u.StorageClass, u.InitiatedAt, initiatorId, initiatorName, u.ChecksumAlgorithm,
                    u.ChecksumType);
            }).ToArray(),
            page.CommonPrefixes);
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(document, context.Dialect));
    }

    /// <summary>
    /// The object's address: COS writes <c>&lt;host&gt;/&lt;key&gt;</c> (no scheme), S3 a full URL; path-style requests
    /// keep the bucket in the path.
    /// </summary>
    private static string Location(RequestContext context, string key)
    {
        var path = (context.Route.VirtualHosted ? "" : "/" + context.Bucket) + "/" + UrlEncoding.EncodePath(key);
        var host = context.Request.Host.Value;
        return context.Dialect == Dialect.S3 ? $"{context.Request.Scheme}://{host}{path}" : host + path;
    }

    /// <summary>
    /// Who initiated an upload, as the dialect names people: COS the CAM principal (<c>qcs::cam::uin/&lt;root&gt;:uin/&lt;uin&gt;</c>)
    /// with the uin as display name, S3 the uin. An upload with no recorded initiator (anonymous) shows the bucket's owner.
    /// </summary>
    private static (string Id, string DisplayName) Initiator(RequestContext context, string? principal)
    {
        if (principal is null)
        {
            return (context.OwnerId, context.OwnerId);
        }

        var uin = principal[(principal.LastIndexOf("uin/", StringComparison.Ordinal) + "uin/".Length)..];
        return context.Dialect == Dialect.S3 ? (uin, uin) : (principal, uin);
    }

    /// <summary>
    /// Whose the object an upload makes will be, as the listings' Owner says: the owner of the ACL the upload gives it (the
    /// bucket's owner when it prefers ownership and the initiator granted it full control); for an upload that follows the
    /// bucket's ACL, the initiating account (a sub-account's root account), or the bucket's owner when nobody signed the
    /// initiation. A bucket that enforces its ownership owns every upload, whatever ACL one was given before.
    /// </summary>
    private static string UploadOwner(RequestContext context, MultipartUploadInfo upload)
    {
        const string RootPrefix = "qcs::cam::uin/";
        var principal = upload.Initiator;
        string rootUin;
        if (context.Rules?.Settings.Ownership == Common.Acl.ObjectOwnership.BucketOwnerEnforced)
        {
            return context.OwnerId;
        }
        else if (upload.Acl is { } acl && context.Rules is { } rules)
        {
            rootUin = AclCodec.Decode(acl, rules.OwnerUin, forObject: true).OwnerUin;
        }
        else if (principal is null || !principal.StartsWith(RootPrefix, StringComparison.Ordinal))
        {
            return context.OwnerId;
        }
        else
        {
            rootUin = principal[RootPrefix.Length..principal.IndexOf(':', RootPrefix.Length)];
        }

        return context.Dialect == Dialect.S3 ? rootUin : context.Accounts.FindByUin(rootUin)?.AppId ?? context.OwnerId;
    }

    private static int PartNumberOf(RequestContext context) =>
        int.TryParse(context.Target.Get("partNumber"), out var partNumber)
            ? partNumber
            : throw new CofferException(ErrorCode.InvalidArgument, "partNumber must be an integer between 1 and 10000.");

    private static string UploadId(RequestContext context) =>
        context.Target.Get("uploadId") is { Length: > 0 } uploadId
            ? uploadId
            : throw new CofferException(ErrorCode.NoSuchUpload, "The specified upload does not exist.");
}
