using System.Globalization;
using Coffer.Common;
using Coffer.Model.Inventory;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;

namespace Coffer.Server.Handlers;

/// <summary>
/// Maps inventory documents to the model and back. Here the text of the wire becomes typed values: a missing element
/// is InvalidArgument in COS (as its docs list it) and MalformedXML in S3 (which validates against its schema).
/// </summary>
internal static class InventoryMapping
{
    private const string CosBucketPrefix = "qcs::cos:";
    private const string S3BucketPrefix = "arn:aws:s3:::";

    public static InventoryConfiguration ToModel(InventoryDocument document, Dialect dialect, string queryId)
    {
        CofferException Missing(string element) => new(dialect == Dialect.S3 ? ErrorCode.MalformedXml : ErrorCode.InvalidArgument,
            $"The inventory configuration needs {element}.");

        InventoryRules.ValidateId(queryId);
        var id = document.Id ?? throw Missing("Id");
        if (id != queryId)
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"The body's Id '{id}' must equal the id in the request ('{queryId}').");
        }

        var destination = document.Destination ?? throw Missing(dialect == Dialect.S3 ? "Destination/S3BucketDestination" : "Destination/COSBucketDestination");
        if (destination.IsS3 != (dialect == Dialect.S3))
        {
            throw Missing(dialect == Dialect.S3 ? "Destination/S3BucketDestination" : "Destination/COSBucketDestination");
        }

        return new InventoryConfiguration
        {
            Id = id,
            Dialect = dialect == Dialect.S3 ? InventoryDialect.S3 : InventoryDialect.Cos,
            IsEnabledText = document.IsEnabled,
            IncludedObjectVersions = document.IncludedObjectVersions switch
            {
                "All" => IncludedVersions.All,
                "Current" => IncludedVersions.Current,
                null => throw Missing("IncludedObjectVersions"),
                var other => throw Invalid($"IncludedObjectVersions must be All or Current, not '{other}'."),
            },
            Filter = ToModel(document.Filter),
            OptionalFields = document.OptionalFields ?? [],
            Schedule = document.Schedule is { } schedule ? ToModel(schedule, dialect, Missing) : null,
            Destination = ToModel(destination, dialect, Missing),
            Report = document.Report is { } report ? ToModel(report) : null,
        };
    }

    private static ChangeReport ToModel(InventoryReportDocument report) => new(
        report.Type switch
        {
            "Full" => ReportKind.Full,
            "Incremental" => ReportKind.Incremental,
            "Diff" => ReportKind.Diff,
            var other => throw Invalid($"CofferReport Type must be Full, Incremental or Diff, not '{other}'."),
        },
        report.FromJobId is { Length: > 0 } from ? from : null,
        report.ToJobId is { Length: > 0 } to ? to : null);

    /// <summary>The configuration in the requester's dialect; what one dialect cannot say is left out.</summary>
    public static InventoryDocument ToDocument(InventoryConfiguration configuration, Dialect dialect, string region)
    {
        var sameDialect = (configuration.Dialect == InventoryDialect.S3) == (dialect == Dialect.S3);
        var fields = sameDialect
            ? configuration.OptionalFields
            : configuration.OptionalFields.Where((dialect == Dialect.S3 ? InventoryRules.S3Fields : InventoryRules.CosFields).Contains).ToArray();
        return new InventoryDocument
        {
            Id = configuration.Id,
            IsEnabled = configuration.IsEnabledText,
            IncludedObjectVersions = configuration.IncludedObjectVersions == IncludedVersions.All ? "All" : "Current",
            Filter = ToDocument(configuration.Filter),
            OptionalFields = fields,
            Schedule = configuration.Schedule is { } schedule
                ? new InventoryScheduleDocument(schedule.Frequency.ToString(), schedule.MonthlyDate?.ToString(CultureInfo.InvariantCulture))
                : null,
            Destination = ToDocument(configuration.Destination, dialect, sameDialect, region),
            Report = configuration.Report is { } report ? new InventoryReportDocument(report.Kind.ToString(), report.FromJobId, report.ToJobId) : null,
        };
    }

    private static InventoryFilter ToModel(InventoryFilterDocument? filter)
    {
        if (filter is null)
        {
            return new InventoryFilter { Shape = FilterShape.Absent };
        }

        var empty = filter.Prefix is null && filter.Tags.Count == 0 && filter.StorageClass is null;
        return new InventoryFilter
        {
            Shape = filter.UsesAnd ? FilterShape.And : empty ? FilterShape.Empty : FilterShape.Prefix,
            Prefix = filter.Prefix,
            Tags = filter.Tags,
            StorageClass = filter.StorageClass,
            HasPeriod = filter.Period is not null,
            PeriodStart = Seconds(filter.Period?.StartTime, "StartTime"),
            PeriodEnd = Seconds(filter.Period?.EndTime, "EndTime"),
        };
    }

    private static InventoryFilterDocument? ToDocument(InventoryFilter filter)
    {
        if (filter.Shape == FilterShape.Absent)
        {
            return null;
        }

        var period = filter.HasPeriod
            ? new InventoryPeriodDocument(filter.PeriodStart?.ToString(CultureInfo.InvariantCulture), filter.PeriodEnd?.ToString(CultureInfo.InvariantCulture))
            : null;
        return new InventoryFilterDocument(filter.Shape == FilterShape.And, filter.Prefix, filter.Tags, filter.StorageClass, period);
    }

    private static InventorySchedule ToModel(InventoryScheduleDocument schedule, Dialect dialect, Func<string, CofferException> missing)
    {
        var frequency = schedule.Frequency switch
        {
            "Daily" => InventoryFrequency.Daily,
            "Weekly" => InventoryFrequency.Weekly,
            "Monthly" when dialect == Dialect.Cos => InventoryFrequency.Monthly,
            null => throw missing("Schedule/Frequency"),
            var other => throw Invalid($"Frequency must be {(dialect == Dialect.Cos ? "Daily, Weekly or Monthly" : "Daily or Weekly")}, not '{other}'."),
        };
        int? monthlyDate = null;
        if (schedule.MonthlyDate is { } text)
        {
            monthlyDate = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var day)
                ? day
                : throw Invalid("MonthlyDate must be a day of the month.");
        }

        return new InventorySchedule(frequency, monthlyDate);
    }

    private static InventoryDestination ToModel(InventoryDestinationDocument destination, Dialect dialect, Func<string, CofferException> missing)
    {
        var reference = destination.Bucket ?? throw missing("Destination Bucket");
        var (bucket, region) = ParseBucket(reference, dialect);
        return new InventoryDestination
        {
            Bucket = bucket,
            BucketReference = reference,
            Region = region,
            AccountId = destination.AccountId,
            Prefix = destination.Prefix,
            Format = destination.Format switch
            {
                "CSV" => InventoryFormat.Csv,
                "ORC" => InventoryFormat.Orc,
                "Parquet" => InventoryFormat.Parquet,
                null => throw missing("Destination Format"),
                var other => throw Invalid($"Format must be CSV, ORC or Parquet, not '{other}'."),
            },
            Encryption = destination.Encryption switch
            {
                null => InventoryEncryption.None,
                "SSE-COS" or "SSECOS" => InventoryEncryption.SseCos,
                "SSE-S3" => InventoryEncryption.SseS3,
                "SSE-KMS" => InventoryEncryption.SseKms,
                var other => throw Invalid($"'{other}' is not an inventory encryption."),
            },
            KmsKeyId = destination.KmsKeyId,
        };
    }

    private static InventoryDestinationDocument ToDocument(InventoryDestination destination, Dialect dialect, bool sameDialect, string region)
    {
        var s3 = dialect == Dialect.S3;
        var reference = sameDialect
            ? destination.BucketReference
            : s3 ? S3BucketPrefix + destination.Bucket : $"{CosBucketPrefix}{region}::{destination.Bucket}";
        string? encryption = destination.Encryption switch
        {
            InventoryEncryption.None => null,
            InventoryEncryption.SseKms when s3 => "SSE-KMS",
            _ => s3 ? "SSE-S3" : "SSE-COS",
        };
        var format = destination.Format switch
        {
            InventoryFormat.Orc => "ORC",
            InventoryFormat.Parquet => "Parquet",
            _ => "CSV",
        };
        return new InventoryDestinationDocument(s3, reference, destination.AccountId, destination.Prefix, format, encryption,
            encryption == "SSE-KMS" ? destination.KmsKeyId : null);
    }

    /// <summary>
    /// COS names the destination <c>qcs::cos:&lt;region&gt;::&lt;bucket-appid&gt;</c> (a bare bucket name is accepted, as
    /// COS's Go SDK documents it); S3 names it <c>arn:aws:s3:::&lt;bucket&gt;</c>.
    /// </summary>
    private static (string Bucket, string? Region) ParseBucket(string reference, Dialect dialect)
    {
        if (dialect == Dialect.S3)
        {
            return reference.StartsWith(S3BucketPrefix, StringComparison.Ordinal) && reference.Length > S3BucketPrefix.Length
                ? (reference[S3BucketPrefix.Length..], null)
                : throw Invalid($"The destination bucket must be an ARN, arn:aws:s3:::<bucket>; got '{reference}'.");
        }

        if (!reference.StartsWith(CosBucketPrefix, StringComparison.Ordinal))
        {
            return BucketName.TryParse(reference, out _) ? (reference, null) : throw Invalid($"'{reference}' is not a bucket.");
        }

        var parts = reference[CosBucketPrefix.Length..].Split("::");
        return parts.Length == 2 && parts[0].Length > 0 && BucketName.TryParse(parts[1], out _)
            ? (parts[1], parts[0])
            : throw Invalid($"The destination bucket must be qcs::cos:<region>::<bucket-appid>; got '{reference}'.");
    }

    private static long? Seconds(string? text, string element) =>
        text is null
            ? null
            : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
                ? seconds
                : throw Invalid($"Period {element} must be a Unix time in seconds.");

    private static CofferException Invalid(string message) => new(ErrorCode.InvalidArgument, message);
}
