using System.Text;
using System.Text.Json;
using Coffer.Common;
using Coffer.Inventory.Running;
using Coffer.Model;
using Coffer.Model.Inventory;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;
using Coffer.Server.Handlers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Coffer.WebConsole;

/// <summary>
/// Inventory in the console: configurations as the API's own XML in their dialect (the form writes and reads every
/// field of both; the API's parser and rules check them), run now, runs with their counters, and a run's dashboard:
/// its stored summary and the growth across the configuration's successful runs.
/// </summary>
internal sealed class InventoryEndpoints(
    ConsoleEndpoints guard, IObjectService objects, InventoryConfigurations configurations, InventoryRuns runs, InventoryWakeup wakeup, TimeProvider time)
{
    private const int MaxConfigurationBytes = InventoryHandlers.MaxConfigurationBytes;
    private const int GrowthRuns = 30;

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/buckets/{bucket}/inventory", http => guard.Guarded(http, request =>
        {
            var bucket = request.Bucket();
            request.Authorize(Operation.ListBucketInventoryConfigurations, bucket, query: "inventory");
            var region = objects.GetBucket(bucket).Region;
            var all = new List<object>();
            string? token = null;
            do
            {
                var page = configurations.List(bucket, token);
                all.AddRange(page.Configurations.Select(c => Describe(c, region)));
                token = page.NextContinuationToken;
            }
            while (token is not null);
            return request.JsonAsync(all);
        }));

        routes.MapPut("/api/buckets/{bucket}/inventory/{id}", http => guard.Guarded(http, async request =>
        {
            var bucket = request.Bucket();
            var id = http.GetRouteValue("id")!.ToString()!;
            var dialect = request.Query("dialect") == "s3" ? Dialect.S3 : Dialect.Cos;
            request.Authorize(Operation.PutBucketInventoryConfiguration, bucket, query: "inventory&id=" + Uri.EscapeDataString(id));
            var root = await SafeXml.ReadAsync(http.Request.Body, MaxConfigurationBytes, request.Aborted)
                ?? throw new CofferException(ErrorCode.MissingRequestBody);
            var configuration = InventoryMapping.ToModel(InventoryXml.Read(root), dialect, id);
            await configurations.PutAsync(bucket, configuration, request.Aborted);
            await request.JsonAsync(Describe(configurations.Get(bucket, id), objects.GetBucket(bucket).Region));
        }));

        routes.MapDelete("/api/buckets/{bucket}/inventory/{id}", http => guard.Guarded(http, async request =>
        {
            var bucket = request.Bucket();
            var id = http.GetRouteValue("id")!.ToString()!;
            request.Authorize(Operation.DeleteBucketInventoryConfiguration, bucket, query: "inventory&id=" + Uri.EscapeDataString(id));
            await request.JsonAsync(new { deleted = await configurations.DeleteAsync(bucket, id, request.Aborted) });
        }));

        routes.MapPost("/api/buckets/{bucket}/inventory/{id}/run", http => guard.Guarded(http, async request =>
        {
            var bucket = request.Bucket();
            var id = http.GetRouteValue("id")!.ToString()!;
            request.Authorize(Operation.RunBucketInventory, bucket, query: "inventory-run&id=" + Uri.EscapeDataString(id));
            var run = await InventoryHandlers.QueueNowAsync(configurations, runs, wakeup, time, bucket, id, request.Aborted);
            await request.JsonAsync(Describe(run));
        }));

        routes.MapGet("/api/buckets/{bucket}/runs", http => guard.Guarded(http, request =>
        {
            var bucket = request.Bucket();
            var id = request.OptionalQuery("id");
            request.Authorize(Operation.ListBucketInventoryRuns, bucket, query: "inventory-runs");
            return request.JsonAsync(runs.List(bucket, id, 50).Select(Describe));
        }));

        routes.MapGet("/api/buckets/{bucket}/runs/{job}", http => guard.Guarded(http, request =>
        {
            var bucket = request.Bucket();
            var job = http.GetRouteValue("job")!.ToString()!;
            request.Authorize(Operation.GetBucketInventorySummary, bucket, query: "inventory-summary&job-id=" + Uri.EscapeDataString(job));
            var run = runs.Get(bucket, job);
            var summary = runs.GetSummary(bucket, job);
            var growth = runs.List(bucket, run.ConfigId, GrowthRuns)
                .Where(r => r.State == InventoryRunState.Succeeded)
                .Reverse()
                .Select(r => new { r.JobId, time = r.StartedAt, objects = r.ObjectsMatched, bytes = r.BytesMatched });
            return request.JsonAsync(new
            {
                run = Describe(run),
                summary = summary is null ? (JsonElement?)null : JsonDocument.Parse(summary).RootElement,
                growth,
            });
        }));
    }

    private static object Describe(InventoryConfiguration configuration, string region)
    {
        var dialect = configuration.Dialect == InventoryDialect.S3 ? Dialect.S3 : Dialect.Cos;
        var xml = XmlDocumentWriter.Write(InventoryMapping.ToDocument(configuration, dialect, region), dialect);
        return new
        {
            configuration.Id,
            dialect = dialect == Dialect.S3 ? "s3" : "cos",
            enabled = configuration.IsEnabled,
            frequency = configuration.Schedule?.Frequency.ToString(),
            format = FormatName(configuration.Destination.Format),
            destination = configuration.Destination.Bucket,
            xml = Encoding.UTF8.GetString(xml),
        };
    }

    private static string FormatName(InventoryFormat format) => format switch
    {
        InventoryFormat.Orc => "ORC",
        InventoryFormat.Parquet => "Parquet",
        _ => "CSV",
    };

    private object Describe(InventoryRun run)
    {
        var seconds = run.StartedAt is { } started ? ((run.FinishedAt ?? time.GetUtcNow()) - started).TotalSeconds : 0;
        return new
        {
            run.JobId,
            configId = run.ConfigId,
            trigger = run.Trigger.ToString(),
            state = run.State.ToString(),
            run.QueuedAt,
            run.StartedAt,
            run.FinishedAt,
            run.ObjectsScanned,
            run.BytesScanned,
            run.ObjectsMatched,
            run.BytesMatched,
            run.FilesWritten,
            rowsPerSecond = seconds > 0 ? run.ObjectsScanned / seconds : 0,
            destination = run.Configuration.Destination.Bucket,
            format = FormatName(run.Configuration.Destination.Format),
            run.ManifestKey,
            run.ErrorCode,
            run.ErrorMessage,
        };
    }
}
