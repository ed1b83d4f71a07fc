using System.Globalization;
using System.Xml.Linq;
using Coffer.Common;
using Coffer.Common.Lifecycle;

namespace Coffer.Protocol.Xml;

/// <summary>
/// PUT Bucket lifecycle's <c>LifecycleConfiguration</c>, read as the COS and S3 references describe it: rules with an
/// ID, a Status, a filter (the rule's own Prefix, or a Filter holding one of Prefix, Tag, ObjectSizeGreaterThan,
/// ObjectSizeLessThan, or several inside And) and at least one action. Shapes are MalformedXML; values S3 refuses are
/// InvalidArgument with S3's message. Transitions to other storage classes are NotImplemented: Coffer keeps every
/// object in one tier, and a rule that says it moves objects must not be accepted and then do nothing.
/// </summary>
public static class LifecycleXml
{
    public static LifecycleConfiguration Read(XElement root)
    {
        if (root.Name.LocalName != "LifecycleConfiguration")
        {
            throw Malformed($"Expected LifecycleConfiguration, found {root.Name.LocalName}.");
        }

        var rules = root.Elements("Rule").Select(ReadRule).ToArray();
        if (rules.Length is 0 or > LifecycleConfiguration.MaxRules)
        {
            throw Malformed($"A lifecycle configuration has 1 to {LifecycleConfiguration.MaxRules} rules.");
        }

        var duplicate = rules.Where(r => r.Id is not null).GroupBy(r => r.Id).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null
            ? new LifecycleConfiguration(rules)
            : throw Invalid("Rule ID must be unique. Found same ID for more than one rule");
    }

    private static LifecycleRule ReadRule(XElement rule)
    {
        var id = rule.Element("ID")?.Value;
        if (id is { Length: > 255 })
        {
            throw Invalid("ID length should not exceed allowed limit of 255");
        }

        var enabled = rule.Element("Status")?.Value switch
        {
            "Enabled" => true,
            "Disabled" => false,
            _ => throw Malformed("A rule's Status is Enabled or Disabled."),
        };
        if (rule.Element("Transition") is not null || rule.Element("NoncurrentVersionTransition") is not null)
        {
            throw new CofferException(ErrorCode.NotImplemented,
                "Lifecycle transitions are not implemented: every object stays in the storage class it was written with.");
        }

        var filter = ReadFilter(rule);
        var expiration = rule.Element("Expiration") is { } e ? ReadExpiration(e) : null;
        var noncurrentExpiration = rule.Element("NoncurrentVersionExpiration") is { } n ? ReadNoncurrent(n) : null;
        int? abortDays = rule.Element("AbortIncompleteMultipartUpload") is { } abort
            ? Positive(abort.Element("DaysAfterInitiation"), "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
            : null;
        if (expiration is null && noncurrentExpiration is null && abortDays is null)
        {
            throw new CofferException(ErrorCode.InvalidRequest, "At least one action needs to be specified in a rule");
        }

        if (filter.Tags.Count > 0 && (abortDays is not null || expiration?.ExpiredObjectDeleteMarker == true))
        {
            throw new CofferException(ErrorCode.InvalidRequest,
                "Tag-based filters cannot be used with AbortIncompleteMultipartUpload or ExpiredObjectDeleteMarker: neither uploads nor delete markers have tags.");
        }

        return new LifecycleRule
        {
            Id = id,
            Enabled = enabled,
            Filter = filter,
            Expiration = expiration,
            NoncurrentVersionExpiration = noncurrentExpiration,
            AbortIncompleteMultipartUploadDays = abortDays,
        };
    }

    private static LifecycleFilter ReadFilter(XElement rule)
    {
        var filter = rule.Element("Filter");
        var rulePrefix = rule.Element("Prefix");
        if (filter is null)
        {
            return rulePrefix is null
                ? throw Malformed("A rule needs a Filter (or a Prefix).")
                : new LifecycleFilter { Prefix = rulePrefix.Value, Form = LifecycleFilterForm.RulePrefix };
        }

        if (rulePrefix is not null)
        {
            throw Malformed("A rule has a Filter or a Prefix, not both.");
        }

        if (filter.Element("And") is { } and)
        {
            if (filter.Elements().Count() > 1)
            {
                throw Malformed("A Filter holding And holds nothing else.");
            }

            return Conditions(and) with { Form = LifecycleFilterForm.And };
        }

        if (filter.Elements().Count() > 1)
        {
            throw Malformed("A Filter holds one condition; put several inside And.");
        }

        return Conditions(filter);
    }

    private static LifecycleFilter Conditions(XElement element)
    {
        var tags = element.Elements("Tag").Select(tag => new KeyValuePair<string, string>(
            tag.Element("Key")?.Value ?? throw Malformed("Every Tag needs a Key."), tag.Element("Value")?.Value ?? "")).ToArray();
        if (tags.Select(t => t.Key).Distinct(StringComparer.Ordinal).Count() != tags.Length)
        {
            throw Invalid("Duplicate Tag Keys are not allowed.");
        }

        var filter = new LifecycleFilter
        {
            Prefix = element.Element("Prefix")?.Value ?? "",
            Tags = tags,
            ObjectSizeGreaterThan = element.Element("ObjectSizeGreaterThan") is { } greater ? Number(greater, "ObjectSizeGreaterThan") : null,
            ObjectSizeLessThan = element.Element("ObjectSizeLessThan") is { } less ? Number(less, "ObjectSizeLessThan") : null,
        };
        return filter is { ObjectSizeGreaterThan: { } g, ObjectSizeLessThan: { } l } && l <= g
            ? throw Invalid("ObjectSizeLessThan must be greater than ObjectSizeGreaterThan.")
            : filter;
    }

    private static LifecycleExpiration ReadExpiration(XElement element)
    {
        var days = element.Element("Days") is { } d ? Positive(d, "'Days' for Expiration action must be a positive integer") : (int?)null;
        var date = element.Element("Date") is { } dateElement ? Date(dateElement) : (DateTimeOffset?)null;
        var marker = element.Element("ExpiredObjectDeleteMarker")?.Value.Trim() switch
        {
            null => false,
            "true" => true,
            "false" => false,
            _ => throw Malformed("ExpiredObjectDeleteMarker is true or false."),
        };
        var given = (days is null ? 0 : 1) + (date is null ? 0 : 1) + (element.Element("ExpiredObjectDeleteMarker") is null ? 0 : 1);
        return given == 1
            ? new LifecycleExpiration(days, date, marker)
            : throw Malformed("Expiration takes one of Days, Date and ExpiredObjectDeleteMarker.");
    }

    private static NoncurrentVersionAction ReadNoncurrent(XElement element)
    {
        var days = Positive(element.Element("NoncurrentDays"), "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
        int? newer = element.Element("NewerNoncurrentVersions") is { } n
            ? Number(n, "NewerNoncurrentVersions") is var value and >= 1 and <= 100 ? (int)value : throw Invalid("NewerNoncurrentVersions must be between 1 and 100.")
            : null;
        return new NoncurrentVersionAction(days, newer);
    }

    /// <summary>A lifecycle date: ISO 8601 at midnight (UTC, or COS's time zone when it names one).</summary>
    private static DateTimeOffset Date(XElement element)
    {
        if (!DateTimeOffset.TryParse(element.Value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            throw Invalid("'Date' must be an ISO 8601 date.");
        }

        return date.TimeOfDay == TimeSpan.Zero ? date : throw Invalid("'Date' must be at midnight GMT");
    }

    private static int Positive(XElement? element, string message) =>
        element is not null && int.TryParse(element.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw Invalid(message);

    private static long Number(XElement element, string name) =>
        long.TryParse(element.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid($"{name} must be a non-negative integer.");

    private static CofferException Malformed(string message) => new(ErrorCode.MalformedXml, message);

    private static CofferException Invalid(string message) => new(ErrorCode.InvalidArgument, message);
}
