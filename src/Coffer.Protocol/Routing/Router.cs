using Coffer.Common;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Routing;

/// <summary>Where a request goes: the operation, the bucket and key it names, and the dialect it speaks.</summary>
/// <param name="VirtualHosted">True when the bucket came from the host name, false when from the path.</param>
/// <param name="JobId">The batch job a control-plane request names (S3 Control, COS batch processing).</param>
/// <param name="ControlAccount">The account a control-plane host names (<c>&lt;account&gt;.s3-control…</c>, <c>&lt;uin&gt;.cos-control…</c>).</param>
public sealed record Route(Operation Operation, Dialect Dialect, string? Bucket, string? Key, string? HostRegion, bool VirtualHosted,
    string? JobId = null, string? ControlAccount = null);

/// <summary>
/// The one router: a pure function of method, host, target and headers. Every sub-resource it knows maps to a named
/// operation; a sub-resource it does not know fails with NotImplemented rather than falling through to another operation.
/// </summary>
public sealed class Router(HostResolver hosts)
{
    /// <summary>The virtual-host names this router recognises (copy sources name buckets the same way).</summary>
    public HostResolver Hosts => hosts;

    private enum Level
    {
        Service,
        Bucket,
        Object,
    }

    // Query parameters that select an operation, in the order they are tested.
    private static readonly string[] SubResources =
    [
        "inventory", "inventory-runs", "inventory-run", "inventory-summary", "versioning", "versions", "uploads", "uploadId", "acl", "cors", "lifecycle", "policy", "tagging",
        "encryption", "logging", "website", "replication", "referer", "accelerate", "notification", "object-lock",
        "intelligenttiering", "domain", "origin", "location", "delete", "restore", "select", "append", "retention",
        "legal-hold", "attributes", "ownershipControls", "publicAccessBlock", "policyStatus",
        "requestPayment",
    ];

    // Query parameters that refine an operation without selecting one; any other valueless parameter is an unknown sub-resource.
    private static readonly HashSet<string> PlainParameters = new(StringComparer.Ordinal)
    {
        "prefix", "delimiter", "marker", "max-keys", "encoding-type", "list-type", "continuation-token", "start-after",
        "fetch-owner", "key-marker", "version-id-marker", "upload-id-marker", "max-uploads", "max-parts",
        "part-number-marker", "versionId", "partNumber", "id", "x-id", "position", "select-type",
        "response-content-type", "response-content-language", "response-expires", "response-cache-control",
        "response-content-disposition", "response-content-encoding", "x-cos-security-token", "tagkey", "tagvalue",
        "create-time", "range", "job-id", "max-runs",
    };

    private static readonly Dictionary<(string Method, Level Level, string SubResource), Operation> Table = new()
    {
        [("GET", Level.Service, "")] = Operation.ListBuckets,

        [("PUT", Level.Bucket, "")] = Operation.CreateBucket,
        [("HEAD", Level.Bucket, "")] = Operation.HeadBucket,
        [("DELETE", Level.Bucket, "")] = Operation.DeleteBucket,
        [("GET", Level.Bucket, "")] = Operation.ListObjects,
        [("POST", Level.Bucket, "")] = Operation.PostObject,
        [("GET", Level.Bucket, "versions")] = Operation.ListObjectVersions,
        [("GET", Level.Bucket, "uploads")] = Operation.ListMultipartUploads,
        [("POST", Level.Bucket, "delete")] = Operation.DeleteObjects,
        [("GET", Level.Bucket, "location")] = Operation.GetBucketLocation,
        [("GET", Level.Bucket, "versioning")] = Operation.GetBucketVersioning,
        [("PUT", Level.Bucket, "versioning")] = Operation.PutBucketVersioning,
        [("GET", Level.Bucket, "acl")] = Operation.GetBucketAcl,
        [("PUT", Level.Bucket, "acl")] = Operation.PutBucketAcl,
        [("GET", Level.Bucket, "cors")] = Operation.GetBucketCors,
        [("PUT", Level.Bucket, "cors")] = Operation.PutBucketCors,
        [("DELETE", Level.Bucket, "cors")] = Operation.DeleteBucketCors,
        [("GET", Level.Bucket, "lifecycle")] = Operation.GetBucketLifecycle,
        [("PUT", Level.Bucket, "lifecycle")] = Operation.PutBucketLifecycle,
        [("DELETE", Level.Bucket, "lifecycle")] = Operation.DeleteBucketLifecycle,
        [("GET", Level.Bucket, "policy")] = Operation.GetBucketPolicy,
        [("PUT", Level.Bucket, "policy")] = Operation.PutBucketPolicy,
        [("DELETE", Level.Bucket, "policy")] = Operation.DeleteBucketPolicy,
        [("GET", Level.Bucket, "policyStatus")] = Operation.GetBucketPolicyStatus,
        [("GET", Level.Bucket, "tagging")] = Operation.GetBucketTagging,
        [("PUT", Level.Bucket, "tagging")] = Operation.PutBucketTagging,
        [("DELETE", Level.Bucket, "tagging")] = Operation.DeleteBucketTagging,
        [("GET", Level.Bucket, "encryption")] = Operation.GetBucketEncryption,
        [("PUT", Level.Bucket, "encryption")] = Operation.PutBucketEncryption,
        [("DELETE", Level.Bucket, "encryption")] = Operation.DeleteBucketEncryption,
        [("GET", Level.Bucket, "logging")] = Operation.GetBucketLogging,
        [("PUT", Level.Bucket, "logging")] = Operation.PutBucketLogging,
        [("GET", Level.Bucket, "website")] = Operation.GetBucketWebsite,
        [("PUT", Level.Bucket, "website")] = Operation.PutBucketWebsite,
        [("DELETE", Level.Bucket, "website")] = Operation.DeleteBucketWebsite,
        [("GET", Level.Bucket, "replication")] = Operation.GetBucketReplication,
        [("PUT", Level.Bucket, "replication")] = Operation.PutBucketReplication,
        [("DELETE", Level.Bucket, "replication")] = Operation.DeleteBucketReplication,
        [("GET", Level.Bucket, "referer")] = Operation.GetBucketReferer,
        [("PUT", Level.Bucket, "referer")] = Operation.PutBucketReferer,
        [("GET", Level.Bucket, "accelerate")] = Operation.GetBucketAccelerate,
        [("PUT", Level.Bucket, "accelerate")] = Operation.PutBucketAccelerate,
        [("GET", Level.Bucket, "notification")] = Operation.GetBucketNotification,
        [("PUT", Level.Bucket, "notification")] = Operation.PutBucketNotification,
        [("GET", Level.Bucket, "object-lock")] = Operation.GetBucketObjectLock,
        [("PUT", Level.Bucket, "object-lock")] = Operation.PutBucketObjectLock,
        [("GET", Level.Bucket, "intelligenttiering")] = Operation.GetBucketIntelligentTiering,
        [("PUT", Level.Bucket, "intelligenttiering")] = Operation.PutBucketIntelligentTiering,
        [("GET", Level.Bucket, "domain")] = Operation.GetBucketDomain,
        [("PUT", Level.Bucket, "domain")] = Operation.PutBucketDomain,
        [("DELETE", Level.Bucket, "domain")] = Operation.DeleteBucketDomain,
        [("GET", Level.Bucket, "origin")] = Operation.GetBucketOrigin,
        [("PUT", Level.Bucket, "origin")] = Operation.PutBucketOrigin,
        [("DELETE", Level.Bucket, "origin")] = Operation.DeleteBucketOrigin,
        [("GET", Level.Bucket, "ownershipControls")] = Operation.GetBucketOwnershipControls,
        [("PUT", Level.Bucket, "ownershipControls")] = Operation.PutBucketOwnershipControls,
        [("DELETE", Level.Bucket, "ownershipControls")] = Operation.DeleteBucketOwnershipControls,
        [("GET", Level.Bucket, "publicAccessBlock")] = Operation.GetPublicAccessBlock,
        [("PUT", Level.Bucket, "publicAccessBlock")] = Operation.PutPublicAccessBlock,
        [("DELETE", Level.Bucket, "publicAccessBlock")] = Operation.DeletePublicAccessBlock,
        [("GET", Level.Bucket, "requestPayment")] = Operation.GetBucketRequestPayment,
        [("PUT", Level.Bucket, "requestPayment")] = Operation.PutBucketRequestPayment,
        [("OPTIONS", Level.Bucket, "")] = Operation.OptionsObject,
        [("GET", Level.Bucket, "inventory")] = Operation.ListBucketInventoryConfigurations,
        [("PUT", Level.Bucket, "inventory")] = Operation.PutBucketInventoryConfiguration,
        [("DELETE", Level.Bucket, "inventory")] = Operation.DeleteBucketInventoryConfiguration,
        [("POST", Level.Bucket, "inventory")] = Operation.PostBucketInventory,
        [("GET", Level.Bucket, "inventory-runs")] = Operation.ListBucketInventoryRuns,
        [("GET", Level.Bucket, "inventory-run")] = Operation.GetBucketInventoryRun,
        [("POST", Level.Bucket, "inventory-run")] = Operation.RunBucketInventory,
        [("GET", Level.Bucket, "inventory-summary")] = Operation.GetBucketInventorySummary,

        [("GET", Level.Object, "")] = Operation.GetObject,
        [("HEAD", Level.Object, "")] = Operation.HeadObject,
        [("PUT", Level.Object, "")] = Operation.PutObject,
        [("DELETE", Level.Object, "")] = Operation.DeleteObject,
        [("OPTIONS", Level.Object, "")] = Operation.OptionsObject,
        [("POST", Level.Object, "append")] = Operation.AppendObject,
        [("GET", Level.Object, "acl")] = Operation.GetObjectAcl,
        [("PUT", Level.Object, "acl")] = Operation.PutObjectAcl,
        [("GET", Level.Object, "tagging")] = Operation.GetObjectTagging,
        [("PUT", Level.Object, "tagging")] = Operation.PutObjectTagging,
        [("DELETE", Level.Object, "tagging")] = Operation.DeleteObjectTagging,
        [("POST", Level.Object, "uploads")] = Operation.CreateMultipartUpload,
        [("PUT", Level.Object, "uploadId")] = Operation.UploadPart,
        [("POST", Level.Object, "uploadId")] = Operation.CompleteMultipartUpload,
        [("DELETE", Level.Object, "uploadId")] = Operation.AbortMultipartUpload,
        [("GET", Level.Object, "uploadId")] = Operation.ListParts,
        [("POST", Level.Object, "restore")] = Operation.RestoreObject,
        [("POST", Level.Object, "select")] = Operation.SelectObjectContent,
        [("GET", Level.Object, "retention")] = Operation.GetObjectRetention,
        [("PUT", Level.Object, "retention")] = Operation.PutObjectRetention,
        [("GET", Level.Object, "legal-hold")] = Operation.GetObjectLegalHold,
        [("PUT", Level.Object, "legal-hold")] = Operation.PutObjectLegalHold,
        [("GET", Level.Object, "attributes")] = Operation.GetObjectAttributes,
    };

    private const string NotificationHint =
        "COS has no bucket notification API; set the configuration in the S3 dialect (the events cover changes made in either).";

    // S3 APIs COS has no counterpart of: in the COS dialect their sub-resources are ones COS does not know. Each with
    // what a COS caller can do instead, where there is something.
    private static readonly Dictionary<Operation, string?> S3Only = new()
    {
        [Operation.GetBucketPolicyStatus] = null,
        [Operation.GetBucketNotification] = NotificationHint,
        [Operation.PutBucketNotification] = NotificationHint,
        [Operation.GetObjectAttributes] = null,
        [Operation.GetBucketRequestPayment] = null,
        [Operation.PutBucketRequestPayment] = null,
    };

    // The sub-resources whose every row is S3-only, so that the COS dialect refuses them whatever the method, with their hint.
    private static readonly Dictionary<(Level Level, string SubResource), string?> S3OnlySubResources = Table
        .GroupBy(row => (row.Key.Level, row.Key.SubResource))
        .Where(rows => rows.All(row => S3Only.ContainsKey(row.Value)))
        .ToDictionary(rows => rows.Key, rows => rows.Select(row => S3Only[row.Value]).FirstOrDefault(hint => hint is not null));

    public Route Resolve(string method, string? host, RequestTarget target, Dialect dialect, Func<string, string?> header)
    {
        var hostMatch = hosts.Resolve(host);
        // On a bucket's own host, /v20180820/jobs and /jobs are object keys.
        if (hostMatch.Bucket is null && BatchRoutes.Resolve(method, host, target, dialect) is { } control)
        {
            return control;
        }

        var (bucket, key) = hostMatch.Bucket is { } virtualBucket
            ? (virtualBucket, target.Path.Length > 1 ? target.Path[1..] : null)
            : SplitPathStyle(target.Path);
        var level = bucket is null ? Level.Service : key is null ? Level.Bucket : Level.Object;
        if (level == Level.Service && target.Has("Action"))
        {
            // The query API of IAM and STS (AssumeRole, CreateUser, ...): another service, not answered here.
            throw new CofferException(ErrorCode.NotImplemented, $"The {target.Get("Action")} action of IAM and STS is not implemented; Coffer serves COS and S3 only.");
        }

        var subResource = SubResourceOf(target);
        if (dialect == Dialect.Cos && subResource.Length > 0 && S3OnlySubResources.TryGetValue((level, subResource), out var hint))
        {
            throw UnknownSubResource(subResource, hint);
        }

        if (!Table.TryGetValue((method, level, subResource), out var operation))
        {
            throw Table.Keys.Any(k => k.Level == level && k.SubResource == subResource)
                ? new CofferException(ErrorCode.MethodNotAllowed, $"The method {method} is not allowed against this resource.")
                : new CofferException(ErrorCode.NotImplemented, "A header or query you provided implies functionality that is not implemented.");
        }

        operation = Refine(operation, dialect, target, header);
        return new Route(operation, dialect, bucket, key, hostMatch.Region, hostMatch.Bucket is not null);
    }

    // Server-side encryption with customer-provided keys (SSE-C), for the object or for a copy's source, in either dialect.
    private static readonly string[] CustomerKeyHeaders =
    [
        "x-cos-server-side-encryption-customer-algorithm", "x-cos-server-side-encryption-customer-key",
        "x-cos-server-side-encryption-customer-key-MD5",
        "x-amz-server-side-encryption-customer-algorithm", "x-amz-server-side-encryption-customer-key",
        "x-amz-server-side-encryption-customer-key-MD5",
    ];

    private static readonly string[] CopySourceCustomerKeyHeaders =
    [
        "x-cos-copy-source-server-side-encryption-customer-algorithm", "x-cos-copy-source-server-side-encryption-customer-key",
        "x-cos-copy-source-server-side-encryption-customer-key-MD5",
        "x-amz-copy-source-server-side-encryption-customer-algorithm", "x-amz-copy-source-server-side-encryption-customer-key",
        "x-amz-copy-source-server-side-encryption-customer-key-MD5",
    ];

    private static Operation Refine(Operation operation, Dialect dialect, RequestTarget target, Func<string, string?> header)
    {
        var refined = operation switch
        {
            Operation.ListObjects when target.Get("list-type") == "2" => Operation.ListObjectsV2,
            Operation.ListBucketInventoryConfigurations when target.Has("id") => Operation.GetBucketInventoryConfiguration,
            Operation.PutObject when Copies(dialect, header) => Operation.CopyObject,
            Operation.UploadPart when Copies(dialect, header) => Operation.UploadPartCopy,
            _ => operation,
        };
        RefuseCustomerKeysOutside(refined, header);
        return refined;
    }

    /// <summary>
    /// SSE-C is implemented on the operations that write or read an object's bytes (and a copy's source on the copies);
    /// anywhere else its headers are NotImplemented, never answered as if the key had been used: the client would
    /// believe its object needs that key.
    /// </summary>
    private static void RefuseCustomerKeysOutside(Operation operation, Func<string, string?> header)
    {
        var takesKey = operation is Operation.PutObject or Operation.GetObject or Operation.HeadObject or Operation.CopyObject
            or Operation.CreateMultipartUpload or Operation.UploadPart or Operation.UploadPartCopy or Operation.CompleteMultipartUpload
            or Operation.ListParts or Operation.GetObjectAttributes;
        var takesSourceKey = operation is Operation.CopyObject or Operation.UploadPartCopy;
        if ((!takesKey && AnyPresent(CustomerKeyHeaders, header)) || (!takesSourceKey && AnyPresent(CopySourceCustomerKeyHeaders, header)))
        {
            throw new CofferException(ErrorCode.NotImplemented,
                $"Server-side encryption with customer-provided keys (SSE-C) is not implemented for {operation}.");
        }
    }

    private static bool AnyPresent(string[] names, Func<string, string?> header)
    {
        foreach (var name in names)
        {
            if (header(name) is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A PUT copies when it carries its dialect's copy-source header. The other dialect's header is refused: ignoring it
    /// would store an empty object, obeying it would leave its companions (the directives, the conditions) unread.
    /// </summary>
    private static bool Copies(Dialect dialect, Func<string, string?> header)
    {
        var own = WireHeaders.For(dialect).CopySource;
        if (header(own) is not null)
        {
            return true;
        }

        var foreign = WireHeaders.For(dialect == Dialect.S3 ? Dialect.Cos : Dialect.S3).CopySource;
        return header(foreign) is null
            ? false
            : throw new CofferException(ErrorCode.InvalidArgument,
                $"A request signed for {(dialect == Dialect.S3 ? "S3" : "COS")} names its copy source in {own}, not {foreign}.");
    }

    private static string SubResourceOf(RequestTarget target)
    {
        if (target.Query.Count == 0)
        {
            return "";
        }

        foreach (var name in SubResources)
        {
            if (target.Has(name))
            {
                return name;
            }
        }

        foreach (var parameter in target.Query)
        {
            if (parameter.Value.Length == 0 && !PlainParameters.Contains(parameter.Name) && !IsSignatureParameter(parameter.Name))
            {
                throw UnknownSubResource(parameter.Name);
            }
        }

        return "";
    }

    private static CofferException UnknownSubResource(string name, string? hint = null) =>
        new(ErrorCode.NotImplemented, $"The sub-resource '{name}' is not implemented." + (hint is null ? "" : " " + hint));

    private static (string? Bucket, string? Key) SplitPathStyle(string path)
    {
        var trimmed = path.TrimStart('/');
        if (trimmed.Length == 0)
        {
            return (null, null);
        }

        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (trimmed, null);
        }

        var key = trimmed[(slash + 1)..];
        return (trimmed[..slash], key.Length == 0 ? null : key);
    }

    /// <summary>
    /// The dialect a request speaks, known before routing so that a request the router refuses is answered in it: a
    /// signed request speaks its signature's (COS q-sign in the header or the query; SigV4 or SigV2), a request with
    /// SigV4's own headers S3 (its body may be aws-chunked, which only S3's reading decodes), and any other request what
    /// its header names say (<see cref="DialectOfWords"/>).
    /// </summary>
    public static Dialect DialectOf(RequestTarget target, Func<string, string?> header, IEnumerable<string> headerNames)
    {
        var authorization = header("Authorization");
        if (!string.IsNullOrEmpty(authorization))
        {
            return authorization.StartsWith("q-sign-algorithm=", StringComparison.Ordinal) ? Dialect.Cos : Dialect.S3;
        }

        if (target.Has("X-Amz-Algorithm") || target.Has("AWSAccessKeyId"))
        {
            return Dialect.S3;
        }

        if (target.Has("q-signature") || target.Has("q-sign-algorithm") || target.Has("sign"))
        {
            return Dialect.Cos;
        }

        return header("x-amz-content-sha256") is not null || header("x-amz-date") is not null ? Dialect.S3 : DialectOfWords(headerNames);
    }

    /// <summary>
    /// The dialect of an unsigned request's header names (or an unsigned form's fields): S3 when one is an S3 word
    /// (<c>x-amz-*</c>) and none a COS one (<c>x-cos-*</c>), COS otherwise, so that an anonymous S3 client's metadata,
    /// ACL or expected owner is read rather than dropped as another dialect's words. CloudFront's <c>x-amz-cf-*</c>
    /// describe the hop, not the request.
    /// </summary>
    public static Dialect DialectOfWords(IEnumerable<string> names)
    {
        var s3Words = false;
        foreach (var name in names)
        {
            if (name.StartsWith("x-cos-", StringComparison.OrdinalIgnoreCase))
            {
                return Dialect.Cos;
            }

            s3Words |= name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) && !name.StartsWith("x-amz-cf-", StringComparison.OrdinalIgnoreCase);
        }

        return s3Words ? Dialect.S3 : Dialect.Cos;
    }

    private static bool IsSignatureParameter(string name) =>
        name == "sign" || name.StartsWith("q-", StringComparison.Ordinal) || name.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase);
}
