using Coffer.Common.AccessLogs;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

public static partial class XmlDocumentWriter
{
    /// <summary>GET Bucket logging: empty when logging is off; the key format only in S3's form, where it exists, and only when partitioned (simple is the default).</summary>
    public static byte[] Write(BucketLoggingConfiguration? configuration, Dialect dialect) => Build("BucketLoggingStatus", dialect, w =>
    {
        if (configuration is null)
        {
            return;
        }

        w.WriteStartElement("LoggingEnabled");
        Element(w, "TargetBucket", configuration.TargetBucket);
        Element(w, "TargetPrefix", configuration.TargetPrefix);
        if (dialect == Dialect.S3 && configuration.KeyFormat == LogKeyFormat.Partitioned)
        {
            w.WriteStartElement("TargetObjectKeyFormat");
            w.WriteStartElement("PartitionedPrefix");
            Element(w, "PartitionDateSource", configuration.PartitionDate.ToString());
            w.WriteEndElement();
            w.WriteEndElement();
        }

        w.WriteEndElement();
    });
}
