using Coffer.Common;
using Coffer.Common.Acl;
using Coffer.Model.Multipart;
using Coffer.Model.Objects;

namespace Coffer.Inventory.Reports;

/// <summary>
/// What is constant across a report's rows: the source's APPID, its name as reported, its owner's uin, the bucket's ACL
/// (which objects without their own follow), whether its ownership controls disable ACLs and, when the bucket has a
/// lifecycle, when it expires a version.
/// </summary>
public sealed record ReportContext(string AppId, string BucketName, string OwnerId)
{
    public AccessControlList? BucketAcl { get; init; }

    /// <summary>
    /// The bucket enforces its owner's ownership (BucketOwnerEnforced): the owner owns every object with full control,
    /// whatever ACL an object was written with before.
    /// </summary>
    public bool AclsDisabled { get; init; }

    /// <summary>When the bucket's lifecycle expires the current version given; null when no rule does.</summary>
    public Func<ObjectInfo, DateTimeOffset?>? ExpirationOf { get; init; }

    /// <summary>Object ACLs as reported, by their stored form: most objects of a bucket share a handful.</summary>
    internal Dictionary<string, string> ReportedAcls { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The value of each column for one object version. Absent values are null (CSV writes them as empty cells).
/// Text values are as ORC and Parquet store them; CSV additionally URL-encodes the key, tags and metadata.
/// </summary>
public static class ReportValues
{
    public static string? Text(ReportColumn column, in ReportRow row, ReportContext context) => column.Kind switch
    {
        ColumnKind.Appid => context.AppId,
        ColumnKind.Bucket => context.BucketName,
        ColumnKind.Operation => row.Change?.Operation,
        _ => row.On(column.Side) is { } o ? ObjectText(column, o, context) : null,
    };

    private static string? ObjectText(ReportColumn column, ObjectInfo o, ReportContext context) => column.Kind switch
    {
        ColumnKind.Key => o.Key,
        ColumnKind.VersionId => o.VersionId,
        ColumnKind.ETag => ETagOf(o),
        ColumnKind.StorageClass => StorageClassOf(o),
        ColumnKind.ReplicationStatus => o.ReplicationStatus,
        ColumnKind.Tag => Pairs(o.Tags),
        ColumnKind.AllUserMetadata => Pairs(o.UserMetadata),
        // An SSE-C object's CRC-64 is of its plaintext: only a request with the key may learn it, never a report.
        ColumnKind.Crc64 => o.Encryption == ObjectEncryption.Customer ? null : o.Crc64?.ToString(),
        ColumnKind.UserMetadata => Metadata(o, column.MetadataName),
        ColumnKind.EncryptionStatus => o.IsDeleteMarker ? null : o.Encryption switch
        {
            null => "NOT-SSE",
            "aws:kms" => "SSE-KMS",
            "SSE-C" => "SSE-C",
            _ => "SSE-S3",
        },
        ColumnKind.IntelligentTieringAccessTier => o.StorageClass == "INTELLIGENT_TIERING" ? "FREQUENT" : null,
        ColumnKind.BucketKeyStatus => o.Encryption == "aws:kms" ? "DISABLED" : null,
        ColumnKind.ChecksumAlgorithm => MultipartChecksum.AlgorithmOf(o.Headers),
        // A delete marker has an owner too (ListObjectVersions names it); only its ACL is empty.
        ColumnKind.ObjectOwner => ObjectAclReport.Owner(o, context),
        ColumnKind.ObjectAccessControlList => o.IsDeleteMarker ? null : ObjectAclReport.Json(o, context),
        ColumnKind.ObjectLockMode => o.RetentionMode,
        ColumnKind.ObjectLockLegalHoldStatus => o.IsDeleteMarker ? null : o.LegalHold ? "ON" : "OFF",
        _ => null,
    };

    /// <summary>
    /// Kept out of <see cref="ObjectText"/>: a lambda capturing its <c>column</c> parameter would allocate a closure on every
    /// call, for every column of every row.
    /// </summary>
    private static string? Metadata(ObjectInfo o, string? name) => o.UserMetadata.FirstOrDefault(m => m.Key == name).Value;

    /// <summary>Pairs as a query string, <c>k1=v1&amp;k2=v2</c>, each name and value URL-encoded; null when there are none.</summary>
    private static string? Pairs(IReadOnlyList<KeyValuePair<string, string>> pairs) =>
        pairs.Count == 0 ? null : string.Join('&', pairs.Select(p => $"{UrlEncoding.Encode(p.Key)}={UrlEncoding.Encode(p.Value)}"));

    // A delete marker has no body: these columns are empty for it. ReportBatchFiller's direct loops read them here too.
    internal static string? ETagOf(ObjectInfo o) => o.IsDeleteMarker ? null : o.ETag;

    internal static string? StorageClassOf(ObjectInfo o) => o.IsDeleteMarker ? null : o.StorageClass;

    internal static long? SizeOf(ObjectInfo o) => o.IsDeleteMarker ? null : o.Size;

    internal static bool? IsMultipartUploadedOf(ObjectInfo o) => o.IsDeleteMarker ? null : o.IsMultipartUploaded;

    public static long? Int64(ReportColumn column, in ReportRow row) => column.Kind switch
    {
        ColumnKind.Sequence => row.Change?.Sequence,
        ColumnKind.Size => row.On(column.Side) is { } o ? SizeOf(o) : null,
        _ => null,
    };

    public static bool? Boolean(ReportColumn column, in ReportRow row) => row.On(column.Side) is not { } o
        ? null
        : column.Kind switch
        {
            ColumnKind.IsLatest => o.IsLatest,
            ColumnKind.IsDeleteMarker => o.IsDeleteMarker,
            ColumnKind.IsMultipartUploaded => IsMultipartUploadedOf(o),
            _ => null,
        };

    public static DateTimeOffset? Timestamp(ReportColumn column, in ReportRow row, ReportContext context) => column.Kind switch
    {
        ColumnKind.ChangeTime => row.Change?.Time,
        _ => row.On(column.Side) is { } o ? ObjectTimestamp(column, o, context) : null,
    };

    private static DateTimeOffset? ObjectTimestamp(ReportColumn column, ObjectInfo o, ReportContext context) => column.Kind switch
    {
        ColumnKind.LastModifiedDate => o.LastModified,
        ColumnKind.ObjectLockRetainUntilDate => o.RetainUntil,
        ColumnKind.LifecycleExpirationDate => o.IsLatest && !o.IsDeleteMarker ? context.ExpirationOf?.Invoke(o) : null,
        _ => null,
    };
}
