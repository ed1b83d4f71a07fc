using Coffer.Common;
using Coffer.Model.Objects;

namespace Coffer.Inventory.Reports;

/// <summary>What is constant across a report's rows: the source's APPID, its name as reported, its owner.</summary>
public sealed record ReportContext(string AppId, string BucketName, string OwnerId);

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
        ColumnKind.ETag => o.IsDeleteMarker ? null : o.ETag,
        ColumnKind.StorageClass => o.IsDeleteMarker ? null : o.StorageClass,
        ColumnKind.ReplicationStatus => o.ReplicationStatus,
        ColumnKind.Tag => Pairs(o.Tags),
        ColumnKind.AllUserMetadata => Pairs(o.UserMetadata),
        ColumnKind.Crc64 => o.Crc64?.ToString(),
        ColumnKind.UserMetadata => Metadata(o, column.MetadataName),
        ColumnKind.EncryptionStatus => o.IsDeleteMarker ? null : o.Encryption switch
        {
            null => "NOT-SSE",
            "aws:kms" => "SSE-KMS",
            _ => "SSE-S3",
        },
        ColumnKind.IntelligentTieringAccessTier => o.StorageClass == "INTELLIGENT_TIERING" ? "FREQUENT" : null,
        ColumnKind.BucketKeyStatus => o.Encryption == "aws:kms" ? "DISABLED" : null,
        ColumnKind.ChecksumAlgorithm => o.Headers.FirstOrDefault(h => h.Key.StartsWith("x-amz-checksum-", StringComparison.Ordinal)).Key?
            ["x-amz-checksum-".Length..].ToUpperInvariant(),
        ColumnKind.ObjectOwner => context.OwnerId,
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

    public static long? Int64(ReportColumn column, in ReportRow row) => column.Kind switch
    {
        ColumnKind.Sequence => row.Change?.Sequence,
        ColumnKind.Size => row.On(column.Side) is { IsDeleteMarker: false } o ? o.Size : null,
        _ => null,
    };

    public static bool? Boolean(ReportColumn column, in ReportRow row) => row.On(column.Side) is not { } o
        ? null
        : column.Kind switch
        {
            ColumnKind.IsLatest => o.IsLatest,
            ColumnKind.IsDeleteMarker => o.IsDeleteMarker,
            ColumnKind.IsMultipartUploaded => o.IsDeleteMarker ? null : o.IsMultipartUploaded,
            _ => null,
        };

    public static DateTimeOffset? Timestamp(ReportColumn column, in ReportRow row) => column.Kind switch
    {
        ColumnKind.ChangeTime => row.Change?.Time,
        ColumnKind.LastModifiedDate => row.On(column.Side)?.LastModified,
        _ => null,
    };
}
