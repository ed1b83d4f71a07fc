using System.Globalization;
using System.Xml.Linq;
using Coffer.Common;
using Coffer.Common.ObjectLock;

namespace Coffer.Protocol.Xml;

/// <summary>A version's retention as a document carries it: a mode and a date, or neither (a retention removed).</summary>
public sealed record RetentionDocument(string? Mode, DateTimeOffset? RetainUntil);

/// <summary>
/// The object lock documents: <c>ObjectLockConfiguration</c> (<c>ObjectLockEnabled</c> Enabled, an optional
/// <c>Rule/DefaultRetention</c> with Mode and Days or Years), <c>Retention</c> (Mode, RetainUntilDate) and
/// <c>LegalHold</c> (Status ON or OFF). Wrong shapes are MalformedXML, as S3 answers.
/// </summary>
public static class ObjectLockXml
{
    public static ObjectLockConfiguration ReadConfiguration(XElement root)
    {
        Expect(root, "ObjectLockConfiguration");
        if (root.Element(root.Name.Namespace + "ObjectLockEnabled")?.Value.Trim() != "Enabled")
        {
            throw new CofferException(ErrorCode.MalformedXml, "ObjectLockEnabled must be Enabled.");
        }

        if (Child(root, "Rule") is not { } rule)
        {
            return new ObjectLockConfiguration(null);
        }

        var retention = Child(rule, "DefaultRetention")
            ?? throw new CofferException(ErrorCode.MalformedXml, "A Rule takes a DefaultRetention.");
        var defaults = new DefaultRetention(
            Child(retention, "Mode")?.Value.Trim() ?? "",
            Integer(Child(retention, "Days")),
            Integer(Child(retention, "Years")));
        defaults.Validate();
        return new ObjectLockConfiguration(defaults);
    }

    /// <summary><c>&lt;Retention&gt;</c>; an empty one (no Mode, no date) removes a version's retention.</summary>
    public static RetentionDocument ReadRetention(XElement root)
    {
        Expect(root, "Retention");
        var mode = Child(root, "Mode")?.Value.Trim();
        var date = Child(root, "RetainUntilDate")?.Value.Trim();
        if (mode is not null && !RetentionModes.IsMode(mode))
        {
            throw new CofferException(ErrorCode.MalformedXml, "Mode must be GOVERNANCE or COMPLIANCE.");
        }

        if ((mode is null) != (date is null))
        {
            throw new CofferException(ErrorCode.MalformedXml, "A Retention takes both a Mode and a RetainUntilDate, or neither.");
        }

        return new RetentionDocument(mode, date is null ? null : ParseDate(date, ErrorCode.MalformedXml));
    }

    /// <summary><c>&lt;LegalHold&gt;&lt;Status&gt;ON|OFF&lt;/Status&gt;</c>: true for ON.</summary>
    public static bool ReadLegalHold(XElement root)
    {
        Expect(root, "LegalHold");
        return Child(root, "Status")?.Value.Trim() switch
        {
            "ON" => true,
            "OFF" => false,
            _ => throw new CofferException(ErrorCode.MalformedXml, "Status must be ON or OFF."),
        };
    }

    /// <summary>An ISO 8601 date as S3 sends it (<c>2030-01-01T00:00:00Z</c>, with or without milliseconds); <paramref name="error"/> otherwise.</summary>
    public static DateTimeOffset ParseDate(string value, ErrorCode error) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : throw new CofferException(error, $"The retain until date '{value}' is not an ISO 8601 date.");

    private static int? Integer(XElement? element)
    {
        if (element is null)
        {
            return null;
        }

        return int.TryParse(element.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new CofferException(ErrorCode.MalformedXml, $"{element.Name.LocalName} must be an integer.");
    }

    private static XElement? Child(XElement parent, string name) => parent.Element(parent.Name.Namespace + name);

    private static void Expect(XElement root, string name)
    {
        if (root.Name.LocalName != name)
        {
            throw new CofferException(ErrorCode.MalformedXml, $"Expected {name}, found {root.Name.LocalName}.");
        }
    }
}
