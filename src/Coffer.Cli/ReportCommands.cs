using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Inventory.Summary;

namespace Coffer.Cli;

/// <summary>
/// <c>coffer report show|query --bucket DEST --manifest KEY</c>: a delivered report's summary (the numbers the console's
/// dashboard draws, stored with its run), or SQL over its rows with DuckDB (the table is named <c>report</c>).
/// </summary>
public static class ReportCommands
{
    public static Command Build()
    {
        var settings = new ClientSettings();
        var bucket = new Option<string>("--bucket", "-b") { Description = "The destination bucket the report was delivered to, <name>-<APPID>.", Required = true };
        var manifest = new Option<string>("--manifest") { Description = "The key of the report's manifest.json.", Required = true };
        var sql = new Argument<string>("sql") { Description = "SQL over the table 'report', e.g. \"SELECT StorageClass, count(*) FROM report GROUP BY 1\"." };

        var show = InventoryCommands.Command("show", "Print a report's summary: the dashboard's numbers.", settings, bucket, manifest);
        CliRunner.SetAction(show, async (parse, ct) =>
        {
            using var client = new CofferClient(settings.Read(parse));
            var report = await ReportSource.OpenAsync(client, ClientSettings.Bucket(parse.GetValue(bucket)), parse.GetValue(manifest)!, ct);
            var (run, summary) = await report.SummaryAsync(ct);
            if (parse.GetValue(settings.Output) == OutputFormat.Json)
            {
                Printer.Print(new JsonObject { ["run"] = JsonSerializer.SerializeToNode(run), ["summary"] = JsonNode.Parse(summary.Encode()) }, OutputFormat.Json);
            }
            else
            {
                SummaryText.Write(Console.Out, report, run, summary);
            }

            return ExitCodes.Success;
        });

        var query = InventoryCommands.Command("query", "Run SQL over a report's rows with DuckDB (table 'report').", settings, bucket, manifest);
        query.Arguments.Add(sql);
        CliRunner.SetAction(query, async (parse, ct) =>
        {
            using var client = new CofferClient(settings.Read(parse));
            var report = await ReportSource.OpenAsync(client, ClientSettings.Bucket(parse.GetValue(bucket)), parse.GetValue(manifest)!, ct);
            var rows = await ReportQuery.RunAsync(client, report, parse.GetValue(sql)!, ct);
            Printer.Print(rows, parse.GetValue(settings.Output));
            return ExitCodes.Success;
        });

        return new Command("report", "Delivered inventory reports: their summary, SQL over their rows.") { show, query };
    }
}

/// <summary>A delivered report: its destination, manifest, and the source bucket its run belongs to.</summary>
public sealed record ReportSource(string Bucket, string ManifestKey, JsonElement Manifest, string SourceBucket, CofferClient Client)
{
    public string FileFormat => Manifest.GetProperty("fileFormat").GetString() ?? "CSV";

    public IReadOnlyList<string> FileKeys => [.. Manifest.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("key").GetString()!)];

    public static async Task<ReportSource> OpenAsync(CofferClient client, string bucket, string manifestKey, CancellationToken cancellationToken)
    {
        var bytes = await client.SendAsync(HttpMethod.Get, bucket, manifestKey, "", cancellationToken: cancellationToken);
        JsonElement manifest;
        try
        {
            manifest = JsonDocument.Parse(bytes).RootElement;
        }
        catch (JsonException)
        {
            throw CliException.Usage($"{bucket}/{manifestKey} is not an inventory manifest (not JSON)");
        }

        if (manifest.ValueKind != JsonValueKind.Object || !manifest.TryGetProperty("sourceBucket", out var sourceBucket) || !manifest.TryGetProperty("files", out _))
        {
            throw CliException.Usage($"{bucket}/{manifestKey} is not an inventory manifest (no sourceBucket or files)");
        }

        // COS manifests name the source without its APPID and give that apart; S3 manifests name the whole bucket.
        var source = manifest.TryGetProperty("sourceAppid", out var appId)
            ? $"{sourceBucket.GetString()}-{appId.GetString()}"
            : sourceBucket.GetString()!;
        return new ReportSource(bucket, manifestKey, manifest.Clone(), source, client);
    }

    /// <summary>The run that delivered this report (found among the source bucket's runs) and its stored summary.</summary>
    public async Task<(RunView Run, ReportSummary Summary)> SummaryAsync(CancellationToken cancellationToken)
    {
        string? marker = null;
        for (var page = 0; page < 100; page++)
        {
            var list = await Client.GetXmlAsync(SourceBucket, "inventory-runs&max-runs=1000" + (marker is null ? "" : "&marker=" + Uri.EscapeDataString(marker)), cancellationToken);
            var run = list.Elements("InventoryRun").Select(RunView.Parse).FirstOrDefault(r => r.ManifestKey == ManifestKey && r.DestinationBucket == Bucket);
            if (run is not null)
            {
                var summary = await Client.SendAsync(HttpMethod.Get, SourceBucket, null, "inventory-summary&job-id=" + Uri.EscapeDataString(run.JobId),
                    cancellationToken: cancellationToken);
                return (run, ReportSummary.Decode(summary)!);
            }

            marker = list.Element("NextMarker")?.Value;
            if (marker is null)
            {
                break;
            }
        }

        throw new CliException(ExitCodes.Refused, $"no run of {SourceBucket} delivered {Bucket}/{ManifestKey}; was the report made by this server?");
    }
}

/// <summary>The summary as text, in the dashboard's order.</summary>
internal static class SummaryText
{
    public static void Write(TextWriter output, ReportSource report, RunView run, ReportSummary summary)
    {
        output.WriteLine($"report         {report.Bucket}/{report.ManifestKey}");
        output.WriteLine($"run            {run.JobId} of {report.SourceBucket} ({run.Id}), {run.Format}, snapshot {summary.ScanStart:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        output.WriteLine($"objects        {N(summary.Objects)}  ({Bytes(summary.Bytes)}){(summary.DeleteMarkers > 0 ? $", {N(summary.DeleteMarkers)} delete markers" : "")}");
        output.WriteLine($"multipart      {Share(summary.Multipart, summary)}");
        Section(output, "storage class", summary.StorageClasses, summary);
        Section(output, "prefix", summary.Prefixes.Select(p => new SliceTotal(p.Name.Length == 0 ? "(no prefix)" : p.Name, p.Objects, p.Bytes)), summary);
        Section(output, "size", summary.Sizes, summary);
        Section(output, "age", summary.Ages, summary);
        Section(output, "encryption", summary.Encryption, summary);
        output.WriteLine();
        output.WriteLine("largest objects");
        foreach (var item in summary.Largest)
        {
            output.WriteLine($"  {Bytes(item.Size),12}  {item.StorageClass,-12}  {item.Key}");
        }
    }

    private static void Section(TextWriter output, string title, IEnumerable<SliceTotal> slices, ReportSummary summary)
    {
        output.WriteLine();
        output.WriteLine(title);
        foreach (var slice in slices)
        {
            output.WriteLine($"  {slice.Name,-24}  {Share(slice, summary)}");
        }
    }

    private static string Share(SliceTotal slice, ReportSummary summary) =>
        $"{N(slice.Objects),12} objects {Percent(slice.Objects, summary.Objects),6}  {Bytes(slice.Bytes),12} {Percent(slice.Bytes, summary.Bytes),6}";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Percent(long part, long whole) => whole == 0 ? "-" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : $"{value.ToString("0.0", CultureInfo.InvariantCulture)} {units[unit]}";
    }
}
