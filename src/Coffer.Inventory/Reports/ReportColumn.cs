using Coffer.Reports;

namespace Coffer.Inventory.Reports;

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
    ColumnSide Side = ColumnSide.Current)
{
    /// <summary>
    /// The column as the writers take it: CSV URL-encodes keys and metadata values (tags and all-metadata cells are
    /// encoded pairs already); the bucket and the key (and COS's APPID) are never null; keys, versions, ETags and CRCs
    /// rarely repeat.
    /// </summary>
    public ColumnDefinition Definition() => new(Name, ColumnarName, Type)
    {
        CsvText = Kind is ColumnKind.Key or ColumnKind.UserMetadata ? CsvText.UrlEncoded : CsvText.Quoted,
        Required = Kind is ColumnKind.Appid or ColumnKind.Bucket or ColumnKind.Key,
        MostlyUnique = Kind is ColumnKind.Key or ColumnKind.VersionId or ColumnKind.ETag or ColumnKind.Crc64,
    };
}
