using Coffer.Common;

namespace Coffer.Model.Inventory;

/// <summary>The rules a configuration must follow before it is stored, in one place.</summary>
public static class InventoryRules
{
    public const int MaxIdLength = 64;
    public const int MaxConfigurationsPerBucket = 1000;
    public const int MaxPrefixLength = 1024;
    public const string MetaFieldPrefix = "x-cos-meta-";

    /// <summary><c>x-cos-meta-*</c>, as COS's own examples write it: one column with all of an object's user metadata.</summary>
    public const string AllMetadataName = "*";

    /// <summary>
    /// A metadata field's column name in ORC and Parquet: <c>x_cos_meta_</c> and the name with every character but
    /// <c>a-z 0-9 _</c> made <c>_</c>, so that it is an identifier every type parser reads (Apache ORC's refuses
    /// <c>x_cos_meta_a.b</c>) and the file and the manifest's <c>fileSchema</c> name it alike.
    /// </summary>
    public static string MetaColumnName(string metadataName) =>
        "x_cos_meta_" + string.Concat(metadataName.ToLowerInvariant().Select(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) ? c : '_'));

    /// <summary>COS optional fields (<c>IsMultipartUpload</c> is a spelling in COS's own examples; it is accepted as an alias).</summary>
    public static readonly IReadOnlySet<string> CosFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "IsMultipartUpload", "ReplicationStatus", "Tag", "Crc64",
    };

    /// <summary>S3's optional fields.</summary>
    public static readonly IReadOnlySet<string> S3Fields = new HashSet<string>(StringComparer.Ordinal)
    {
        "Size", "LastModifiedDate", "StorageClass", "ETag", "IsMultipartUploaded", "ReplicationStatus", "EncryptionStatus",
        "ObjectLockRetainUntilDate", "ObjectLockMode", "ObjectLockLegalHoldStatus", "IntelligentTieringAccessTier", "BucketKeyStatus",
        "ChecksumAlgorithm", "ObjectAccessControlList", "ObjectOwner", "LifecycleExpirationDate",
    };

    /// <summary>S3's optional fields that Coffer does not report: newer than its reports, answered NotImplemented.</summary>
    private static readonly IReadOnlySet<string> S3FieldsNotReported = new HashSet<string>(StringComparer.Ordinal)
    {
        "IntelligentTieringReferenceDate", "ObjectLockEventHoldDuration", "ObjectLockEventHoldStatus",
    };

    /// <summary>
    /// Whether two configurations report the same rows with the same columns (versions, filter, optional fields, dialect),
    /// so that an incremental report of one can be replayed on a report of the other.
    /// </summary>
    public static bool ReportsTheSameRows(InventoryConfiguration a, InventoryConfiguration b) =>
        a.Dialect == b.Dialect && a.IncludedObjectVersions == b.IncludedObjectVersions && a.OptionalFields.SequenceEqual(b.OptionalFields)
        && (a.Filter.Prefix ?? "") == (b.Filter.Prefix ?? "") && a.Filter.Tags.SequenceEqual(b.Filter.Tags) && a.Filter.StorageClass == b.Filter.StorageClass
        && a.Filter.PeriodStart == b.Filter.PeriodStart && a.Filter.PeriodEnd == b.Filter.PeriodEnd;

    /// <summary>An id of 1-64 characters from <c>a-z A-Z 0-9 - _ .</c>.</summary>
    public static void ValidateId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw Invalid($"The inventory id must be 1 to {MaxIdLength} characters of letters, digits, '-', '_' and '.'.");
        }
    }

    /// <summary>Every rule that needs nothing but the configuration itself.</summary>
    public static void Validate(InventoryConfiguration configuration, bool oneTime)
    {
        ValidateId(configuration.Id);
        if (configuration.Id is "." or "..")
        {
            // Checked for new configurations only: one stored before can still be read and deleted.
            throw Invalid("The inventory id may not be '.' or '..': it is a folder in the key of every report.");
        }

        if (oneTime && (configuration.IsEnabledText is not null || configuration.Schedule is not null))
        {
            throw Invalid("A one-time inventory job may carry neither IsEnabled nor Schedule.");
        }

        if (!oneTime && configuration.Schedule is null)
        {
            throw Invalid("Schedule is required.");
        }

        if (!oneTime && configuration.IsEnabledText is null)
        {
            throw Invalid("IsEnabled is required.");
        }

        if (configuration.IsEnabledText is { } enabled && !enabled.Equals("true", StringComparison.OrdinalIgnoreCase)
            && !enabled.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid("IsEnabled must be true or false.");
        }

        ValidateSchedule(configuration.Schedule);
        ValidateFilter(configuration);
        ValidateFields(configuration);
        ValidateDestination(configuration);
        ValidateReport(configuration.Report, oneTime);
    }

    private static void ValidateReport(ChangeReport? report, bool oneTime)
    {
        if (report is null)
        {
            return;
        }

        if (report.Kind == ReportKind.Full && (report.FromJobId is not null || report.ToJobId is not null))
        {
            throw Invalid("CofferReport: a Full report takes neither FromJobId nor ToJobId.");
        }

        if (report.ToJobId is not null && (report.Kind != ReportKind.Diff || !oneTime || report.FromJobId is null))
        {
            throw Invalid("CofferReport: ToJobId is for a one-time Diff job, with FromJobId.");
        }
    }

    private static void ValidateSchedule(InventorySchedule? schedule)
    {
        if (schedule is null)
        {
            return;
        }

        if (schedule.Frequency == InventoryFrequency.Monthly ? schedule.MonthlyDate is < 1 or > 31 : schedule.MonthlyDate is not null)
        {
            throw Invalid("MonthlyDate must be a day of the month from 1 to 31, and only with the Monthly frequency.");
        }
    }

    private static void ValidateFilter(InventoryConfiguration configuration)
    {
        var filter = configuration.Filter;
        if (filter.Prefix is { Length: > MaxPrefixLength })
        {
            throw Invalid($"The filter prefix may have at most {MaxPrefixLength} characters.");
        }

        if (filter.PeriodStart is { } start && filter.PeriodEnd is { } end && start > end)
        {
            throw Invalid("Period StartTime must not be after EndTime.");
        }

        if (filter.PeriodStart < 0 || filter.PeriodEnd < 0)
        {
            throw Invalid("Period times are Unix seconds and cannot be negative.");
        }

        // S3 filters on a prefix only: told first, so a tag filter is not sent to look for an optional field S3 lacks.
        if (configuration.Dialect == InventoryDialect.S3 && (filter.Tags.Count > 0 || filter.HasPeriod || filter.StorageClass is not null))
        {
            throw new CofferException(ErrorCode.MalformedXml, "An S3 inventory filter takes a Prefix only.");
        }

        if (filter.Tags.Count > 0)
        {
            Objects.ObjectTags.Validate(filter.Tags);
            if (!configuration.OptionalFields.Contains("Tag"))
            {
                throw Invalid("A configuration that filters on tags must list Tag among its optional fields.");
            }
        }

        if (filter.StorageClass is not null)
        {
            // One class, or a comma-separated list of them, read as any of them (ReportFilter).
            var classes = filter.StorageClass.Split(',', StringSplitOptions.TrimEntries);
            foreach (var storageClass in classes)
            {
                if (storageClass.Length == 0)
                {
                    throw Invalid($"The storage class filter '{filter.StorageClass}' names an empty class.");
                }

                StorageClass.NormalizeS3(storageClass);
            }
        }
    }

    private static void ValidateFields(InventoryConfiguration configuration)
    {
        var known = configuration.Dialect == InventoryDialect.S3 ? S3Fields : CosFields;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in configuration.OptionalFields)
        {
            var isMeta = configuration.Dialect == InventoryDialect.Cos && field.StartsWith(MetaFieldPrefix, StringComparison.OrdinalIgnoreCase)
                && field.Length > MetaFieldPrefix.Length;
            if (configuration.Dialect == InventoryDialect.S3 && S3FieldsNotReported.Contains(field))
            {
                throw new CofferException(ErrorCode.NotImplemented, $"The optional field '{field}' is not implemented.");
            }

            if (!isMeta && !known.Contains(field))
            {
                throw Invalid($"'{field}' is not an optional field of an inventory report.");
            }

            if (!seen.Add(isMeta ? field.ToLowerInvariant() : field))
            {
                throw Invalid($"The optional field '{field}' is listed twice.");
            }
        }

        // Two metadata fields whose ORC / Parquet column names coincide (x-cos-meta-a.b and x-cos-meta-a_b) would make a
        // file with two columns of one name.
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in configuration.OptionalFields.Where(f => f.StartsWith(MetaFieldPrefix, StringComparison.OrdinalIgnoreCase)))
        {
            var name = field[MetaFieldPrefix.Length..];
            if (name != AllMetadataName && !columns.TryAdd(MetaColumnName(name), field))
            {
                throw Invalid($"'{columns[MetaColumnName(name)]}' and '{field}' would both be the column {MetaColumnName(name)} of ORC and Parquet reports.");
            }
        }
    }

    private static void ValidateDestination(InventoryConfiguration configuration)
    {
        var destination = configuration.Destination;
        if (destination.Prefix is { Length: > MaxPrefixLength })
        {
            throw Invalid($"The destination prefix may have at most {MaxPrefixLength} characters.");
        }

        if (destination.Prefix is { } prefix && ObjectKey.HasDotSegment(prefix))
        {
            // Report keys start with the prefix, and no new key may have such a segment: every run would fail.
            throw Invalid("The destination prefix may not have '.' or '..' as a path segment.");
        }

        var allowed = configuration.Dialect == InventoryDialect.S3
            ? destination.Encryption is InventoryEncryption.None or InventoryEncryption.SseS3 or InventoryEncryption.SseKms
            : destination.Encryption is InventoryEncryption.None or InventoryEncryption.SseCos;
        if (!allowed)
        {
            throw Invalid("That encryption is not available in this dialect.");
        }

        if (destination.Encryption == InventoryEncryption.SseKms && string.IsNullOrEmpty(destination.KmsKeyId))
        {
            throw Invalid("SSE-KMS needs a KeyId.");
        }

        if (destination.AccountId is { Length: > 0 } account && !account.All(char.IsAsciiDigit))
        {
            throw Invalid("AccountId must be a numeric account id.");
        }
    }

    private static CofferException Invalid(string message) => new(ErrorCode.InvalidArgument, message);
}
