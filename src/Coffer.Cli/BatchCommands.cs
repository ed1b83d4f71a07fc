using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace Coffer.Cli;

/// <summary>
/// <c>coffer batch create|list|describe|cancel</c>: batch jobs on a running server, through COS batch processing's job
/// API (<c>/jobs</c> on the server's address, <c>x-cos-appid</c>), never by opening its data folder.
/// </summary>
public static class BatchCommands
{
    public const string AppIdVariable = "COFFER_APPID";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private static readonly Dictionary<string, string> Operations = new(StringComparer.Ordinal)
    {
        ["tag"] = "COSPutObjectTagging",
        ["untag"] = "COSDeleteObjectTagging",
        ["delete"] = "COSDeleteObject",
        ["copy"] = "COSPutObjectCopy",
        ["checksum"] = "COSComputeObjectChecksum",
    };

    public static Command Build()
    {
        var settings = new ClientSettings();
        var appId = new Option<string?>("--appid") { Description = $"The account's APPID. Default ${AppIdVariable}; for create, the manifest bucket's." };
        var job = new Option<string>("--job") { Description = "The job id.", Required = true };
        var manifest = new Option<string>("--manifest")
        {
            Description = "<bucket>/<key> of the manifest: a CSV list (bucket,key[,versionId]) or an inventory report's manifest.json.",
            Required = true,
        };
        var fields = new Option<string>("--fields") { Description = "A CSV list's columns (default Bucket,Key).", DefaultValueFactory = _ => "Bucket,Key" };
        var operation = new Option<string>("--operation") { Description = "tag, untag, delete, copy or checksum.", Required = true };
        operation.AcceptOnlyFromAmong([.. Operations.Keys]);
        var tags = new Option<string[]>("--tag") { Description = "KEY=VALUE: a tag to set (tag), repeatable.", AllowMultipleArgumentsPerToken = false };
        var targetBucket = new Option<string?>("--target-bucket") { Description = "copy: the bucket the copies go to (default the source's)." };
        var targetPrefix = new Option<string?>("--target-prefix") { Description = "copy: a prefix put in front of each key." };
        var storageClass = new Option<string?>("--storage-class") { Description = "copy: the copies' storage class." };
        var algorithm = new Option<string?>("--algorithm") { Description = "checksum: CRC32, CRC32C, CRC64NVME, SHA1, SHA256 or CRC64." };
        var reportBucket = new Option<string?>("--report-bucket") { Description = "Where the completion report goes (none without it)." };
        var reportPrefix = new Option<string?>("--report-prefix") { Description = "The completion report's key prefix." };
        var failedOnly = new Option<bool>("--failed-only") { Description = "Report the failed tasks only." };
        var priority = new Option<int>("--priority") { Description = "Higher runs first (default 10).", DefaultValueFactory = _ => 10 };
        var wait = new Option<bool>("--wait") { Description = "Wait for the job to end, showing its progress; exit 0 only if it completed." };
        var statuses = new Option<string[]>("--status") { Description = "Only jobs in this status (Active, Complete, Failed, …), repeatable." };
        var reason = new Option<string?>("--reason") { Description = "Why (kept as the job's StatusUpdateReason)." };

        var create = InventoryCommands.Command("create", "Create a job that applies one operation to every object a manifest lists.", settings,
            appId, manifest, fields, operation, tags, targetBucket, targetPrefix, storageClass, algorithm, reportBucket, reportPrefix, failedOnly, priority, wait);
        CliRunner.SetAction(create, async (parse, ct) =>
        {
            var (manifestBucket, manifestKey) = SplitObject(parse.GetValue(manifest)!);
            var document = CreateJobXml(parse.GetValue(operation)!, parse.GetValue(tags) ?? [], parse.GetValue(targetBucket), parse.GetValue(targetPrefix),
                parse.GetValue(storageClass), parse.GetValue(algorithm));
            var account = AppId(parse.GetValue(appId) ?? AppIdOf(manifestBucket));
            var settingsRead = settings.Read(parse);
            using var client = new CofferClient(settingsRead);
            var etag = await client.HeadETagAsync(manifestBucket, manifestKey, ct);
            var inventory = manifestKey.EndsWith("manifest.json", StringComparison.Ordinal);
            var report = parse.GetValue(reportBucket) is { } reportTo
                ? new XElement("Report", new XElement("Bucket", $"qcs::cos:::{ClientSettings.Bucket(reportTo, "--report-bucket")}"),
                    new XElement("Enabled", "true"), new XElement("Format", "Report_CSV_20180820"),
                    parse.GetValue(reportPrefix) is { } prefix ? new XElement("Prefix", prefix) : null,
                    new XElement("ReportScope", parse.GetValue(failedOnly) ? "FailedTasksOnly" : "AllTasks"))
                : new XElement("Report", new XElement("Enabled", "false"));
            var request = new XElement("CreateJobRequest",
                new XElement("ClientRequestToken", Guid.NewGuid().ToString("N")),
                new XElement("ConfirmationRequired", "false"),
                new XElement("Manifest",
                    new XElement("Location", new XElement("ETag", etag), new XElement("ObjectArn", $"qcs::cos:::{manifestBucket}/{manifestKey}")),
                    new XElement("Spec",
                        inventory ? null : new XElement("Fields", parse.GetValue(fields)!.Split(',', StringSplitOptions.TrimEntries).Select(f => new XElement("member", f))),
                        new XElement("Format", inventory ? "COSInventoryReport_CSV_V1" : "COSBatchOperations_CSV_V1"))),
                new XElement("Operation", document),
                new XElement("Priority", parse.GetValue(priority).ToString(CultureInfo.InvariantCulture)),
                report);
            var created = Parse(await client.SendToPathAsync(HttpMethod.Post, "/jobs", "", Headers(account),
                Encoding.UTF8.GetBytes(request.ToString(SaveOptions.DisableFormatting)), ct));
            var jobId = created.Element("JobId")?.Value ?? throw new CliException(ExitCodes.Refused, "the server answered no JobId");
            if (!parse.GetValue(wait))
            {
                Printer.Print(await DescribeAsync(client, account, jobId, ct), parse.GetValue(settings.Output));
                return ExitCodes.Success;
            }

            var ended = await WaitAsync(client, account, jobId, Console.Error, ct);
            Printer.Print(ended, parse.GetValue(settings.Output));
            return ended.Status == "Complete" ? ExitCodes.Success : ExitCodes.Failed;
        });

        var list = InventoryCommands.Command("list", "List the account's jobs, newest first.", settings, appId, statuses);
        CliRunner.SetAction(list, async (parse, ct) =>
        {
            var account = AppId(parse.GetValue(appId));
            using var client = new CofferClient(settings.Read(parse));
            var views = new List<JobView>();
            string? token = null;
            do
            {
                var query = string.Join('&', (parse.GetValue(statuses) ?? []).Select(s => "jobStatuses=" + Uri.EscapeDataString(s))
                    .Append("maxResults=1000").Concat(token is null ? [] : ["nextToken=" + Uri.EscapeDataString(token)]));
                var page = Parse(await client.SendToPathAsync(HttpMethod.Get, "/jobs", query, Headers(account), cancellationToken: ct));
                views.AddRange(page.Element("Jobs")?.Elements("member").Select(JobView.Parse) ?? []);
                token = page.Element("NextToken")?.Value;
            }
            while (token is not null);
            Printer.Print(parse.GetValue(settings.Output) == OutputFormat.Json
                ? views
                : views.Select(v => new { v.JobId, v.Status, v.Operation, v.Priority, Tasks = v.TotalTasks, v.Succeeded, v.Failed, Created = v.CreationTime }),
                parse.GetValue(settings.Output));
            return ExitCodes.Success;
        });

        var describe = InventoryCommands.Command("describe", "Show one job: its status, progress and failure.", settings, appId, job);
        CliRunner.SetAction(describe, async (parse, ct) =>
        {
            var account = AppId(parse.GetValue(appId));
            using var client = new CofferClient(settings.Read(parse));
            Printer.Print(await DescribeAsync(client, account, parse.GetValue(job)!, ct), parse.GetValue(settings.Output));
            return ExitCodes.Success;
        });

        var cancel = InventoryCommands.Command("cancel", "Cancel a job: at once if it has not started, after the tasks in progress otherwise.", settings,
            appId, job, reason);
        CliRunner.SetAction(cancel, async (parse, ct) =>
        {
            var account = AppId(parse.GetValue(appId));
            using var client = new CofferClient(settings.Read(parse));
            var jobId = parse.GetValue(job)!;
            var query = "requestedJobStatus=Cancelled" + (parse.GetValue(reason) is { } why ? "&statusUpdateReason=" + Uri.EscapeDataString(why) : "");
            var answer = Parse(await client.SendToPathAsync(HttpMethod.Post, $"/jobs/{jobId}/status", query, Headers(account), cancellationToken: ct));
            Printer.Print(new { JobId = jobId, Status = answer.Element("Status")?.Value }, parse.GetValue(settings.Output));
            return ExitCodes.Success;
        });

        return new Command("batch", "Batch jobs on a running server: one operation over every object a manifest lists.") { create, list, describe, cancel };
    }

    /// <summary>Follows a job until it ends, a line on <paramref name="output"/> whenever its status or progress changes.</summary>
    public static async Task<JobView> WaitAsync(CofferClient client, string account, string jobId, TextWriter output, CancellationToken cancellationToken)
    {
        string? last = null;
        while (true)
        {
            var job = await DescribeAsync(client, account, jobId, cancellationToken);
            var line = $"{job.Succeeded + job.Failed:N0}/{job.TotalTasks:N0} tasks  {job.Failed:N0} failed  {job.Status}";
            if (line != last)
            {
                await output.WriteLineAsync(line);
                last = line;
            }

            if (job.Status is "Complete" or "Failed" or "Cancelled")
            {
                return job;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private static async Task<JobView> DescribeAsync(CofferClient client, string account, string jobId, CancellationToken cancellationToken) =>
        JobView.Parse(Parse(await client.SendToPathAsync(HttpMethod.Get, $"/jobs/{Uri.EscapeDataString(jobId)}", "", Headers(account),
            cancellationToken: cancellationToken)).Element("Job") ?? throw new CliException(ExitCodes.Refused, "the server answered no Job"));

    private static XElement CreateJobXml(string operation, string[] tags, string? targetBucket, string? targetPrefix, string? storageClass, string? algorithm)
    {
        var element = new XElement(Operations[operation]);
        switch (operation)
        {
            case "tag" when tags.Length == 0:
                throw CliException.Usage("--operation tag needs at least one --tag KEY=VALUE");
            case "tag":
                element.Add(new XElement("TagSet", tags.Select(Tag)));
                break;
            case "copy":
                element.Add(
                    targetBucket is null ? null : new XElement("TargetResource", $"qcs::cos:::{ClientSettings.Bucket(targetBucket, "--target-bucket")}"),
                    new XElement("MetadataDirective", "COPY"),
                    storageClass is null ? null : new XElement("StorageClass", storageClass),
                    targetPrefix is null ? null : new XElement("TargetKeyPrefix", targetPrefix));
                break;
            case "checksum":
                element.Add(new XElement("ChecksumAlgorithm", algorithm ?? throw CliException.Usage("--operation checksum needs --algorithm")),
                    new XElement("ChecksumType", "FULL_OBJECT"));
                break;
        }

        return element;
    }

    private static XElement Tag(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals > 0
            ? new XElement("member", new XElement("Key", text[..equals]), new XElement("Value", text[(equals + 1)..]))
            : throw CliException.Usage($"--tag '{text}' is not KEY=VALUE");
    }

    private static (string Bucket, string Key) SplitObject(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < value.Length - 1
            ? (ClientSettings.Bucket(value[..slash], "--manifest"), value[(slash + 1)..])
            : throw CliException.Usage($"--manifest '{value}' is not <bucket>/<key>");
    }

    private static string AppIdOf(string bucket) => bucket[(bucket.LastIndexOf('-') + 1)..];

    private static string AppId(string? given) =>
        given ?? Environment.GetEnvironmentVariable(AppIdVariable)
        ?? throw CliException.Usage($"no account: pass --appid or set {AppIdVariable} (the APPID of the key's account)");

    private static KeyValuePair<string, string>[] Headers(string appId) => [new("x-cos-appid", appId)];

    private static XElement Parse(byte[] body) => XDocument.Parse(Encoding.UTF8.GetString(body)).Root!;
}

/// <summary>A job as the commands print it.</summary>
public sealed record JobView
{
    public required string JobId { get; init; }

    public required string Status { get; init; }

    public string? Operation { get; init; }

    public int Priority { get; init; }

    public long TotalTasks { get; init; }

    public long Succeeded { get; init; }

    public long Failed { get; init; }

    public long ElapsedSeconds { get; init; }

    public string? CreationTime { get; init; }

    public string? TerminationDate { get; init; }

    public string? FailureCode { get; init; }

    public string? FailureReason { get; init; }

    public static JobView Parse(XElement job)
    {
        var progress = job.Element("ProgressSummary");
        var operation = job.Element("Operation");
        var failure = job.Element("FailureReasons")?.Element("member");
        return new JobView
        {
            JobId = job.Element("JobId")?.Value ?? "",
            Status = job.Element("Status")?.Value ?? "",
            Operation = operation is null ? null : operation.HasElements ? operation.Elements().First().Name.LocalName : operation.Value,
            Priority = Number(job, "Priority") is { } p ? (int)p : 0,
            TotalTasks = Number(progress, "TotalNumberOfTasks") ?? 0,
            Succeeded = Number(progress, "NumberOfTasksSucceeded") ?? 0,
            Failed = Number(progress, "NumberOfTasksFailed") ?? 0,
            ElapsedSeconds = Number(progress?.Element("Timers"), "ElapsedTimeInActiveSeconds") ?? 0,
            CreationTime = job.Element("CreationTime")?.Value,
            TerminationDate = job.Element("TerminationDate")?.Value,
            FailureCode = failure?.Element("FailureCode")?.Value,
            FailureReason = failure?.Element("FailureReason")?.Value,
        };
    }

    private static long? Number(XElement? parent, string name) =>
        parent?.Element(name)?.Value is { } text && long.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : null;
}
