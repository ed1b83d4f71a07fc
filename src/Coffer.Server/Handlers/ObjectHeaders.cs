using System.Globalization;
using System.Text;
using Coffer.Common;
using Coffer.Model.Multipart;
using Coffer.Model.Objects;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

/// <summary>What a request says about the object it writes, read from the dialect's headers.</summary>
internal sealed record ObjectAttributes(
    string? ContentType,
    string StorageClass,
    IReadOnlyList<KeyValuePair<string, string>> UserMetadata,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<KeyValuePair<string, string>> Tags,
    string? Acl);

/// <summary>Object headers in and out: user metadata, stored headers, storage class, tags, checksums, versions.</summary>
internal static class ObjectHeaders
{
    private const string ChecksumHeaderPrefix = "x-amz-checksum-";

    /// <summary>The prefix of the headers Coffer stores for itself beside a version's own.</summary>
    private const string InternalHeaderPrefix = "x-coffer-";

    // Headers stored with an object and returned as they were sent. S3 keeps an object's website redirect whether or not
    // its bucket serves a website (which Coffer does not).
    private static readonly string[] StoredHeaders =
        ["Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires", WebsiteRedirect];

    private const string WebsiteRedirect = Model.Objects.CopyObjectRequest.WebsiteRedirectHeader;

    public static ObjectAttributes Read(RequestContext context)
    {
        if (context.Header(WebsiteRedirect) is { Length: > 0 } redirect
            && (redirect.Length > 2048 || !(redirect.StartsWith('/') || redirect.StartsWith("http://", StringComparison.Ordinal) || redirect.StartsWith("https://", StringComparison.Ordinal))))
        {
            throw new CofferException(ErrorCode.InvalidArgument, "The website redirect location must have a prefix of 'http://' or 'https://' or '/', and at most 2 KB.");
        }

        var acl = ObjectAcl(context);
        return new(
            ContentTypeOf(context),
            StorageClassOf(context),
            UserMetadata(context),
            StoredHeaders
                .Select(name => (name, value: context.Header(name) is { } value ? StripAwsChunked(name, value) : null))
                .Where(h => !string.IsNullOrEmpty(h.value))
                .Select(h => new KeyValuePair<string, string>(h.name, h.value!))
                .ToArray(),
            TaggingHeader.Parse(context.Header(context.Wire.Tagging)),
            acl);
    }

    /// <summary>
    /// The Content-Type the object is stored with. COS takes an empty one (cos-nodejs-sdk-v5 sends <c>Content-Type:</c>
    /// when it initiates a copy or an upload of a file) as none, and gives an object without one the media type of its
    /// key's extension, as its SDK's own tests expect; S3 stores what is sent.
    /// </summary>
    private static string? ContentTypeOf(RequestContext context)
    {
        var sent = context.Header("Content-Type");
        return context.Dialect == Dialect.Cos && string.IsNullOrWhiteSpace(sent) ? MediaTypes.ForKey(context.Key) : sent;
    }

    /// <summary>
    /// The new object's own ACL, as its version keeps it, from the canned ACL or grant headers. Without either, an S3
    /// object is private to its owner, as in S3, and a COS object follows its bucket's ACL (COS's <c>default</c>).
    /// </summary>
    private static string? ObjectAcl(RequestContext context)
    {
        var requested = AclRequests.FromHeaders(context, context.Accounts, forObject: true);
        return Model.Access.AccessControl.NewObjectAcl(context.Rules!, context.Credential, requested.Canned, requested.Grants,
            followBucketByDefault: context.Dialect == Dialect.Cos);
    }

    public static string StorageClassOf(RequestContext context) =>
        context.Dialect == Dialect.S3
            ? StorageClass.NormalizeS3(context.Header(context.Wire.StorageClass))
            : StorageClass.NormalizeCos(context.Header(context.Wire.StorageClass));

    public static byte[]? ContentMd5(RequestContext context)
    {
        var header = context.Header("Content-MD5");
        if (header is null)
        {
            return null;
        }

        var digest = new byte[16];
        return Convert.TryFromBase64String(header.Trim(), digest, out var written) && written == 16
            ? digest
            : throw new CofferException(ErrorCode.InvalidDigest);
    }

    /// <summary>
    /// The headers GET and HEAD answer with. A bucket that has had versioning names even the null version. A stored
    /// flexible checksum is sent only when asked for (<c>x-amz-checksum-mode: ENABLED</c>) and the whole object is sent;
    /// for one part of a multipart object (<paramref name="part"/>) the part's own checksum, when completion kept it.
    /// </summary>
    public static void Write(RequestContext context, ObjectInfo info, bool bucketHasVersioning, bool wholeObject, int? part = null)
    {
        var headers = context.Response.Headers;
        var wire = context.Wire;
        // Stored values go out as sent, except that control characters, which no header may carry, are RFC 2047-encoded.
        headers.ContentType = HeaderValues.ForResponse(info.ContentType ?? "application/octet-stream");
        headers.ETag = Quote(info.ETag);
        headers.LastModified = HttpDates.Rfc1123(info.LastModified);
        headers.AcceptRanges = "bytes";
        WriteCrc64(context, info.Crc64);
        if (info.StorageClass != StorageClass.Standard)
        {
            headers[wire.StorageClass] = info.StorageClass;
        }

        WriteEncryption(context, info);

        if (bucketHasVersioning)
        {
            headers[wire.VersionId] = info.VersionId;
        }
        else
        {
            WriteVersionId(context, info);
        }

        if (info.Tags.Count > 0)
        {
            headers[wire.TaggingCount] = info.Tags.Count.ToString();
        }

        var checksumAsked = context.Header("x-amz-checksum-mode") is { } mode && mode.Equals("ENABLED", StringComparison.OrdinalIgnoreCase);
        var partChecksum = checksumAsked && part is { } number ? MultipartChecksum.PartChecksum(info.Headers, number) : null;
        foreach (var (name, value) in info.Headers)
        {
            // Coffer's own bookkeeping (part checksums, an upload's lock settings) never leaves the server.
            if (name.StartsWith(InternalHeaderPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!name.StartsWith(ChecksumHeaderPrefix, StringComparison.Ordinal) || (checksumAsked && wholeObject))
            {
                headers[name] = HeaderValues.ForResponse(value);
            }
            else if (partChecksum is not null)
            {
                // The algorithm's header carries the part's value; the type stays the object's.
                headers[name] = name == MultipartChecksum.TypeHeader ? value : partChecksum;
            }
        }

        // A checksum of the bytes as one (a single PUT's or a copy's) keeps no type: S3 names it FULL_OBJECT. A composite
        // value ends in -<parts>: one from before completion stored its type has none to infer.
        if (checksumAsked && wholeObject && !info.Headers.Any(h => h.Key == MultipartChecksum.TypeHeader)
            && MultipartChecksum.StoredChecksum(info.Headers) is { } stored && !stored.Value.Contains('-', StringComparison.Ordinal))
        {
            headers[MultipartChecksum.TypeHeader] = MultipartChecksum.FullObject;
        }

        foreach (var (name, value) in info.UserMetadata)
        {
            headers[wire.Meta + name] = HeaderValues.ForResponse(value);
        }
    }

    /// <summary>
    /// The encryption a write asks for, in the model's terms (<c>AES256</c>, or <c>aws:kms</c> for COS's <c>cos/kms</c>
    /// and S3's <c>aws:kms</c>) with the KMS key id; null when it names none. An unknown algorithm is InvalidArgument;
    /// what Coffer does not implement (an SSE-KMS encryption context, S3 Bucket Keys, dual-layer SSE-KMS) is
    /// NotImplemented. Nothing is accepted and then ignored.
    /// </summary>
    public static (string? Algorithm, string? KmsKeyId) Encryption(RequestContext context)
    {
        var wire = context.Wire;
        if (context.Header(wire.EncryptionContext) is not null)
        {
            throw new CofferException(ErrorCode.NotImplemented, "An SSE-KMS encryption context is not implemented.");
        }

        if (context.Dialect == Dialect.S3 && context.Header("x-amz-server-side-encryption-bucket-key-enabled") is not null)
        {
            throw new CofferException(ErrorCode.NotImplemented, "S3 Bucket Keys are not implemented.");
        }

        var value = context.Header(wire.ServerSideEncryption)?.Trim();
        return (value is null ? null : AlgorithmOf(context, value), context.Header(wire.KmsKeyId)?.Trim());
    }

    /// <summary>
    /// An algorithm as the dialect names it (<c>AES256</c>; <c>cos/kms</c> or <c>aws:kms</c>, and in COS bucket
    /// configurations also <c>KMS</c>) as the model names it; dual-layer KMS and COS's SM4 are not implemented, anything
    /// else is invalid.
    /// </summary>
    public static string AlgorithmOf(RequestContext context, string value, bool inBucketConfiguration = false) => value switch
    {
        ObjectEncryption.Aes256 => ObjectEncryption.Aes256,
        _ when value == context.Wire.KmsAlgorithm => ObjectEncryption.Kms,
        "KMS" when inBucketConfiguration && context.Dialect == Dialect.Cos => ObjectEncryption.Kms,
        "aws:kms:dsse" when context.Dialect == Dialect.S3 => throw new CofferException(ErrorCode.NotImplemented, "Dual-layer SSE-KMS is not implemented."),
        "SM4" when context.Dialect == Dialect.Cos => throw new CofferException(ErrorCode.NotImplemented, "SM4 encryption is not implemented."),
        _ => throw new CofferException(ErrorCode.InvalidArgument, $"The encryption method specified is not supported: '{value}'."),
    };

    /// <summary>Says how an object is encrypted at rest, in the dialect's words; nothing for an object stored as sent.</summary>
    public static void WriteEncryption(RequestContext context, ObjectInfo info) => WriteEncryption(context, info.Encryption, info.KmsKeyId);

    public static void WriteEncryption(RequestContext context, string? algorithm, string? kmsKeyId)
    {
        if (algorithm is null)
        {
            return;
        }

        if (algorithm == ObjectEncryption.Customer)
        {
            CustomerKeyHeaders.Write(context);
            return;
        }

        var wire = context.Wire;
        context.Response.Headers[wire.ServerSideEncryption] = algorithm == ObjectEncryption.Kms ? wire.KmsAlgorithm : algorithm;
        if (kmsKeyId is not null)
        {
            context.Response.Headers[wire.KmsKeyId] = kmsKeyId;
        }
    }

    public static void WriteCrc64(RequestContext context, ulong? crc64)
    {
        if (crc64 is { } crc)
        {
            context.Response.Headers["x-cos-hash-crc64ecma"] = crc.ToString();
        }
    }

    /// <summary>The verified flexible checksum of the body, to store with the object; read once the body is consumed.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> VerifiedChecksum(RequestContext context) =>
        context.Body is IVerifiedChecksum { VerifiedChecksum: { } checksum } ? [checksum] : [];

    /// <summary>The conditions of GET and HEAD, or of a write (If-Match / If-None-Match).</summary>
    public static Preconditions Conditions(RequestContext context) => new(
        context.Header("If-Match"),
        context.Header("If-None-Match"),
        HttpDates.ParseHttpDate(context.Header("If-Modified-Since")),
        HttpDates.ParseHttpDate(context.Header("If-Unmodified-Since")));

    /// <summary>
    /// The conditions on the object a write would replace (PUT, POST, copy, completion): If-Match / If-None-Match, and
    /// COS's <c>x-cos-forbid-overwrite</c> (<c>true</c> or <c>false</c>, any case; anything else is InvalidArgument,
    /// as ignoring it would overwrite what the client meant to keep).
    /// </summary>
    public static Preconditions WriteConditions(RequestContext context) => Conditions(context) with
    {
        IfModifiedSince = null,
        IfUnmodifiedSince = null,
        ForbidOverwrite = context.Dialect == Dialect.Cos && context.Header("x-cos-forbid-overwrite")?.Trim() is { } forbid
            && (bool.TryParse(forbid, out var value) ? value
                : throw new CofferException(ErrorCode.InvalidArgument, "x-cos-forbid-overwrite must be true or false.")),
    };

    /// <summary>
    /// A conditional delete: <c>If-Match</c>, <c>x-amz-if-match-last-modified-time</c> (an HTTP date) and
    /// <c>x-amz-if-match-size</c>. A value that does not parse is InvalidArgument: ignoring it would delete unconditionally.
    /// S3 only: COS documents no conditional delete, so a COS request deletes as it always did.
    /// </summary>
    public static DeleteCondition DeleteConditions(RequestContext context)
    {
        if (context.Dialect != Dialect.S3)
        {
            return DeleteCondition.None;
        }

        var time = context.Header("x-amz-if-match-last-modified-time");
        return new(
            context.Header("If-Match"),
            time is null ? null : HttpDates.ParseHttpDate(time)
                ?? throw new CofferException(ErrorCode.InvalidArgument, "x-amz-if-match-last-modified-time is not an HTTP date."),
            SizeHeader(context, "x-amz-if-match-size"));
    }

    /// <summary>A header holding a size in bytes, or null without it; InvalidArgument when it holds anything else.</summary>
    public static long? SizeHeader(RequestContext context, string name) =>
        context.Header(name) is not { } value ? null
        : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes
        : throw new CofferException(ErrorCode.InvalidArgument, $"{name} is not a size in bytes.");

    /// <summary>Conditions on a copy's source: <c>x-cos-copy-source-If-Match</c>, <c>x-amz-copy-source-if-match</c> and so on.</summary>
    public static Preconditions CopySourceConditions(RequestContext context)
    {
        var prefix = context.Wire.CopySource + "-";
        return new(
            context.Header(prefix + "if-match"),
            context.Header(prefix + "if-none-match"),
            HttpDates.ParseHttpDate(context.Header(prefix + "if-modified-since")),
            HttpDates.ParseHttpDate(context.Header(prefix + "if-unmodified-since")));
    }

    /// <summary>
    /// Echoes the flexible checksum the body was verified against, as S3 does; for a whole object (PUT and POST, not a
    /// part) with its type, FULL_OBJECT, as S3's PutObject answers it.
    /// </summary>
    public static void WriteVerifiedChecksum(RequestContext context, bool wholeObject = true)
    {
        if (context.Body is IVerifiedChecksum { VerifiedChecksum: { } checksum })
        {
            context.Response.Headers[checksum.Key] = checksum.Value;
            if (wholeObject)
            {
                context.Response.Headers[MultipartChecksum.TypeHeader] = MultipartChecksum.FullObject;
            }
        }
    }

    public static void WriteVersionId(RequestContext context, ObjectInfo info)
    {
        if (info.HasVersionId || info.IsDeleteMarker)
        {
            context.Response.Headers[context.Wire.VersionId] = info.VersionId;
        }
    }

    /// <summary>
    /// An object encrypted with KMS is read only by a signed request, as S3 answers it: a read needs the KMS key's own
    /// permission, which no anonymous caller has, whatever the object's ACL or the bucket's policy grants.
    /// </summary>
    public static void RejectAnonymousKmsRead(RequestContext context, ObjectInfo info)
    {
        if (context.Credential is null && info.Encryption == ObjectEncryption.Kms)
        {
            throw new CofferException(ErrorCode.AccessDenied, "Access Denied. An object encrypted with KMS can be read only by a signed request.");
        }
    }

    /// <summary>
    /// A delete marker is not an object: without a version id the key is missing (404), asked for by version id the
    /// method does not apply (405). Both answers say it is a delete marker.
    /// </summary>
    public static void RejectDeleteMarker(RequestContext context, ObjectInfo info, string? versionId)
    {
        if (!info.IsDeleteMarker)
        {
            return;
        }

        throw new CofferException(versionId is null ? ErrorCode.NoSuchKey : ErrorCode.MethodNotAllowed,
            versionId is null ? "The specified key does not exist." : "The specified method is not allowed against a delete marker.")
        {
            ResponseHeaders =
            [
                new(context.Wire.DeleteMarker, "true"),
                new(context.Wire.VersionId, info.VersionId),
                new("Last-Modified", HttpDates.Rfc1123(info.LastModified)),
            ],
        };
    }

    public static string Quote(string etag) => $"\"{etag}\"";

    private static IReadOnlyList<KeyValuePair<string, string>> UserMetadata(RequestContext context)
    {
        var prefix = context.Wire.Meta;
        var metadata = new List<KeyValuePair<string, string>>();
        var bytes = 0;
        foreach (var (name, value) in context.Headers)
        {
            if (!name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || name.Length == prefix.Length)
            {
                continue;
            }

            // Every GET repeats the name as a header's: one no header line can have (a form's field, a presigned query's
            // parameter can be anything) would fail them all.
            if (!HttpToken.IsToken(name))
            {
                throw new CofferException(ErrorCode.InvalidArgument,
                    $"The metadata name '{name}' is not a header name: letters, digits and !#$%&'*+-.^_`|~ only.");
            }

            var metaName = name[prefix.Length..].ToLowerInvariant();
            var metaValue = value.ToString();
            bytes += Encoding.UTF8.GetByteCount(metaName) + Encoding.UTF8.GetByteCount(metaValue);
            metadata.Add(new(metaName, metaValue));
        }

        return bytes > HeaderValues.MaxUserMetadataBytes
            ? throw new CofferException(ErrorCode.MetadataTooLarge,
                $"User metadata may total at most {HeaderValues.MaxUserMetadataBytes} bytes; this request has {bytes}.")
            : metadata;
    }

    // aws-chunked is how the body travelled, not how the object is encoded; S3 does not store it.
    private static bool IsOnlyAwsChunked(string value) => value.Trim().Equals("aws-chunked", StringComparison.OrdinalIgnoreCase);

    // Only the aws-chunked token goes; the others keep their spelling and spacing ("deflate, gzip" stays as sent).
    private static string StripAwsChunked(string name, string value) =>
        name != "Content-Encoding" || !value.Split(',').Any(IsOnlyAwsChunked)
            ? value
            : string.Join(",", value.Split(',').Where(v => !IsOnlyAwsChunked(v))).Trim();
}
