namespace Coffer.Model.Batch;

/// <summary>What a batch job does to each object its manifest lists.</summary>
public enum BatchOperationKind
{
    PutObjectCopy,
    PutObjectTagging,
    DeleteObjectTagging,
    DeleteObject,
    ComputeObjectChecksum,
}

/// <summary>Which dialect a job was created in: its wire names, its manifests and its report's layout follow it.</summary>
public enum BatchDialect
{
    S3,
    Cos,
}

/// <summary>The operation and its parameters, as CreateJob named them.</summary>
public sealed record BatchOperation
{
    public BatchOperationKind Kind { get; init; }

    /// <summary>PutObjectTagging's tag set; PutObjectCopy's new tags when <see cref="ReplaceTags"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>PutObjectCopy: the bucket copies go to (the object's own bucket when null).</summary>
    public string? TargetBucket { get; init; }

    /// <summary>PutObjectCopy: put before each key in the target.</summary>
    public string? TargetKeyPrefix { get; init; }

    /// <summary>PutObjectCopy: the copies' storage class (the source's when null).</summary>
    public string? StorageClass { get; init; }

    /// <summary>PutObjectCopy: REPLACE takes <see cref="ContentType"/> and <see cref="UserMetadata"/> instead of the source's.</summary>
    public bool ReplaceMetadata { get; init; }

    public string? ContentType { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> UserMetadata { get; init; } = [];

    public bool ReplaceTags { get; init; }

    /// <summary>PutObjectCopy: the copies' own canned ACL (<c>private</c>), or null to follow their bucket's.</summary>
    public string? CannedAcl { get; init; }

    /// <summary>PutObjectCopy: <c>AES256</c> or <c>aws:kms</c> for the copies.</summary>
    public string? ServerSideEncryption { get; init; }

    /// <summary>
    /// PutObjectCopy: S3's <c>RequesterPays</c>, the creator's agreement to pay for copies from or into Requester Pays buckets
    /// (the header a job cannot send). No other operation can carry it.
    /// </summary>
    public bool RequesterPays { get; init; }

    /// <summary>ComputeObjectChecksum: CRC32, CRC32C, CRC64NVME, SHA1, SHA256 or CRC64 (COS's CRC-64/XZ).</summary>
    public string? ChecksumAlgorithm { get; init; }
}

/// <summary>Where the manifest is and how to read it.</summary>
public sealed record BatchManifest
{
    /// <summary>S3BatchOperations_CSV_20180820, S3InventoryReport_CSV_20161130, COSBatchOperations_CSV_V1 or COSInventoryReport_CSV_V1.</summary>
    public required string Format { get; init; }

    /// <summary>The CSV list's columns (Bucket, Key, VersionId, Ignore); empty for inventory reports.</summary>
    public IReadOnlyList<string> Fields { get; init; } = [];

    public required string Bucket { get; init; }

    public required string Key { get; init; }

    /// <summary>The ETag the creator gave; the manifest object must have it.</summary>
    public required string ETag { get; init; }

    public string? VersionId { get; init; }

    public bool IsInventoryReport => Format is ManifestFormats.S3InventoryReport or ManifestFormats.CosInventoryReport;
}

/// <summary>The manifest formats S3 and COS name.</summary>
public static class ManifestFormats
{
    public const string S3Csv = "S3BatchOperations_CSV_20180820";
    public const string S3InventoryReport = "S3InventoryReport_CSV_20161130";
    public const string CosCsv = "COSBatchOperations_CSV_V1";
    public const string CosInventoryReport = "COSInventoryReport_CSV_V1";

    public static bool IsKnown(string format) => format is S3Csv or S3InventoryReport or CosCsv or CosInventoryReport;
}

/// <summary>The completion report asked for.</summary>
public sealed record BatchReport
{
    public bool Enabled { get; init; }

    public string? Bucket { get; init; }

    public string? Prefix { get; init; }

    /// <summary>Report_CSV_20180820.</summary>
    public string Format { get; init; } = "Report_CSV_20180820";

    /// <summary>AllTasks or FailedTasksOnly.</summary>
    public string Scope { get; init; } = "AllTasks";

    public bool FailedOnly => Scope == "FailedTasksOnly";
}

/// <summary>Who created the job: tasks are authorized as requests signed with this key would be.</summary>
public sealed record BatchCreator(string AppId, string Uin, string SecretId);

/// <summary>A job as it was created; it never changes afterwards (priority, status and tags live beside it).</summary>
public sealed record BatchJobSpec
{
    public BatchDialect Dialect { get; init; }

    public required BatchOperation Operation { get; init; }

    public required BatchManifest Manifest { get; init; }

    public required BatchReport Report { get; init; }

    public required BatchCreator Creator { get; init; }

    public string? Description { get; init; }

    public string? RoleArn { get; init; }

    public bool ConfirmationRequired { get; init; }
}

/// <summary>One failure that ended a job: a code and a sentence.</summary>
public sealed record BatchFailure(string Code, string Reason);

/// <summary>A job as DescribeJob and ListJobs show it.</summary>
public sealed record BatchJob
{
    public required string JobId { get; init; }

    public required string Account { get; init; }

    public required BatchJobSpec Spec { get; init; }

    public required string Status { get; init; }

    public int Priority { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? TerminatedAt { get; init; }

    public long TotalTasks { get; init; }

    public long TasksSucceeded { get; init; }

    public long TasksFailed { get; init; }

    public long ElapsedSeconds { get; init; }

    public string? StatusReason { get; init; }

    public BatchFailure? Failure { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>The completion report's manifest key, once written.</summary>
    public string? ReportManifestKey { get; init; }
}

/// <summary>One object a task acts on.</summary>
public sealed record BatchTask(string Bucket, string Key, string? VersionId);

/// <summary>
/// How one task ended, as the completion report shows it: the <see cref="Common.ErrorCode"/> it failed with (its name; the
/// report writes the dialect's code and HTTP status) and a message.
/// </summary>
public sealed record BatchTaskResult(bool Succeeded, string ErrorCode, string Message)
{
    public static BatchTaskResult Success { get; } = new(true, "", "Successful");

    public static BatchTaskResult Failure(Common.ErrorCode code, string message) => new(false, code.ToString(), message);
}
