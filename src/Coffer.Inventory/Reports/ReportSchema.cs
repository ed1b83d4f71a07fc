using Coffer.Model.Inventory;
using Coffer.Reports;

namespace Coffer.Inventory.Reports;

/// <summary>
/// The columns of a report, in canonical order: the fixed ones (COS adds Appid first), the version columns when all
/// versions are reported, then the chosen optional fields in the dialect's canonical order (COS custom metadata last,
/// in the order requested).
/// </summary>
public sealed class ReportSchema
{
    private static readonly (ColumnKind Kind, string Name, string Columnar, ColumnType Type)[] CosOptional =
    [
        (ColumnKind.Size, "Size", "size", ColumnType.Int64),
        (ColumnKind.LastModifiedDate, "LastModifiedDate", "last_modified_date", ColumnType.Timestamp),
        (ColumnKind.ETag, "ETag", "e_tag", ColumnType.String),
        (ColumnKind.StorageClass, "StorageClass", "storage_class", ColumnType.String),
        (ColumnKind.IsMultipartUploaded, "IsMultipartUploaded", "is_multipart_uploaded", ColumnType.Boolean),
        (ColumnKind.ReplicationStatus, "ReplicationStatus", "replication_status", ColumnType.String),
        (ColumnKind.Tag, "Tag", "tag", ColumnType.String),
        (ColumnKind.Crc64, "Crc64", "crc64", ColumnType.String),
    ];

    private static readonly (ColumnKind Kind, string Name, string Columnar, ColumnType Type)[] S3Optional =
    [
        (ColumnKind.Size, "Size", "size", ColumnType.Int64),
        (ColumnKind.LastModifiedDate, "LastModifiedDate", "last_modified_date", ColumnType.Timestamp),
        (ColumnKind.ETag, "ETag", "e_tag", ColumnType.String),
        (ColumnKind.StorageClass, "StorageClass", "storage_class", ColumnType.String),
        (ColumnKind.IsMultipartUploaded, "IsMultipartUploaded", "is_multipart_uploaded", ColumnType.Boolean),
        (ColumnKind.ReplicationStatus, "ReplicationStatus", "replication_status", ColumnType.String),
        (ColumnKind.EncryptionStatus, "EncryptionStatus", "encryption_status", ColumnType.String),
        (ColumnKind.ObjectLockRetainUntilDate, "ObjectLockRetainUntilDate", "object_lock_retain_until_date", ColumnType.Timestamp),
        (ColumnKind.ObjectLockMode, "ObjectLockMode", "object_lock_mode", ColumnType.String),
        (ColumnKind.ObjectLockLegalHoldStatus, "ObjectLockLegalHoldStatus", "object_lock_legal_hold_status", ColumnType.String),
        (ColumnKind.IntelligentTieringAccessTier, "IntelligentTieringAccessTier", "intelligent_tiering_access_tier", ColumnType.String),
        (ColumnKind.BucketKeyStatus, "BucketKeyStatus", "bucket_key_status", ColumnType.String),
        (ColumnKind.ChecksumAlgorithm, "ChecksumAlgorithm", "checksum_algorithm", ColumnType.String),
        (ColumnKind.ObjectAccessControlList, "ObjectAccessControlList", "object_access_control_list", ColumnType.String),
        (ColumnKind.ObjectOwner, "ObjectOwner", "object_owner", ColumnType.String),
        (ColumnKind.LifecycleExpirationDate, "LifecycleExpirationDate", "lifecycle_expiration_date", ColumnType.Timestamp),
    ];

    private ReportSchema(InventoryDialect dialect, IReadOnlyList<ReportColumn> columns)
    {
        Dialect = dialect;
        Columns = columns;

        // COS publishes no Parquet schema; its reports name the message cos.inventory, as S3's are s3.inventory.
        Output = new ColumnSchema(dialect == InventoryDialect.Cos ? "cos.inventory" : "s3.inventory", [.. columns.Select(c => c.Definition())]);
    }

    /// <summary>Whose report this is: formats that name their schema (Parquet's message) name it per dialect.</summary>
    public InventoryDialect Dialect { get; }

    public IReadOnlyList<ReportColumn> Columns { get; }

    /// <summary>The columns as the report writers take them (<see cref="ReportBatchFiller"/> fills batches of them).</summary>
    public ColumnSchema Output { get; }

    public bool Has(ColumnKind kind) => Columns.Any(c => c.Kind == kind);

    /// <summary>
    /// The schema of a <paramref name="kind"/> report of a configuration: a full report has the configured columns; an
    /// incremental one starts with <c>Sequence</c>, <c>Operation</c> and <c>ChangeTime</c>; a diff keeps the identifying
    /// columns (APPID, bucket, key, version id) and has <c>Change</c>, then each other column twice, <c>Before.X</c> and <c>After.X</c>.
    /// </summary>
    public static ReportSchema For(InventoryConfiguration configuration, ReportKind kind)
    {
        var full = For(configuration);
        if (kind == ReportKind.Incremental)
        {
            return new ReportSchema(configuration.Dialect,
            [
                new(ColumnKind.Sequence, "Sequence", "sequence", ColumnType.Int64),
                new(ColumnKind.Operation, "Operation", "operation", ColumnType.String),
                new(ColumnKind.ChangeTime, "ChangeTime", "change_time", ColumnType.Timestamp),
                .. full.Columns,
            ]);
        }

        if (kind == ReportKind.Diff)
        {
            var columns = full.Columns.Where(IsIdentity).ToList();
            columns.Add(new(ColumnKind.Operation, "Change", "change", ColumnType.String));
            foreach (var column in full.Columns.Where(c => !IsIdentity(c)))
            {
                columns.Add(column with { Name = "Before." + column.Name, ColumnarName = "before_" + column.ColumnarName, Side = ColumnSide.Before });
                columns.Add(column with { Name = "After." + column.Name, ColumnarName = "after_" + column.ColumnarName, Side = ColumnSide.After });
            }

            return new ReportSchema(configuration.Dialect, columns);
        }

        return full;
    }

    /// <summary>What names an object in a diff: the values on both sides are the same.</summary>
    private static bool IsIdentity(ReportColumn column) => column.Kind is ColumnKind.Appid or ColumnKind.Bucket or ColumnKind.Key or ColumnKind.VersionId;

    /// <summary>The schema a configuration asks for.</summary>
    public static ReportSchema For(InventoryConfiguration configuration)
    {
        var columns = new List<ReportColumn>();
        var cos = configuration.Dialect == InventoryDialect.Cos;
        if (cos)
        {
            columns.Add(new(ColumnKind.Appid, "Appid", "appid", ColumnType.String));
        }

        columns.Add(new(ColumnKind.Bucket, "Bucket", "bucket", ColumnType.String));
        columns.Add(new(ColumnKind.Key, "Key", "key", ColumnType.String));
        if (configuration.IncludedObjectVersions == IncludedVersions.All)
        {
            columns.Add(new(ColumnKind.VersionId, "VersionId", "version_id", ColumnType.String));
            columns.Add(new(ColumnKind.IsLatest, "IsLatest", "is_latest", ColumnType.Boolean));
            columns.Add(new(ColumnKind.IsDeleteMarker, "IsDeleteMarker", "is_delete_marker", ColumnType.Boolean));
        }

        var requested = configuration.OptionalFields
            .Select(f => f == "IsMultipartUpload" ? "IsMultipartUploaded" : f)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (kind, name, columnar, type) in cos ? CosOptional : S3Optional)
        {
            if (requested.Contains(name))
            {
                columns.Add(new(kind, name, columnar, type));
            }
        }

        if (cos)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var field in configuration.OptionalFields)
            {
                if (!field.StartsWith(InventoryRules.MetaFieldPrefix, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var metadataName = field[InventoryRules.MetaFieldPrefix.Length..].ToLowerInvariant();
                if (!seen.Add(metadataName))
                {
                    continue;
                }

                columns.Add(metadataName == InventoryRules.AllMetadataName
                    ? new(ColumnKind.AllUserMetadata, InventoryRules.MetaFieldPrefix + metadataName, "x_cos_meta", ColumnType.String)
                    : new(ColumnKind.UserMetadata, InventoryRules.MetaFieldPrefix + metadataName, InventoryRules.MetaColumnName(metadataName),
                        ColumnType.String, metadataName));
            }
        }

        return new ReportSchema(configuration.Dialect, columns);
    }
}
