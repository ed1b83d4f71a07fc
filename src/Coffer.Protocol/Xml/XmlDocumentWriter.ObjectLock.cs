using System.Globalization;
using Coffer.Common.ObjectLock;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

public static partial class XmlDocumentWriter
{
    /// <summary>GET Bucket object lock: enabled, with the default retention when the bucket has one.</summary>
    public static byte[] Write(ObjectLockConfiguration configuration, Dialect dialect) => Build("ObjectLockConfiguration", dialect, w =>
    {
        Element(w, "ObjectLockEnabled", "Enabled");
        if (configuration.Rule is not { } rule)
        {
            return;
        }

        w.WriteStartElement("Rule");
        w.WriteStartElement("DefaultRetention");
        Element(w, "Mode", rule.Mode);
        if (rule.Days is { } days)
        {
            Element(w, "Days", days.ToString(CultureInfo.InvariantCulture));
        }

        if (rule.Years is { } years)
        {
            Element(w, "Years", years.ToString(CultureInfo.InvariantCulture));
        }

        w.WriteEndElement();
        w.WriteEndElement();
    });

    /// <summary>GET Object retention.</summary>
    public static byte[] Write(RetentionDocument retention, Dialect dialect) => Build("Retention", dialect, w =>
    {
        if (retention.Mode is { } mode && retention.RetainUntil is { } until)
        {
            Element(w, "Mode", mode);
            Element(w, "RetainUntilDate", HttpDates.Iso8601(until));
        }
    });

    /// <summary>GET Object legal hold.</summary>
    public static byte[] WriteLegalHold(bool on, Dialect dialect) => Build("LegalHold", dialect, w => Element(w, "Status", on ? "ON" : "OFF"));
}
