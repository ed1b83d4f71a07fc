using System.Globalization;
using System.Xml.Linq;
using Coffer.Common;
using Coffer.Common.Lifecycle;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

/// <summary>
/// PUT Bucket lifecycle's <c>LifecycleConfiguration</c>, read as the COS and S3 references describe it: rules with an
/// ID, a Status, a filter (the rule's own Prefix, or a Filter holding one of Prefix, Tag, ObjectSizeGreaterThan,
/// ObjectSizeLessThan, or several inside And) and at least one action. Shapes are MalformedXML; values S3 refuses are
/// InvalidArgument with S3's message. Transitions name a storage class the dialect knows as a lifecycle target; S3
/// wants at least 30 days before STANDARD_IA and ONEZONE_IA, COS sets no such minimum.
/// </summary>
public static class LifecycleXml
{
    /// <summary>COS's time zone (Beijing time, UTC+8).</summary>
    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    public static LifecycleConfiguration Read(XElement root, Dialect dialect)
    {
        if (root.Name.LocalName != "LifecycleConfiguration")
        {
            throw Malformed($"Expected LifecycleConfiguration, found {root.Name.LocalName}.");
        }

        var rules = root.Elements("Rule").Select(rule => ReadRule(rule, dialect)).ToArray();
        if (rules.Length is 0 or > LifecycleConfiguration.MaxRules)
        {
            throw Malformed($"A lifecycle configuration has 1 to {LifecycleConfiguration.MaxRules} rules.");
        }

        var duplicate = rules.Where(r => r.Id is not null).GroupBy(r => r.Id).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null
            ? new LifecycleConfiguration(rules)
            : throw Invalid("Rule ID must be unique. Found same ID for more than one rule");
    }

    private static LifecycleRule ReadRule(XElement rule, Dialect dialect)
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
        var filter = ReadFilter(rule);
        var expiration = rule.Element("Expiration") is { } e ? ReadExpiration(e, dialect) : null;
        var noncurrentExpiration = rule.Element("NoncurrentVersionExpiration") is { } n ? ReadNoncurrent(n) : null;
        int? abortDays = rule.Element("AbortIncompleteMultipartUpload") is { } abort
            ? Positive(abort.Element("DaysAfterInitiation"), "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
            : null;
        var transitions = rule.Elements("Transition").Select(t => ReadTransition(t, dialect)).ToArray();
        var noncurrentTransitions = rule.Elements("NoncurrentVersionTransition").Select(t => ReadNoncurrentTransition(t, dialect)).ToArray();
        CheckTransitions(expiration, noncurrentExpiration, transitions, noncurrentTransitions);
        if (expiration is null && noncurrentExpiration is null && abortDays is null && transitions.Length == 0 && noncurrentTransitions.Length == 0)
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
            Transitions = transitions,
            NoncurrentVersionTransitions = noncurrentTransitions,
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

    private static LifecycleExpiration ReadExpiration(XElement element, Dialect dialect)
    {
        var days = element.Element("Days") is { } d ? Positive(d, "'Days' for Expiration action must be a positive integer") : (int?)null;
        var date = element.Element("Date") is { } dateElement ? Date(dateElement, dialect) : (DateTimeOffset?)null;
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
        return new NoncurrentVersionAction(days, Newer(element));
    }

    private static LifecycleTransition ReadTransition(XElement element, Dialect dialect)
    {
        var storageClass = TransitionClass(element, dialect);
        int? days = element.Element("Days") is { } d ? (int)Number(d, "'Days' for Transition action") : null;
        var date = element.Element("Date") is { } dateElement ? Date(dateElement, dialect) : (DateTimeOffset?)null;
        if ((days is null) == (date is null))
        {
            throw Malformed("Transition takes one of Days and Date.");
        }

        return days < MinimumDays(storageClass, dialect)
            ? throw Invalid($"'Days' in Transition action must be greater than or equal to 30 for storageClass '{storageClass}'")
            : new LifecycleTransition(days, date, storageClass);
    }

    private static NoncurrentVersionTransition ReadNoncurrentTransition(XElement element, Dialect dialect)
    {
        var storageClass = TransitionClass(element, dialect);
        var days = element.Element("NoncurrentDays") is { } d
            ? (int)Number(d, "'NoncurrentDays' for NoncurrentVersionTransition action")
            : throw Malformed("NoncurrentVersionTransition needs NoncurrentDays.");
        if (days < MinimumDays(storageClass, dialect))
        {
            throw Invalid($"'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass '{storageClass}'");
        }

        return new NoncurrentVersionTransition(days, Newer(element), storageClass);
    }

    private static string TransitionClass(XElement element, Dialect dialect)
    {
        var value = element.Element("StorageClass")?.Value.Trim() ?? throw Malformed($"{element.Name.LocalName} needs a StorageClass.");
        return StorageClass.IsTransitionTarget(value, dialect == Dialect.S3)
            ? value
            : throw new CofferException(ErrorCode.InvalidStorageClass, $"'{value}' is not a storage class a lifecycle rule can transition to.");
    }

    // S3 refuses moving objects younger than 30 days to its infrequent-access classes; COS documents no minimum.
    private static int MinimumDays(string storageClass, Dialect dialect) =>
        dialect == Dialect.S3 && storageClass is "STANDARD_IA" or "ONEZONE_IA" ? 30 : 0;

    /// <summary>S3's checks across a rule's actions: one transition per class, Days and Date not mixed, expiration after transitions.</summary>
    private static void CheckTransitions(LifecycleExpiration? expiration, NoncurrentVersionAction? noncurrentExpiration,
        LifecycleTransition[] transitions, NoncurrentVersionTransition[] noncurrentTransitions)
    {
        if (transitions.Select(t => t.StorageClass).Distinct().Count() != transitions.Length
            || noncurrentTransitions.Select(t => t.StorageClass).Distinct().Count() != noncurrentTransitions.Length)
        {
            throw Invalid("'StorageClass' must be different for 'Transition' actions in same 'Rule'");
        }

        var byDays = transitions.Count(t => t.Days is not null) + (expiration?.Days is null ? 0 : 1);
        var byDate = transitions.Count(t => t.Date is not null) + (expiration?.Date is null ? 0 : 1);
        if (byDays > 0 && byDate > 0)
        {
            throw Invalid("Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule");
        }

        if (expiration is { } e && transitions.Any(t => (e.Days is { } days && t.Days >= days) || (e.Date is { } date && t.Date >= date)))
        {
            throw Invalid("'Days' in the Expiration action must be greater than 'Days' in the Transition action");
        }

        if (noncurrentExpiration is { } n && noncurrentTransitions.Any(t => t.NoncurrentDays >= n.NoncurrentDays))
        {
            throw Invalid("'NoncurrentDays' in the NoncurrentVersionExpiration action must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action");
        }
    }

    private static int? Newer(XElement element) =>
        element.Element("NewerNoncurrentVersions") is { } n
            ? Number(n, "NewerNoncurrentVersions") is var value and >= 1 and <= 100 ? (int)value : throw Invalid("NewerNoncurrentVersions must be between 1 and 100.")
            : null;

    /// <summary>
    /// A lifecycle date: ISO 8601 at midnight, in S3 midnight UTC. COS takes midnight in the time zone it names and in its
    /// own time zone, UTC+8, written in UTC (<c>2018-07-29T16:00:00.000Z</c>, what a JavaScript Date of a day in China
    /// gives and what its SDK's tests send), kept as sent.
    /// </summary>
    private static DateTimeOffset Date(XElement element, Dialect dialect)
    {
        if (!DateTimeOffset.TryParse(element.Value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            throw Invalid("'Date' must be an ISO 8601 date.");
        }

        // S3 wants midnight UTC whatever offset the date is written in; COS midnight in the date's own offset or in UTC+8.
        var midnight = dialect == Dialect.S3
            ? date.UtcDateTime.TimeOfDay == TimeSpan.Zero
            : date.TimeOfDay == TimeSpan.Zero || date.ToOffset(ChinaStandardTime).TimeOfDay == TimeSpan.Zero;
        return midnight ? date : throw Invalid("'Date' must be at midnight GMT");
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
