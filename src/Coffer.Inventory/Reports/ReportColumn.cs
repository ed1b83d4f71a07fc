namespace Coffer.Inventory.Reports;

/// <summary>The value types report columns have; ORC and Parquet write them natively, CSV as text.</summary>
public enum ColumnType
{
    String,
    Int64,
    Boolean,
    Timestamp,
}

/// <summary>What a column reports.</summary>
public enum ColumnKind
{
    Appid,
    Bucket,
    Key,
    VersionId,
    IsLatest,
    IsDeleteMarker,
    Size,
    LastModifiedDate,
    ETag,
    StorageClass,
    IsMultipartUploaded,
    ReplicationStatus,
    Tag,
    Crc64,
    UserMetadata,

    /// <summary>Every <c>x-cos-meta-</c> pair of the object in one cell (<c>x-cos-meta-*</c>), encoded like the Tag column.</summary>
    AllUserMetadata,
    EncryptionStatus,
    ObjectLockRetainUntilDate,
    ObjectLockMode,
    ObjectLockLegalHoldStatus,
    IntelligentTieringAccessTier,
    BucketKeyStatus,
    ChecksumAlgorithm,
    ObjectAccessControlList,
    ObjectOwner,
    LifecycleExpirationDate,

    /// <summary>Incremental reports: the change's sequence.</summary>
    Sequence,

    /// <summary>Incremental reports: what the change did to the row (Created, Updated, Deleted); diff reports: Added, Removed, Changed.</summary>
    Operation,

    /// <summary>Incremental reports: when the change was recorded.</summary>
    ChangeTime,
}

/// <param name="Name">The name in <c>fileSchema</c> and CSV (<c>LastModifiedDate</c>, <c>x-cos-meta-color</c>).</param>
/// <param name="ColumnarName">The name in ORC and Parquet schemas (<c>last_modified_date</c>, as AWS names them).</param>
/// <param name="MetadataName">For <see cref="ColumnKind.UserMetadata"/>: the metadata name, lower-case, without the prefix.</param>
/// <param name="Side">In a diff report, which version the column reads.</param>
public sealed record ReportColumn(ColumnKind Kind, string Name, string ColumnarName, ColumnType Type, string? MetadataName = null,
    ColumnSide Side = ColumnSide.Current);
