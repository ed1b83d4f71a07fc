using System.Globalization;
using System.Xml;
using Coffer.Common.Lifecycle;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

public static partial class XmlDocumentWriter
{
    /// <summary>GET Bucket lifecycle: every rule as it was put, its filter in the form it was written in.</summary>
    public static byte[] Write(LifecycleConfiguration configuration, Dialect dialect) => Build("LifecycleConfiguration", dialect, w =>
    {
        foreach (var rule in configuration.Rules)
        {
            w.WriteStartElement("Rule");
            if (rule.Id is not null)
            {
                Element(w, "ID", rule.Id);
            }

            LifecycleFilter(w, rule.Filter);
            Element(w, "Status", rule.Enabled ? "Enabled" : "Disabled");
            if (rule.Expiration is { } expiration)
            {
                w.WriteStartElement("Expiration");
                DaysOrDate(w, expiration.Days, expiration.Date, dialect);
                if (expiration is { Days: null, Date: null })
                {
                    Element(w, "ExpiredObjectDeleteMarker", Bool(expiration.ExpiredObjectDeleteMarker));
                }

                w.WriteEndElement();
            }

            foreach (var transition in rule.Transitions)
            {
                w.WriteStartElement("Transition");
                DaysOrDate(w, transition.Days, transition.Date, dialect);
                Element(w, "StorageClass", transition.StorageClass);
                w.WriteEndElement();
            }

            foreach (var transition in rule.NoncurrentVersionTransitions)
            {
                w.WriteStartElement("NoncurrentVersionTransition");
                Element(w, "NoncurrentDays", transition.NoncurrentDays.ToString(CultureInfo.InvariantCulture));
                if (transition.NewerNoncurrentVersions is { } newerTransitions)
                {
                    Element(w, "NewerNoncurrentVersions", newerTransitions.ToString(CultureInfo.InvariantCulture));
                }

                Element(w, "StorageClass", transition.StorageClass);
                w.WriteEndElement();
            }

            if (rule.NoncurrentVersionExpiration is { } noncurrent)
            {
                Noncurrent(w, "NoncurrentVersionExpiration", noncurrent);
            }

            if (rule.AbortIncompleteMultipartUploadDays is { } days)
            {
                w.WriteStartElement("AbortIncompleteMultipartUpload");
                Element(w, "DaysAfterInitiation", days.ToString(CultureInfo.InvariantCulture));
                w.WriteEndElement();
            }

            w.WriteEndElement();
        }
    });

    private static void LifecycleFilter(XmlWriter w, LifecycleFilter filter)
    {
        if (filter.Form == LifecycleFilterForm.RulePrefix)
        {
            Element(w, "Prefix", filter.Prefix);
            return;
        }

        w.WriteStartElement("Filter");
        if (filter.Form == LifecycleFilterForm.And)
        {
            w.WriteStartElement("And");
        }

        var conditions = filter.Tags.Count + (filter.ObjectSizeGreaterThan is null ? 0 : 1) + (filter.ObjectSizeLessThan is null ? 0 : 1);
        if (filter.Prefix.Length > 0 || conditions == 0)
        {
            Element(w, "Prefix", filter.Prefix);
        }

        foreach (var (key, value) in filter.Tags)
        {
            w.WriteStartElement("Tag");
            Element(w, "Key", key);
            Element(w, "Value", value);
            w.WriteEndElement();
        }

        if (filter.ObjectSizeGreaterThan is { } greater)
        {
            Element(w, "ObjectSizeGreaterThan", greater.ToString(CultureInfo.InvariantCulture));
        }

        if (filter.ObjectSizeLessThan is { } less)
        {
            Element(w, "ObjectSizeLessThan", less.ToString(CultureInfo.InvariantCulture));
        }

        if (filter.Form == LifecycleFilterForm.And)
        {
            w.WriteEndElement();
        }

        w.WriteEndElement();
    }

    private static void Noncurrent(XmlWriter w, string name, NoncurrentVersionAction action)
    {
        w.WriteStartElement(name);
        Element(w, "NoncurrentDays", action.NoncurrentDays.ToString(CultureInfo.InvariantCulture));
        if (action.NewerNoncurrentVersions is { } newer)
        {
            Element(w, "NewerNoncurrentVersions", newer.ToString(CultureInfo.InvariantCulture));
        }

        w.WriteEndElement();
    }

    /// <summary>S3 writes dates in UTC with milliseconds; COS as ISO 8601 in the time zone they were given in.</summary>
    private static void DaysOrDate(XmlWriter w, int? days, DateTimeOffset? date, Dialect dialect)
    {
        if (days is { } d)
        {
            Element(w, "Days", d.ToString(CultureInfo.InvariantCulture));
        }

        if (date is { } when)
        {
            Element(w, "Date", dialect == Dialect.S3
                ? HttpDates.Iso8601(when)
                : when.ToString(when.Offset == TimeSpan.Zero ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
        }
    }
}
