using System.Xml.Linq;
using Coffer.Common;
using Coffer.Common.AccessLogs;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

/// <summary>
/// PUT Bucket logging's <c>BucketLoggingStatus</c>: empty turns logging off; with <c>LoggingEnabled</c> it names the
/// target bucket and prefix (both required, as COS and S3 document them) and, in S3's form, the key format. Grants on
/// the log objects (<c>TargetGrants</c>) are not implemented: the target bucket's own access rules govern them.
/// </summary>
public static class LoggingXml
{
    /// <summary>
    /// The configuration, or null for the empty status that turns logging off. COS documents no key format: in its dialect
    /// a <c>TargetObjectKeyFormat</c> is refused, since its GET could not show it.
    /// </summary>
    public static BucketLoggingConfiguration? Read(XElement root, Dialect dialect)
    {
        if (root.Name.LocalName != "BucketLoggingStatus")
        {
            throw new CofferException(ErrorCode.MalformedXml, $"Expected BucketLoggingStatus, found {root.Name.LocalName}.");
        }

        var enabled = Single(root, "LoggingEnabled");
        if (enabled is null)
        {
            return root.HasElements
                ? throw new CofferException(ErrorCode.MalformedXml, "BucketLoggingStatus holds nothing but LoggingEnabled.")
                : null;
        }

        var bucket = Single(enabled, "TargetBucket")?.Value.Trim();
        var prefix = Single(enabled, "TargetPrefix")?.Value;
        if (string.IsNullOrEmpty(bucket) || prefix is null)
        {
            throw new CofferException(ErrorCode.MalformedXml, "LoggingEnabled needs a TargetBucket and a TargetPrefix.");
        }

        if (Single(enabled, "TargetGrants") is { HasElements: true })
        {
            throw new CofferException(ErrorCode.NotImplemented,
                "TargetGrants are not implemented: log objects are governed by the target bucket's policy and ACL; grant access there.");
        }

        var keyFormat = Single(enabled, "TargetObjectKeyFormat");
        if (keyFormat is not null && dialect == Dialect.Cos)
        {
            throw new CofferException(ErrorCode.MalformedXml, "COS's LoggingEnabled holds TargetBucket and TargetPrefix only; TargetObjectKeyFormat is S3's.");
        }

        var (format, date) = ReadKeyFormat(keyFormat);
        foreach (var other in enabled.Elements().Where(e => e.Name.LocalName is not ("TargetBucket" or "TargetPrefix" or "TargetGrants" or "TargetObjectKeyFormat")))
        {
            throw new CofferException(ErrorCode.MalformedXml, $"LoggingEnabled cannot hold {other.Name.LocalName}.");
        }

        return new BucketLoggingConfiguration(bucket, prefix, format, date);
    }

    private static (LogKeyFormat, LogPartitionDate) ReadKeyFormat(XElement? element)
    {
        if (element is null)
        {
            return (LogKeyFormat.Simple, LogPartitionDate.EventTime);
        }

        var formats = element.Elements().ToArray();
        if (formats.Length != 1)
        {
            throw new CofferException(ErrorCode.MalformedXml, "TargetObjectKeyFormat holds either SimplePrefix or PartitionedPrefix.");
        }

        return formats[0].Name.LocalName switch
        {
            "SimplePrefix" => (LogKeyFormat.Simple, LogPartitionDate.EventTime),
            "PartitionedPrefix" => (LogKeyFormat.Partitioned, Single(formats[0], "PartitionDateSource")?.Value.Trim() switch
            {
                null or "EventTime" => LogPartitionDate.EventTime,
                "DeliveryTime" => LogPartitionDate.DeliveryTime,
                var other => throw new CofferException(ErrorCode.MalformedXml, $"PartitionDateSource is EventTime or DeliveryTime, not '{other}'."),
            }),
            var other => throw new CofferException(ErrorCode.MalformedXml, $"TargetObjectKeyFormat cannot hold {other}."),
        };
    }

    private static XElement? Single(XElement parent, string name)
    {
        var found = parent.Elements().Where(e => e.Name.LocalName == name).ToArray();
        return found.Length <= 1 ? found.FirstOrDefault() : throw new CofferException(ErrorCode.MalformedXml, $"{parent.Name.LocalName} holds one {name}.");
    }
}
