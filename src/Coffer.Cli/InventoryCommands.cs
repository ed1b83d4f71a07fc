using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Coffer.Cli;

/// <summary>
/// <c>coffer inventory list|get|put|delete|run|runs|status</c>: inventory configurations and runs of a bucket, over
/// the COS API of a running server (and Coffer's run status API), never by opening its data folder.
/// </summary>
public static class InventoryCommands
{
    public static Command Build()
    {
        var settings = new ClientSettings();
        var bucket = new Option<string>("--bucket", "-b") { Description = "The source bucket, <name>-<APPID>.", Required = true };
        var id = new Option<string>("--id") { Description = "The inventory configuration id.", Required = true };
        var optionalId = new Option<string?>("--id") { Description = "Only the runs of this configuration." };
        var job = new Option<string>("--job") { Description = "The run's job id.", Required = true };
        var config = new Option<string>("--config") { Description = "The configuration: a file of COS inventory XML, or the XML itself (starting with '<').", Required = true };
        var wait = new Option<bool>("--wait") { Description = "Wait for the run to end, showing its progress; exit 0 only if it succeeded." };
        var maxRuns = new Option<int>("--max-runs") { Description = "How many runs to list (default 20).", DefaultValueFactory = _ => 20 };

        var list = Command("list", "List a bucket's inventory configurations.", settings, bucket);
        CliRunner.SetAction(list, async (parse, ct) =>
        {
            using var client = new CofferClient(settings.Read(parse));
            var name = ClientSettings.Bucket(parse.GetValue(bucket));
            var rows = new JsonArray();
            string? token = null;
            do
            {
                var page = await client.GetXmlAsync(name, "inventory" + (token is null ? "" : "&continuation-token=" + Uri.EscapeDataString(token)), ct);
                foreach (var item in page.Elements("InventoryConfiguration"))
                {
                    rows.Add(parse.GetValue(settings.Output) == OutputFormat.Json ? XmlJson.ToNode(item) : Row(item));
                }

                token = page.Element("IsTruncated")?.Value == "true" ? page.Element("NextContinuationToken")?.Value : null;
            }
            while (token is not null);
            Printer.Print(rows, parse.GetValue(settings.Output));
            return ExitCodes.Success;
        });

        var get = Command("get", "Show one inventory configuration.", settings, bucket, id);
        CliRunner.SetAction(get, async (parse, ct) =>
        {
            using var client = new CofferClient(settings.Read(parse));
            var item = await client.GetXmlAsync(ClientSettings.Bucket(parse.GetValue(bucket)), "inventory&id=" + Uri.EscapeDataString(parse.GetValue(id)!), ct);
            Printer.Print(XmlJson.ToNode(item), parse.GetValue(settings.Output));
            return ExitCodes.Success;
        });

        var put = Command("put", "Create or replace an inventory configuration from COS inventory XML.", settings, bucket, id, config);
        CliRunner.SetAction(put, async (parse, ct) =>
        {
            var body = ReadXml(parse.GetValue(config)!);
            using var client = new CofferClient(settings.Read(parse));
            var name = ClientSettings.Bucket(parse.GetValue(bucket));
            await client.SendAsync(HttpMethod.Put, name, null, "inventory&id=" + Uri.EscapeDataString(parse.GetValue(id)!), body, "application/xml", ct);
            Printer.Print(new { Bucket = name, Id = parse.GetValue(id), Saved = true }, parse.GetValue(settings.Output));
            return ExitCodes.Success;
        });

        var delete = Command("delete", "Delete an inventory configuration.", settings, bucket, id);
        CliRunner.SetAction(delete, async (parse, ct) =>
        {
            using var client = new CofferClient(settings.Read(parse));
            var name = ClientSettings.Bucket(parse.GetValue(bucket));
            await client.SendAsync(HttpMethod.Delete, name, null, "inventory&id=" + Uri.EscapeDataString(parse.GetValue(id)!), cancellationToken: ct);
            Printer.Print(new { Bucket = name, Id = parse.GetValue(id), Deleted = true }, parse.GetValue(settings.Output));
            return ExitCodes.Success;
        });

        var run = Command("run", "Run a periodic inventory configuration now.", settings, bucket, id, wait);
        CliRunner.SetAction(run, async (parse, ct) =>
        {
            using var client = new CofferClient(settings.Read(parse));
            var name = ClientSettings.Bucket(parse.GetValue(bucket));
            var configId = parse.GetValue(id)!;
            var estimate = await LastScannedAsync(client, name, configId, ct);
            var queued = RunView.Parse(XDocument.Parse(Encoding.UTF8.GetString(
                await client.SendAsync(HttpMethod.Post, name, null, "inventory-run&id=" + Uri.EscapeDataString(configId), cancellationToken: ct))).Root!);
            if (!parse.GetValue(wait))
            {
                Printer.Print(queued, parse.GetValue(settings.Output));
                return ExitCodes.Success;
            }

            var ended = await RunWatcher.WaitAsync(client, name, queued.JobId, estimate, Console.Error, ct);
            Printer.Print(ended, parse.GetValue(settings.Output));
            return ended.State == "Succeeded" ? ExitCodes.Success : ExitCodes.Failed;
        });

        var runs = Command("runs", "List a bucket's inventory runs, most recent first.", settings, bucket, optionalId, maxRuns);
        CliRunner.SetAction(runs, async (parse, ct) =>
        {
            using var client = new CofferClient(settings.Read(parse));
            var query = $"inventory-runs&max-runs={parse.GetValue(maxRuns)}" + (parse.GetValue(optionalId) is { } only ? "&id=" + Uri.EscapeDataString(only) : "");
            var page = await client.GetXmlAsync(ClientSettings.Bucket(parse.GetValue(bucket)), query, ct);
            var views = page.Elements("InventoryRun").Select(RunView.Parse).ToList();
            Printer.Print(parse.GetValue(settings.Output) == OutputFormat.Json
                ? views
                : views.Select(r => new { r.JobId, r.Id, r.State, r.Trigger, r.StartTime, Rows = r.ObjectsMatched, Files = r.FilesWritten, Error = r.ErrorCode }),
                parse.GetValue(settings.Output));
            return ExitCodes.Success;
        });

        var status = Command("status", "Show one inventory run.", settings, bucket, job);
        CliRunner.SetAction(status, async (parse, ct) =>
        {
            using var client = new CofferClient(settings.Read(parse));
            var item = await client.GetXmlAsync(ClientSettings.Bucket(parse.GetValue(bucket)), "inventory-run&job-id=" + Uri.EscapeDataString(parse.GetValue(job)!), ct);
            Printer.Print(RunView.Parse(item), parse.GetValue(settings.Output));
            return ExitCodes.Success;
        });

        return new Command("inventory", "Bucket inventory on a running server: configurations and runs.") { list, get, put, delete, run, runs, status };
    }

    internal static Command Command(string name, string description, ClientSettings settings, params Option[] options)
    {
        var command = new Command(name, description);
        foreach (var option in options.Concat(settings.All))
        {
            command.Options.Add(option);
        }

        return command;
    }

    /// <summary>How many entries the configuration's last succeeded run scanned: the estimate a progress bar measures against.</summary>
    private static async Task<long?> LastScannedAsync(CofferClient client, string bucket, string configId, CancellationToken cancellationToken)
    {
        var page = await client.GetXmlAsync(bucket, "inventory-runs&max-runs=20&id=" + Uri.EscapeDataString(configId), cancellationToken);
        return page.Elements("InventoryRun").Select(RunView.Parse).FirstOrDefault(r => r.State == "Succeeded")?.ObjectsScanned;
    }

    private static JsonObject Row(XElement item)
    {
        var destination = item.Element("Destination")?.Elements().FirstOrDefault();
        return new JsonObject
        {
            ["Id"] = item.Element("Id")?.Value,
            ["Enabled"] = item.Element("IsEnabled")?.Value,
            ["Frequency"] = item.Element("Schedule")?.Element("Frequency")?.Value,
            ["Format"] = destination?.Element("Format")?.Value,
            ["Destination"] = destination?.Element("Bucket")?.Value,
            ["Prefix"] = destination?.Element("Prefix")?.Value,
            ["Versions"] = item.Element("IncludedObjectVersions")?.Value,
        };
    }

    /// <summary>Inline XML or a file of it; either way it must parse.</summary>
    private static byte[] ReadXml(string value)
    {
        var text = value.TrimStart().StartsWith('<') ? value : File.Exists(value)
            ? File.ReadAllText(value)
            : throw CliException.Usage($"--config expects COS inventory XML or a file of it; '{value}' is neither (no such file)");
        try
        {
            XDocument.Parse(text);
        }
        catch (System.Xml.XmlException error)
        {
            throw CliException.Usage($"--config is not well-formed XML: {error.Message}");
        }

        return Encoding.UTF8.GetBytes(text);
    }
}
