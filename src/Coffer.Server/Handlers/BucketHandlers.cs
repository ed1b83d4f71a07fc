using System.Text;
using Coffer.Common;
using Coffer.Model;
using Coffer.Model.Access;
using Coffer.Model.Buckets;
using Coffer.Model.Multipart;
using Coffer.Model.Objects;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

internal sealed class BucketHandlers(IObjectService objects, AccessControl access, CofferServerOptions options)
{
    public const int MaxListKeys = 1000;
    private const int MaxConfigurationBytes = 64 * 1024;
    private const int MaxDeleteBodyBytes = 2 * 1024 * 1024;

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
        string? location = null;
        if (await SafeXml.ReadAsync(context.Body, MaxConfigurationBytes, context.Aborted) is { } body)
        {
            location = CreateBucketConfiguration.Read(body).Region;
            if (!string.IsNullOrEmpty(location) && !RegionName.IsValid(location))
            {
                throw new CofferException(ErrorCode.InvalidLocationConstraint, $"The specified location-constraint '{location}' is not valid.");
            }
        }

        var objectLock = ObjectLockEnabled(context);
        var region = context.Route.HostRegion ?? (string.IsNullOrEmpty(location) ? options.Region : location);
        var acl = AclRequests.FromHeaders(context, context.Accounts, forObject: false);
        var ownership = ObjectOwnershipOf(context, acl);
        await objects.CreateBucketAsync(name.Value, context.Caller.AppId, region, objectLock, context.Aborted);
        if (acl.Grants.Count > 0 || acl.Canned is not (null or Common.Acl.CannedAcl.Private))
        {
            await access.PutBucketAclAsync(name.Value, acl.Canned, acl.Grants, context.Aborted);
        }

        if (ownership is { } objectOwnership)
        {
            await access.PutOwnershipAsync(name.Value, objectOwnership, context.Aborted);
        }

        context.Response.Headers.Location = "/" + name.Value;
        await Responses.EmptyAsync(context);
    }

    /// <summary>
    /// The bucket's ownership controls from <c>x-amz-object-ownership</c> (<c>x-cos-</c> alike), checked before the bucket
    /// is made: an unknown value is InvalidArgument, and enforcing the owner's ownership with an ACL that grants more
    /// than the owner's full control is InvalidBucketAclWithObjectOwnership, as S3 answers.
    /// </summary>
    private static Common.Acl.ObjectOwnership? ObjectOwnershipOf(RequestContext context, RequestedAcl acl)
    {
        if (context.Header(context.Wire.Prefix + "object-ownership") is not { } value)
        {
            return null;
        }

        var ownership = AccessXml.ParseObjectOwnership(value.Trim())
            ?? throw new CofferException(ErrorCode.InvalidArgument, "x-amz-object-ownership is BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter.");
        if (ownership == Common.Acl.ObjectOwnership.BucketOwnerEnforced && !acl.IsEmpty
            && (acl.Canned is not (null or Common.Acl.CannedAcl.Private) || acl.Grants.Count > 0))
        {
            throw new CofferException(ErrorCode.InvalidBucketAclWithObjectOwnership, "A bucket whose ownership is enforced cannot be created with an ACL.");
        }

        return ownership;
    }

    /// <summary>Whether the bucket is to have object lock (<c>x-amz-bucket-object-lock-enabled</c> / <c>x-cos-</c>): true or false, nothing else.</summary>
    private static bool ObjectLockEnabled(RequestContext context) =>
        context.Header(context.Wire.Prefix + "bucket-object-lock-enabled")?.Trim().ToLowerInvariant() switch
        {
            null or "false" => false,
            "true" => true,
            _ => throw new CofferException(ErrorCode.InvalidArgument, "The object lock header must be true or false."),
        };

    public Task HeadBucketAsync(RequestContext context)
    {
        var bucket = objects.GetBucket(context.Bucket);
        context.Response.Headers[context.Wire.BucketRegion] = bucket.Region;
        return Responses.EmptyAsync(context);
    }

    public async Task DeleteBucketAsync(RequestContext context)
    {
        // S3 deletes a bucket whose only content is uploads in progress, discarding them; COS documents that they must
        // be aborted first (DELETE Bucket: "make sure that all the data and incomplete multipart uploads ... have been deleted").
        await objects.DeleteBucketAsync(context.Bucket, discardUploads: context.Dialect == Dialect.S3, context.Aborted);
        await Responses.EmptyAsync(context, 204);
    }

    /// <summary>
    /// GET Bucket location: the bucket's region; S3 answers a us-east-1 bucket with an empty LocationConstraint (null
    /// to its SDKs).
    /// </summary>
    public Task GetBucketLocationAsync(RequestContext context)
    {
        var region = objects.GetBucket(context.Bucket).Region;
        var constraint = context.Dialect == Dialect.S3 && region == "us-east-1" ? "" : region;
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(new LocationDocument(constraint), context.Dialect));
    }

    public Task GetBucketVersioningAsync(RequestContext context)
    {
        var status = objects.GetBucket(context.Bucket).Versioning switch
        {
            BucketVersioning.Enabled => "Enabled",
            BucketVersioning.Suspended => "Suspended",
            _ => null,
        };
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(new VersioningDocument(status), context.Dialect));
    }

    public async Task PutBucketVersioningAsync(RequestContext context)
    {
        var body = await SafeXml.ReadAsync(context.Body, MaxConfigurationBytes, context.Aborted)
            ?? throw new CofferException(ErrorCode.MissingRequestBody);
        var status = RequestDocuments.ReadVersioningStatus(body) == "Enabled" ? BucketVersioning.Enabled : BucketVersioning.Suspended;
        await objects.SetBucketVersioningAsync(context.Bucket, status, context.Aborted);
        await Responses.EmptyAsync(context);
    }

    /// <summary>PUT Bucket encryption: the default for objects written without an encryption header. Content-MD5 is checked when sent.</summary>
    public async Task PutBucketEncryptionAsync(RequestContext context)
    {
        var bytes = await Bodies.ReadVerifiedAsync(context, MaxConfigurationBytes);

        var root = await SafeXml.ReadAsync(new MemoryStream(bytes), MaxConfigurationBytes, context.Aborted)
            ?? throw new CofferException(ErrorCode.MissingRequestBody);
        var document = RequestDocuments.ReadEncryptionConfiguration(root);
        var algorithm = ObjectHeaders.AlgorithmOf(context, document.Algorithm, inBucketConfiguration: true);
        var encryption = ObjectEncryption.From(algorithm, document.KmsMasterKeyId)!;
        await objects.PutBucketEncryptionAsync(context.Bucket, new BucketEncryption(encryption, document.BucketKeyEnabled ?? false), context.Aborted);
        await Responses.EmptyAsync(context);
    }

    /// <summary>GET Bucket encryption; a bucket without a default is NoSuchEncryptionConfiguration (COS) / ServerSideEncryptionConfigurationNotFoundError (S3).</summary>
    public Task GetBucketEncryptionAsync(RequestContext context)
    {
        var encryption = objects.GetBucketEncryption(context.Bucket);
        var algorithm = encryption.Default.Algorithm == ObjectEncryption.Kms
            ? context.Dialect == Dialect.S3 ? ObjectEncryption.Kms : "KMS"
            : encryption.Default.Algorithm;
        var document = new EncryptionConfigurationDocument(algorithm, encryption.Default.KmsKeyId, encryption.BucketKeyEnabled);
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(document, context.Dialect));
    }

    public async Task DeleteBucketEncryptionAsync(RequestContext context)
    {
        await objects.DeleteBucketEncryptionAsync(context.Bucket, context.Aborted);
        await Responses.EmptyAsync(context, 204);
    }

    /// <summary>GET Bucket (List Objects version 1).</summary>
    public Task ListObjectsAsync(RequestContext context)
    {
        var target = context.Target;
        var encodingType = EncodingType(context);
        var query = new ListObjectsQuery
        {
            Prefix = target.Get("prefix") ?? "",
            Delimiter = NullIfEmpty(target.Get("delimiter")),
            After = NullIfEmpty(target.Get("marker")),
            MaxKeys = ParseMax(target.Get("max-keys"), "max-keys"),
        };
        var page = objects.ListObjects(context.Bucket, query);
        var document = new ListBucketDocument(
            context.Bucket,
            query.Prefix,
            query.After ?? "",
            query.MaxKeys,
            query.Delimiter,
            encodingType,
            page.IsTruncated,
            page.NextMarker,
            page.CommonPrefixes,
            page.Objects.Select(o => Entry(context, o)).ToArray());
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(document, context.Dialect));
    }

    /// <summary>ListObjectsV2: the continuation token is the last key listed, base64url-encoded.</summary>
    public Task ListObjectsV2Async(RequestContext context)
    {
        var target = context.Target;
        var encodingType = EncodingType(context);
        // An empty token lists from the start, and is echoed as S3 echoes it.
        var sentToken = target.Get("continuation-token");
        var token = NullIfEmpty(sentToken);
        var startAfter = NullIfEmpty(target.Get("start-after"));
        var query = new ListObjectsQuery
        {
            Prefix = target.Get("prefix") ?? "",
            Delimiter = NullIfEmpty(target.Get("delimiter")),
            After = token is not null ? DecodeToken(token) : startAfter,
            MaxKeys = ParseMax(target.Get("max-keys"), "max-keys"),
        };
        var page = objects.ListObjects(context.Bucket, query);
        var document = new ListBucketV2Document(
            context.Bucket,
            query.Prefix,
            query.Delimiter,
            query.MaxKeys,
            encodingType,
            page.IsTruncated,
            sentToken,
            page.IsTruncated && page.NextMarker is not null ? EncodeToken(page.NextMarker) : null,
            startAfter,
            target.Get("fetch-owner") == "true",
            page.CommonPrefixes,
            page.Objects.Select(o => Entry(context, o)).ToArray());
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(document, context.Dialect));
    }

    /// <summary>GET Bucket Object versions (<c>?versions</c>).</summary>
    public Task ListObjectVersionsAsync(RequestContext context)
    {
        var target = context.Target;
        var encodingType = EncodingType(context);
        var query = new ListVersionsQuery
        {
            Prefix = target.Get("prefix") ?? "",
            Delimiter = NullIfEmpty(target.Get("delimiter")),
            KeyMarker = NullIfEmpty(target.Get("key-marker")),
            VersionIdMarker = NullIfEmpty(target.Get("version-id-marker")),
            MaxKeys = ParseMax(target.Get("max-keys"), "max-keys"),
        };
        var page = objects.ListObjectVersions(context.Bucket, query);
        var document = new ListVersionsDocument(
            context.Bucket,
            query.Prefix,
            query.KeyMarker ?? "",
            query.VersionIdMarker ?? "",
            query.MaxKeys,
            query.Delimiter,
            encodingType,
            page.IsTruncated,
            page.NextKeyMarker,
            page.NextVersionIdMarker,
            page.CommonPrefixes,
            page.Versions.Select(v => VersionEntry(context, v)).ToArray());
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(document, context.Dialect));
    }

    /// <summary>DELETE Multiple Objects (<c>POST /?delete</c>), with the Content-MD5 checked when sent.</summary>
    public async Task DeleteObjectsAsync(RequestContext context)
    {
        var bytes = await Bodies.ReadVerifiedAsync(context, MaxDeleteBodyBytes);

        var root = await SafeXml.ReadAsync(new MemoryStream(bytes), MaxDeleteBodyBytes, context.Aborted)
            ?? throw new CofferException(ErrorCode.MissingRequestBody);
        var (quiet, entries) = RequestDocuments.ReadDelete(root);
        var action = CamActions.For(Operation.DeleteObjects);
        var conditions = Authorizer.Context(context.Target, context.SourceIp);
        var allowed = new List<ObjectIdentifier>();
        var results = new List<DeleteObjectsEntryResult>();
        foreach (var entry in entries)
        {
            // An empty VersionId is that key's InvalidArgument in S3, as a DELETE's empty versionId is; in COS, no version.
            if (entry.VersionId is "" && context.Dialect == Dialect.S3)
            {
                results.Add(new DeleteObjectsEntryResult(new ObjectIdentifier(entry.Key, ""), null,
                    new CofferException(ErrorCode.InvalidArgument, CopySource.EmptyVersionId)));
                continue;
            }

            // COS documents no conditional delete: its requests' ETag, Size and LastModifiedTime are not obeyed.
            var target = new ObjectIdentifier(entry.Key, entry.VersionId is "" ? null : entry.VersionId)
            {
                Condition = context.Dialect == Dialect.S3 ? new DeleteCondition(entry.ETag, entry.LastModifiedTime, entry.Size) : DeleteCondition.None,
            };
            if (Authorizer.IsAllowed(context.Credential, context.Rules!, entry.Key, action, conditions, context.RequestConditions)
                && ConditionalDeletes.MayCheck(context, access, target, conditions))
            {
                allowed.Add(target);
            }
            else
            {
                results.Add(new DeleteObjectsEntryResult(target, null, new CofferException(ErrorCode.AccessDenied)));
            }
        }

        if (allowed.Count > 0)
        {
            results.AddRange(await objects.DeleteObjectsAsync(context.Bucket, allowed,
                ObjectLockHeaders.BypassesGovernance(context, allowed.Select(o => o.Key)), context.Aborted));
        }

        var deleted = new List<DeletedEntry>();
        var errors = new List<DeleteErrorEntry>();
        foreach (var result in results)
        {
            if (result.Error is { } error)
            {
                var row = Protocol.Errors.ErrorTable.Get(error.Code);
                errors.Add(new DeleteErrorEntry(result.Object.Key, result.Object.VersionId, row.CodeFor(context.Dialect),
                    error.HasCustomMessage ? error.Message : row.Message));
            }
            else if (!quiet)
            {
                var outcome = result.Result!;
                deleted.Add(result.Object.VersionId is not null
                    ? new DeletedEntry(result.Object.Key, result.Object.VersionId, outcome.IsDeleteMarker, outcome.IsDeleteMarker ? result.Object.VersionId : null)
                    : new DeletedEntry(result.Object.Key, null, outcome.IsDeleteMarker, outcome.IsDeleteMarker ? outcome.VersionId : null));
            }
        }

        await Responses.XmlAsync(context, XmlDocumentWriter.Write(new DeleteResultDocument(deleted, errors), context.Dialect));
    }

    internal static int ParseMax(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            return MaxListKeys;
        }

        return int.TryParse(value, out var parsed) && parsed >= 0
            ? Math.Min(parsed, MaxListKeys)
            : throw new CofferException(ErrorCode.InvalidArgument, $"{name} must be an integer between 0 and 1000.");
    }

    internal static string? EncodingType(RequestContext context)
    {
        var encodingType = context.Target.Get("encoding-type");
        return encodingType is null || encodingType == "url"
            ? encodingType
            : throw new CofferException(ErrorCode.InvalidArgument, "encoding-type must be 'url'.");
    }

    internal static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static ObjectEntry Entry(RequestContext context, ObjectInfo info)
    {
        var checksum = MultipartChecksum.StoredKind(info.Headers);
        return new(info.Key, info.LastModified, info.ETag, info.Size, context.OwnerId, info.StorageClass, checksum?.Algorithm, checksum?.Type);
    }

    private static VersionEntry VersionEntry(RequestContext context, ObjectInfo info)
    {
        var checksum = MultipartChecksum.StoredKind(info.Headers);
        return new(info.Key, info.VersionId, info.IsLatest, info.IsDeleteMarker, info.LastModified, info.ETag, info.Size, info.StorageClass,
            context.OwnerId, checksum?.Algorithm, checksum?.Type);
    }

    private static string EncodeToken(string key) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(key)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DecodeToken(string token)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            return new UTF8Encoding(false, true).GetString(Convert.FromBase64String(base64));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            throw new CofferException(ErrorCode.InvalidArgument, "The continuation token provided is incorrect.", e);
        }
    }
}
