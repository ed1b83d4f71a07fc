using System.Globalization;
using Coffer.Common;
using Coffer.Inventory.Running;
using Coffer.Model;
using Coffer.Model.Inventory;
using Coffer.Protocol.Errors;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

/// <summary>PUT / GET / DELETE / List Bucket inventory, and POST Bucket inventory (a one-time job).</summary>
internal sealed class InventoryHandlers(
    InventoryConfigurations configurations, InventoryRuns runs, InventoryWakeup wakeup, IObjectService objects, TimeProvider time)
{
    /// <summary>Far above any real configuration (1,000 tags would not reach it), far below anything costly.</summary>
    public const int MaxConfigurationBytes = 64 * 1024;

    public async Task PutAsync(RequestContext context)
    {
        var configuration = await ReadAsync(context);
        await configurations.PutAsync(context.Bucket, configuration, context.Aborted);
        await Responses.EmptyAsync(context);
    }

    public Task GetAsync(RequestContext context)
    {
        var configuration = configurations.Get(context.Bucket, QueryId(context));
        var document = InventoryMapping.ToDocument(configuration, context.Dialect, objects.GetBucket(context.Bucket).Region);
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(document, context.Dialect));
    }

    /// <summary>
    /// 204 either way in COS: its Python SDK's own tests delete an id they never created and expect success.
    /// S3 answers NoSuchConfiguration for an unknown id.
    /// </summary>
    public async Task DeleteAsync(RequestContext context)
    {
        var existed = await configurations.DeleteAsync(context.Bucket, QueryId(context), context.Aborted);
        if (!existed && context.Dialect == Dialect.S3)
        {
            throw new CofferException(ErrorCode.NoSuchInventoryConfiguration);
        }

        await Responses.EmptyAsync(context, 204);
    }

    public Task ListAsync(RequestContext context)
    {
        var token = context.Target.Get("continuation-token") is { Length: > 0 } given ? given : null;
        var page = configurations.List(context.Bucket, token);
        var region = objects.GetBucket(context.Bucket).Region;
        var document = new InventoryListDocument(
            page.Configurations.Select(c => InventoryMapping.ToDocument(c, context.Dialect, region)).ToArray(),
            page.NextContinuationToken is not null,
            token,
            page.NextContinuationToken);
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(document, context.Dialect));
    }

    /// <summary>POST Bucket inventory: COS only (S3 has no one-time inventory); answers the job id.</summary>
    public async Task PostAsync(RequestContext context)
    {
        if (context.Dialect == Dialect.S3)
        {
            throw new CofferException(ErrorCode.NotImplemented, "S3 has no one-time inventory; sign the request with COS q-sign.");
        }

        var configuration = await ReadAsync(context);
        var run = await configurations.PostOneTimeAsync(context.Bucket, configuration, context.Aborted);
        wakeup.Signal();
        await Responses.XmlAsync(context, XmlDocumentWriter.WritePostInventoryResult(run.JobId));
    }

    /// <summary>
    /// <c>GET /?inventory-runs[&amp;id=&lt;config&gt;][&amp;max-runs=][&amp;marker=&lt;JobId&gt;]</c>: the bucket's runs,
    /// most recent first, a page at a time; <c>NextMarker</c> is the last run listed when there are more.
    /// </summary>
    public Task ListRunsAsync(RequestContext context)
    {
        // A page of no runs could never advance, so max-runs is at least 1; more than 1000 lists 1000.
        var max = context.Target.Get("max-runs") switch
        {
            null or "" => BucketHandlers.MaxListKeys,
            var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= 1 =>
                Math.Min(parsed, BucketHandlers.MaxListKeys),
            _ => throw new CofferException(ErrorCode.InvalidArgument, "max-runs must be an integer of 1 or more."),
        };

        var configId = context.Target.Get("id") is { Length: > 0 } id ? id : null;
        var marker = context.Target.Get("marker") is { Length: > 0 } after ? after : null;
        var list = runs.List(context.Bucket, configId, max + 1, marker);
        var page = list.Take(max).Select(Document).ToArray();
        var truncated = list.Count > max;
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(page, marker, truncated, truncated && page.Length > 0 ? page[^1].JobId : null));
    }

    /// <summary><c>GET /?inventory-run&amp;job-id=&lt;JobId&gt;</c>: one run.</summary>
    public Task GetRunAsync(RequestContext context)
    {
        var jobId = context.Target.Get("job-id") is { Length: > 0 } id
            ? id
            : throw new CofferException(ErrorCode.InvalidArgument, "The job id is missing from the request (job-id=).");
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(Document(runs.Get(context.Bucket, jobId))));
    }

    /// <summary>
    /// <c>POST /?inventory-run&amp;id=&lt;config&gt;</c>: queues a run of a periodic configuration now (as
    /// <c>coffer inventory run</c> does); answers the queued run. A disabled configuration is InvalidArgument.
    /// </summary>
    public async Task RunNowAsync(RequestContext context)
    {
        var run = await QueueNowAsync(configurations, runs, wakeup, time, context.Bucket, QueryId(context), context.Aborted);
        await Responses.XmlAsync(context, XmlDocumentWriter.Write(Document(run)));
    }

    /// <summary>Queues a run of an enabled periodic configuration now and wakes the worker (the API's and the console's "run now").</summary>
    internal static async Task<InventoryRun> QueueNowAsync(InventoryConfigurations configurations, InventoryRuns runs, InventoryWakeup wakeup,
        TimeProvider time, string bucket, string id, CancellationToken cancellationToken)
    {
        var configuration = configurations.Get(bucket, id);
        if (!configuration.IsEnabled)
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"Inventory '{configuration.Id}' is disabled (IsEnabled is {configuration.IsEnabledText}).");
        }

        var run = await runs.EnqueueAsync(bucket, configuration.Id, InventoryTrigger.Manual, time.GetUtcNow(), cancellationToken);
        wakeup.Signal();
        return run;
    }

    /// <summary>
    /// <c>GET /?inventory-summary&amp;job-id=&lt;JobId&gt;</c>: the summary stored with a succeeded run, as JSON (the
    /// console's dashboard and <c>coffer report show</c> read it); NoSuchInventoryRun for a run without one.
    /// </summary>
    public Task GetSummaryAsync(RequestContext context)
    {
        var jobId = context.Target.Get("job-id") is { Length: > 0 } id
            ? id
            : throw new CofferException(ErrorCode.InvalidArgument, "The job id is missing from the request (job-id=).");
        var summary = runs.GetSummary(context.Bucket, jobId)
            ?? throw new CofferException(ErrorCode.NoSuchInventoryRun, $"Inventory run '{jobId}' has no summary: it has not succeeded, or ran before summaries were kept.");
        return Responses.BytesAsync(context, summary, "application/json");
    }

    internal static InventoryRunDocument Document(InventoryRun run) => new(
        run.JobId,
        run.ConfigId,
        run.Trigger.ToString(),
        run.State.ToString(),
        run.Configuration.Destination.Format switch
        {
            InventoryFormat.Orc => "ORC",
            InventoryFormat.Parquet => "Parquet",
            _ => "CSV",
        },
        run.Configuration.Destination.Bucket,
        run.QueuedAt,
        run.StartedAt,
        run.FinishedAt,
        run.ObjectsScanned,
        run.BytesScanned,
        run.ObjectsMatched,
        run.BytesMatched,
        run.FilesWritten,
        run.ManifestKey,
        run.ErrorCode is null ? null : Enum.TryParse<ErrorCode>(run.ErrorCode, out var code) ? ErrorTable.Get(code).CosCode : run.ErrorCode,
        run.ErrorMessage);

    private static async Task<InventoryConfiguration> ReadAsync(RequestContext context)
    {
        var id = QueryId(context);
        var body = await Bodies.ReadVerifiedAsync(context, MaxConfigurationBytes);

        var root = await SafeXml.ReadAsync(new MemoryStream(body), MaxConfigurationBytes, context.Aborted)
            ?? throw new CofferException(ErrorCode.MissingRequestBody);
        return InventoryMapping.ToModel(InventoryXml.Read(root), context.Dialect, id);
    }

    private static string QueryId(RequestContext context) =>
        context.Target.Get("id") is { Length: > 0 } id
            ? id
            : throw new CofferException(ErrorCode.InvalidArgument, "The inventory id is missing from the request (id=).");
}
