namespace Coffer.Protocol.Xml;

/// <summary>
/// An <c>InventoryConfiguration</c> as it appears on the wire, in either dialect: every value as text, every element
/// nullable when absent. The server maps it to the model and validates there.
/// </summary>
public sealed record InventoryDocument
{
    public string? Id { get; init; }

    public string? IsEnabled { get; init; }

    public string? IncludedObjectVersions { get; init; }

    public InventoryFilterDocument? Filter { get; init; }

    public IReadOnlyList<string>? OptionalFields { get; init; }

    public InventoryScheduleDocument? Schedule { get; init; }

    /// <summary>COSBucketDestination or S3BucketDestination, whichever was sent (see <see cref="InventoryDestinationDocument.IsS3"/>).</summary>
    public InventoryDestinationDocument? Destination { get; init; }

    /// <summary>Coffer's <c>CofferReport</c> element (incremental and diff reports); null when the document has none.</summary>
    public InventoryReportDocument? Report { get; init; }
}

/// <summary><c>&lt;CofferReport&gt;&lt;Type&gt;Incremental&lt;/Type&gt;&lt;FromJobId&gt;…&lt;/FromJobId&gt;&lt;ToJobId&gt;…&lt;/ToJobId&gt;&lt;/CofferReport&gt;</c>.</summary>
public sealed record InventoryReportDocument(string? Type, string? FromJobId, string? ToJobId);

/// <param name="UsesAnd">True for <c>&lt;Filter&gt;&lt;And&gt;…</c>, false for <c>&lt;Filter&gt;&lt;Prefix&gt;…</c> or an empty filter.</param>
public sealed record InventoryFilterDocument(
    bool UsesAnd,
    string? Prefix,
    IReadOnlyList<KeyValuePair<string, string>> Tags,
    string? StorageClass,
    InventoryPeriodDocument? Period);

public sealed record InventoryPeriodDocument(string? StartTime, string? EndTime);

public sealed record InventoryScheduleDocument(string? Frequency, string? MonthlyDate);

/// <param name="Encryption">SSE-COS, SSECOS (an alias COS SDKs send), SSE-S3 or SSE-KMS; null for none.</param>
public sealed record InventoryDestinationDocument(
    bool IsS3,
    string? Bucket,
    string? AccountId,
    string? Prefix,
    string? Format,
    string? Encryption,
    string? KmsKeyId);

public sealed record InventoryListDocument(
    IReadOnlyList<InventoryDocument> Configurations,
    bool IsTruncated,
    string? ContinuationToken,
    string? NextContinuationToken);

/// <summary>One inventory run as the run status API shows it (Coffer's own document; COS and S3 have none).</summary>
public sealed record InventoryRunDocument(
    string JobId,
    string Id,
    string Trigger,
    string State,
    string Format,
    string DestinationBucket,
    DateTimeOffset QueuedTime,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime,
    long ObjectsScanned,
    long BytesScanned,
    long ObjectsMatched,
    long BytesMatched,
    long FilesWritten,
    string? ManifestKey,
    string? ErrorCode,
    string? ErrorMessage);
