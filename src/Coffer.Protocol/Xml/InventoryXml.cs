using System.Xml;
using System.Xml.Linq;
using Coffer.Common;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

/// <summary>
/// Reads an <c>InventoryConfiguration</c> tolerantly (any element order, with or without declaration and namespace,
/// either filter shape, <c>SSE-COS</c> or <c>SSECOS</c>) and writes it canonically in the requested dialect.
/// </summary>
public static class InventoryXml
{
    public static InventoryDocument Read(XElement root)
    {
        if (root.Name.LocalName != "InventoryConfiguration")
        {
            throw new CofferException(ErrorCode.MalformedXml, $"Expected InventoryConfiguration, found {root.Name.LocalName}.");
        }

        AtMostOnce(root, "Id", "IsEnabled", "IncludedObjectVersions", "Filter", "OptionalFields", "Schedule", "Destination");
        return new InventoryDocument
        {
            Id = Text(root, "Id"),
            IsEnabled = Text(root, "IsEnabled"),
            IncludedObjectVersions = Text(root, "IncludedObjectVersions"),
            Filter = root.Element("Filter") is { } filter ? ReadFilter(filter) : null,
            OptionalFields = root.Element("OptionalFields") is { } fields ? fields.Elements("Field").Select(f => f.Value.Trim()).ToArray() : null,
            Schedule = root.Element("Schedule") is { } schedule ? ReadSchedule(schedule) : null,
            Destination = root.Element("Destination") is { } destination ? ReadDestination(destination) : null,
            Report = root.Elements().FirstOrDefault(e => e.Name.LocalName == ReportElement) is { } report
                ? new InventoryReportDocument(Text(report, "Type"), Text(report, "FromJobId"), Text(report, "ToJobId"))
                : null,
        };
    }

    /// <summary>Coffer's own element, in either dialect (and whatever its namespace): SDKs that do not know it ignore it.</summary>
    public const string ReportElement = "CofferReport";

    /// <summary>
    /// Each of <paramref name="names"/> at most once under <paramref name="parent"/>: a second Id, Destination or Prefix
    /// would otherwise be dropped unseen, and the configuration stored be another than the one sent. MalformedXML, as the
    /// schema that allows one makes it.
    /// </summary>
    private static void AtMostOnce(XElement parent, params string[] names)
    {
        if (names.FirstOrDefault(name => parent.Elements(name).Skip(1).Any()) is { } repeated)
        {
            throw new CofferException(ErrorCode.MalformedXml, $"{parent.Name.LocalName} may hold one {repeated}, not several.");
        }
    }

    private static InventoryScheduleDocument ReadSchedule(XElement schedule)
    {
        AtMostOnce(schedule, "Frequency", "MonthlyDate");
        return new InventoryScheduleDocument(Text(schedule, "Frequency"), Text(schedule, "MonthlyDate"));
    }

    private static InventoryFilterDocument ReadFilter(XElement filter)
    {
        AtMostOnce(filter, "And", "Prefix", "StorageClass", "Period");
        var and = filter.Element("And");
        if (and is not null)
        {
            AtMostOnce(and, "Prefix", "StorageClass", "Period");
            if (filter.Element("Prefix") is not null)
            {
                throw new CofferException(ErrorCode.MalformedXml, "Filter may hold a Prefix or an And, not both.");
            }

            if (filter.Element("Period") is not null && and.Element("Period") is not null)
            {
                throw new CofferException(ErrorCode.MalformedXml, "Filter may hold one Period, in it or in its And, not both.");
            }
        }

        var body = and ?? filter;
        var period = filter.Element("Period") ?? and?.Element("Period");
        return new InventoryFilterDocument(
            and is not null,
            body.Element("Prefix")?.Value,
            body.Elements("Tag").Select(t => new KeyValuePair<string, string>(t.Element("Key")?.Value ?? "", t.Element("Value")?.Value ?? "")).ToArray(),
            Text(body, "StorageClass"),
            period is null ? null : new InventoryPeriodDocument(Text(period, "StartTime"), Text(period, "EndTime")));
    }

    private static InventoryDestinationDocument? ReadDestination(XElement destination)
    {
        if (destination.Elements().Count(e => e.Name.LocalName is "COSBucketDestination" or "S3BucketDestination") > 1)
        {
            throw new CofferException(ErrorCode.MalformedXml, "Destination may hold one bucket destination, not several.");
        }

        var cos = destination.Element("COSBucketDestination");
        var s3 = destination.Element("S3BucketDestination");
        var bucket = cos ?? s3;
        if (bucket is null)
        {
            return null;
        }

        AtMostOnce(bucket, "Bucket", "AccountId", "Prefix", "Format", "Encryption");
        string? encryption = null;
        string? kmsKeyId = null;
        if (bucket.Element("Encryption") is { } container)
        {
            if (container.Elements().Skip(1).Any())
            {
                throw new CofferException(ErrorCode.MalformedXml, "Encryption may name one kind of encryption, not several.");
            }

            var kind = container.Elements().FirstOrDefault();
            encryption = kind?.Name.LocalName;
            kmsKeyId = kind?.Element("KeyId")?.Value;
        }

        return new InventoryDestinationDocument(
            cos is null,
            Text(bucket, "Bucket"),
            Text(bucket, "AccountId"),
            bucket.Element("Prefix")?.Value,
            Text(bucket, "Format"),
            encryption,
            kmsKeyId);
    }

    private static string? Text(XElement parent, string name) => parent.Element(name)?.Value.Trim();

    internal static void WriteCos(XmlWriter w, InventoryDocument document)
    {
        w.WriteStartElement("InventoryConfiguration");
        Element(w, "Id", document.Id ?? "");
        if (document.IsEnabled is not null)
        {
            Element(w, "IsEnabled", document.IsEnabled);
        }

        if (document.Destination is { } destination)
        {
            w.WriteStartElement("Destination");
            w.WriteStartElement("COSBucketDestination");
            Element(w, "Format", destination.Format ?? "");
            if (destination.AccountId is not null)
            {
                Element(w, "AccountId", destination.AccountId);
            }

            Element(w, "Bucket", destination.Bucket ?? "");
            if (destination.Prefix is not null)
            {
                Element(w, "Prefix", destination.Prefix);
            }

            if (destination.Encryption is not null)
            {
                w.WriteStartElement("Encryption");
                Element(w, "SSE-COS", "");
                w.WriteFullEndElement();
            }

            w.WriteFullEndElement();
            w.WriteFullEndElement();
        }

        if (document.Schedule is { } schedule)
        {
            w.WriteStartElement("Schedule");
            Element(w, "Frequency", schedule.Frequency ?? "");
            if (schedule.MonthlyDate is not null)
            {
                Element(w, "MonthlyDate", schedule.MonthlyDate);
            }

            w.WriteFullEndElement();
        }

        if (document.Filter is { } filter)
        {
            WriteCosFilter(w, filter);
        }

        Element(w, "IncludedObjectVersions", document.IncludedObjectVersions ?? "");
        WriteFields(w, document.OptionalFields ?? []);
        WriteReport(w, document.Report);
        w.WriteFullEndElement();
    }

    /// <summary>Written only for a configuration that has it, so one without Coffer's extension reads exactly as before.</summary>
    private static void WriteReport(XmlWriter w, InventoryReportDocument? report)
    {
        if (report is null)
        {
            return;
        }

        w.WriteStartElement(ReportElement);
        Element(w, "Type", report.Type ?? "");
        if (report.FromJobId is not null)
        {
            Element(w, "FromJobId", report.FromJobId);
        }

        if (report.ToJobId is not null)
        {
            Element(w, "ToJobId", report.ToJobId);
        }

        w.WriteFullEndElement();
    }

    internal static void WriteS3(XmlWriter w, InventoryDocument document)
    {
        w.WriteStartElement("InventoryConfiguration", XmlDocumentWriter.S3Namespace);
        if (document.Destination is { } destination)
        {
            w.WriteStartElement("Destination");
            w.WriteStartElement("S3BucketDestination");
            if (destination.AccountId is not null)
            {
                Element(w, "AccountId", destination.AccountId);
            }

            Element(w, "Bucket", destination.Bucket ?? "");
            Element(w, "Format", destination.Format ?? "");
            if (destination.Prefix is not null)
            {
                Element(w, "Prefix", destination.Prefix);
            }

            if (destination.Encryption is { } encryption)
            {
                w.WriteStartElement("Encryption");
                w.WriteStartElement(encryption);
                if (destination.KmsKeyId is not null)
                {
                    Element(w, "KeyId", destination.KmsKeyId);
                }

                w.WriteFullEndElement();
                w.WriteFullEndElement();
            }

            w.WriteFullEndElement();
            w.WriteFullEndElement();
        }

        // S3's IsEnabled is a boolean: boto3 reads only "true" as true, so a COS client's stored "True" is written as S3 writes it.
        Element(w, "IsEnabled", (document.IsEnabled ?? "true").ToLowerInvariant());
        if (document.Filter is { } filter)
        {
            w.WriteStartElement("Filter");
            if (filter.Prefix is not null)
            {
                Element(w, "Prefix", filter.Prefix);
            }

            w.WriteFullEndElement();
        }

        Element(w, "Id", document.Id ?? "");
        Element(w, "IncludedObjectVersions", document.IncludedObjectVersions ?? "");
        WriteFields(w, document.OptionalFields ?? []);
        if (document.Schedule is { } schedule)
        {
            w.WriteStartElement("Schedule");
            Element(w, "Frequency", schedule.Frequency ?? "");
            w.WriteFullEndElement();
        }

        WriteReport(w, document.Report);
        w.WriteFullEndElement();
    }

    private static void WriteCosFilter(XmlWriter w, InventoryFilterDocument filter)
    {
        w.WriteStartElement("Filter");
        if (filter.UsesAnd)
        {
            w.WriteStartElement("And");
            if (filter.Prefix is not null)
            {
                Element(w, "Prefix", filter.Prefix);
            }

            foreach (var (key, value) in filter.Tags)
            {
                w.WriteStartElement("Tag");
                Element(w, "Key", key);
                Element(w, "Value", value);
                w.WriteFullEndElement();
            }

            if (filter.StorageClass is not null)
            {
                Element(w, "StorageClass", filter.StorageClass);
            }

            w.WriteFullEndElement();
        }
        else if (filter.Prefix is not null)
        {
            Element(w, "Prefix", filter.Prefix);
        }

        if (filter.Period is { } period)
        {
            w.WriteStartElement("Period");
            if (period.StartTime is not null)
            {
                Element(w, "StartTime", period.StartTime);
            }

            if (period.EndTime is not null)
            {
                Element(w, "EndTime", period.EndTime);
            }

            w.WriteFullEndElement();
        }

        w.WriteFullEndElement();
    }

    private static void WriteFields(XmlWriter w, IReadOnlyList<string> fields)
    {
        // Always present, even empty: the Python SDK indexes OptionalFields without checking for it.
        w.WriteStartElement("OptionalFields");
        foreach (var field in fields)
        {
            Element(w, "Field", field);
        }

        w.WriteFullEndElement();
    }

    private static void Element(XmlWriter writer, string name, string value)
    {
        writer.WriteStartElement(name);
        writer.WriteString(value);
        writer.WriteFullEndElement();
    }

    internal static void Write(XmlWriter w, InventoryDocument document, Dialect dialect)
    {
        if (dialect == Dialect.S3)
        {
            WriteS3(w, document);
        }
        else
        {
            WriteCos(w, document);
        }
    }
}
