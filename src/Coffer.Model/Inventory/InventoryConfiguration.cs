namespace Coffer.Model.Inventory;

/// <summary>The vocabulary a configuration was written in. It decides its XML shape and its report layout.</summary>
public enum InventoryDialect
{
    Cos,
    S3,
}

public enum IncludedVersions
{
    Current,
    All,
}

public enum InventoryFrequency
{
    Daily,
    Weekly,
    Monthly,
}

public enum InventoryFormat
{
    Csv,
    Orc,
    Parquet,
}

public enum InventoryEncryption
{
    None,
    SseCos,
    SseS3,
    SseKms,
}

/// <summary>What a run reports: the bucket (Full), the changes since a run (Incremental), or how it differs from a run (Diff).</summary>
public enum ReportKind
{
    Full,
    Incremental,
    Diff,
}

/// <summary>
/// Coffer's extension of a configuration (the <c>CofferReport</c> element): an incremental or diff report. The base is the
/// run <paramref name="FromJobId"/> names, or the latest successful run of the same configuration; a diff of a one-time job
/// may end at the run <paramref name="ToJobId"/> names instead of the run's own instant.
/// </summary>
public sealed record ChangeReport(ReportKind Kind, string? FromJobId = null, string? ToJobId = null);

/// <summary>How the filter was written, so it can be echoed in the same shape (COS SDKs read only one shape each).</summary>
public enum FilterShape
{
    /// <summary>No Filter element.</summary>
    Absent,

    /// <summary><c>&lt;Filter&gt;&lt;/Filter&gt;</c> with nothing inside.</summary>
    Empty,

    /// <summary><c>&lt;Filter&gt;&lt;Prefix&gt;…</c>, the older form.</summary>
    Prefix,

    /// <summary><c>&lt;Filter&gt;&lt;And&gt;&lt;Prefix/&gt;&lt;Tag/&gt;*…</c>, the newer form.</summary>
    And,
}

public sealed record InventoryFilter
{
    public FilterShape Shape { get; init; }

    public string? Prefix { get; init; }

    /// <summary>Every tag must be on an object for it to be reported.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    public string? StorageClass { get; init; }

    /// <summary>Creation time lower bound, Unix seconds, inclusive.</summary>
    public long? PeriodStart { get; init; }

    /// <summary>Creation time upper bound, Unix seconds, inclusive.</summary>
    public long? PeriodEnd { get; init; }

    /// <summary>True when the Period element was present (possibly with only one bound).</summary>
    public bool HasPeriod { get; init; }
}

/// <param name="MonthlyDate">The day of a Monthly schedule as sent; without one, the first of the month.</param>
public sealed record InventorySchedule(InventoryFrequency Frequency, int? MonthlyDate);

public sealed record InventoryDestination
{
    /// <summary>The destination bucket's full name (<c>name-appid</c>).</summary>
    public required string Bucket { get; init; }

    /// <summary>The bucket as the client wrote it (<c>qcs::cos:region::name-appid</c>, <c>arn:aws:s3:::name</c> or bare), echoed back.</summary>
    public required string BucketReference { get; init; }

    /// <summary>The region named in a COS bucket reference, when it names one.</summary>
    public string? Region { get; init; }

    public string? AccountId { get; init; }

    /// <summary>Where reports go inside the destination; COS appends a slash.</summary>
    public string? Prefix { get; init; }

    public InventoryFormat Format { get; init; }

    public InventoryEncryption Encryption { get; init; }

    public string? KmsKeyId { get; init; }
}

/// <summary>
/// A bucket inventory configuration: what to report (versions, filter, optional fields), when (schedule; none for a
/// one-time job) and where (destination, format, encryption).
/// </summary>
public sealed record InventoryConfiguration
{
    public required string Id { get; init; }

    public InventoryDialect Dialect { get; init; }

    /// <summary>IsEnabled exactly as sent (<c>true</c>, <c>True</c>, ...), echoed back verbatim; null for one-time jobs.</summary>
    public string? IsEnabledText { get; init; }

    public bool IsEnabled => IsEnabledText is null || IsEnabledText.Equals("true", StringComparison.OrdinalIgnoreCase);

    public IncludedVersions IncludedObjectVersions { get; init; }

    public InventoryFilter Filter { get; init; } = new();

    /// <summary>The optional fields as sent, in the order sent.</summary>
    public IReadOnlyList<string> OptionalFields { get; init; } = [];

    /// <summary>Null for a one-time job.</summary>
    public InventorySchedule? Schedule { get; init; }

    public required InventoryDestination Destination { get; init; }

    /// <summary>Coffer's extension: an incremental or diff report; null for an ordinary (full) report.</summary>
    public ChangeReport? Report { get; init; }

    /// <summary>What the configuration's runs report.</summary>
    public ReportKind Kind => Report?.Kind ?? ReportKind.Full;
}
