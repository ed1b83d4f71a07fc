using System.Xml.Linq;
using Coffer.Common;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

/// <summary>One rule of a <c>NotificationConfiguration</c>: its element (<c>Queue</c>, <c>Topic</c> or <c>CloudFunction</c>), id, target ARN, events and key filter.</summary>
public sealed record NotificationRuleDocument(string Kind, string? Id, string? Target, IReadOnlyList<string> Events, IReadOnlyList<KeyValuePair<string, string>> FilterRules);

public sealed record NotificationDocument(IReadOnlyList<NotificationRuleDocument> Rules);

/// <summary>Reads and writes S3's <c>NotificationConfiguration</c>.</summary>
public static class NotificationXml
{
    /// <summary>The rule elements S3 has, each with the element that names its target.</summary>
    private static readonly Dictionary<string, string> Kinds = new(StringComparer.Ordinal)
    {
        ["QueueConfiguration"] = "Queue",
        ["TopicConfiguration"] = "Topic",
        ["CloudFunctionConfiguration"] = "CloudFunction",
    };

    public static NotificationDocument Read(XElement root)
    {
        if (root.Name.LocalName != "NotificationConfiguration")
        {
            throw new CofferException(ErrorCode.MalformedXml, $"Expected NotificationConfiguration, found {root.Name.LocalName}.");
        }

        var rules = new List<NotificationRuleDocument>();
        foreach (var element in root.Elements())
        {
            if (element.Name.LocalName == "EventBridgeConfiguration")
            {
                throw new CofferException(ErrorCode.NotImplemented, "EventBridge has no counterpart here; use a queue configuration with a webhook target.");
            }

            if (!Kinds.TryGetValue(element.Name.LocalName, out var kind))
            {
                throw new CofferException(ErrorCode.MalformedXml, $"NotificationConfiguration cannot hold {element.Name.LocalName}.");
            }

            var filter = element.Element("Filter")?.Element("S3Key")?.Elements("FilterRule")
                .Select(r => new KeyValuePair<string, string>(r.Element("Name")?.Value.Trim() ?? "", r.Element("Value")?.Value ?? ""))
                .ToArray() ?? [];
            rules.Add(new NotificationRuleDocument(kind, element.Element("Id")?.Value.Trim(), element.Element(kind)?.Value.Trim(),
                element.Elements("Event").Select(e => e.Value.Trim()).ToArray(), filter));
        }

        return new NotificationDocument(rules);
    }
}

public static partial class XmlDocumentWriter
{
    public static byte[] Write(NotificationDocument document) => Build("NotificationConfiguration", Dialect.S3, w =>
    {
        foreach (var rule in document.Rules)
        {
            w.WriteStartElement(rule.Kind + "Configuration");
            Element(w, "Id", rule.Id ?? "");
            Element(w, rule.Kind, rule.Target ?? "");
            foreach (var name in rule.Events)
            {
                Element(w, "Event", name);
            }

            if (rule.FilterRules.Count > 0)
            {
                w.WriteStartElement("Filter");
                w.WriteStartElement("S3Key");
                foreach (var (name, value) in rule.FilterRules)
                {
                    w.WriteStartElement("FilterRule");
                    Element(w, "Name", name);
                    Element(w, "Value", value);
                    w.WriteFullEndElement();
                }

                w.WriteFullEndElement();
                w.WriteFullEndElement();
            }

            w.WriteFullEndElement();
        }
    });
}
