using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coffer.Cli;

/// <summary>
/// Prints a result as JSON (indented, for scripts) or as a table: a list of objects as columns, one object as
/// <c>name  value</c> lines (nested members joined with dots).
/// </summary>
public static class Printer
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static void Print(object result, OutputFormat format, TextWriter? output = null)
    {
        output ??= Console.Out;
        var node = result as JsonNode ?? JsonSerializer.SerializeToNode(result, Json);
        if (format == OutputFormat.Json)
        {
            output.WriteLine(node?.ToJsonString(Json) ?? "null");
            return;
        }

        switch (node)
        {
            case JsonArray rows:
                PrintRows(rows, output);
                break;
            case JsonObject item:
                var lines = new List<(string Name, string Value)>();
                Flatten(item, "", lines);
                var width = lines.Count == 0 ? 0 : lines.Max(l => l.Name.Length);
                foreach (var (name, value) in lines)
                {
                    output.WriteLine($"{name.PadRight(width)}  {value}");
                }

                break;
            default:
                output.WriteLine(Text(node));
                break;
        }
    }

    private static void PrintRows(JsonArray rows, TextWriter output)
    {
        if (rows.Count == 0)
        {
            output.WriteLine("(none)");
            return;
        }

        var columns = rows.OfType<JsonObject>().SelectMany(r => r.Select(p => p.Key)).Distinct().ToList();
        var cells = rows.OfType<JsonObject>().Select(r => columns.Select(c => Text(r[c])).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Max(row => row[i].Length))).ToArray();
        output.WriteLine(Line(columns.Select(c => c.ToUpperInvariant()), widths));
        foreach (var row in cells)
        {
            output.WriteLine(Line(row, widths));
        }
    }

    private static string Line(IEnumerable<string> values, int[] widths)
    {
        var line = new StringBuilder();
        var i = 0;
        foreach (var value in values)
        {
            line.Append(value.PadRight(widths[i++])).Append("  ");
        }

        return line.ToString().TrimEnd();
    }

    private static void Flatten(JsonObject item, string prefix, List<(string, string)> lines)
    {
        foreach (var (name, value) in item)
        {
            if (value is JsonObject nested)
            {
                Flatten(nested, prefix + name + ".", lines);
            }
            else
            {
                lines.Add((prefix + name, Text(value)));
            }
        }
    }

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonArray array => string.Join(", ", array.Select(v => v is JsonObject o ? o.ToJsonString() : Text(v))),
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => node.ToJsonString(),
    };
}
