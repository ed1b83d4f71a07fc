using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Coffer.Cli;

/// <summary>An XML answer as JSON: text elements become strings, others objects, repeated names arrays.</summary>
public static class XmlJson
{
    public static JsonNode ToNode(XElement element)
    {
        if (!element.HasElements)
        {
            return JsonValue.Create(element.Value)!;
        }

        var result = new JsonObject();
        foreach (var group in element.Elements().GroupBy(e => e.Name.LocalName))
        {
            result[group.Key] = group.Count() == 1 ? ToNode(group.First()) : new JsonArray([.. group.Select(ToNode)]);
        }

        return result;
    }
}

/// <summary>An inventory run as the run status API describes it.</summary>
public sealed record RunView(
    string JobId,
    string Id,
    string Trigger,
    string State,
    string Format,
    string DestinationBucket,
    string? StartTime,
    string? EndTime,
    long ObjectsScanned,
    long BytesScanned,
    long ObjectsMatched,
    long BytesMatched,
    long FilesWritten,
    string? ManifestKey,
    string? ErrorCode,
    string? ErrorMessage)
{
    public bool HasEnded => State is "Succeeded" or "Failed";

    public static RunView Parse(XElement run) => new(
        Text(run, "JobId")!,
        Text(run, "Id")!,
        Text(run, "Trigger") ?? "",
        Text(run, "State")!,
        Text(run, "Format") ?? "",
        Text(run, "DestinationBucket") ?? "",
        Text(run, "StartTime"),
        Text(run, "EndTime"),
        Number(run, "ObjectsScanned"),
        Number(run, "BytesScanned"),
        Number(run, "ObjectsMatched"),
        Number(run, "BytesMatched"),
        Number(run, "FilesWritten"),
        Text(run, "ManifestKey"),
        run.Element("Error")?.Element("Code")?.Value,
        run.Element("Error")?.Element("Message")?.Value);

    private static string? Text(XElement run, string name) => run.Element(name)?.Value;

    private static long Number(XElement run, string name) => long.TryParse(run.Element(name)?.Value, out var value) ? value : 0;
}
