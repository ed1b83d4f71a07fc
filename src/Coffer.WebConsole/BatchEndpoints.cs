using Coffer.Model.Batch;
using Coffer.Protocol.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Coffer.WebConsole;

/// <summary>
/// Batch jobs in the console: the signed-in account's jobs with their progress (the counters each chunk's commit
/// updates, so a page that polls sees the job advance), and cancellation. Authorized as ListJobs and UpdateJobStatus.
/// </summary>
internal sealed class BatchEndpoints(ConsoleEndpoints guard, BatchJobs jobs)
{
    private const int MaxJobs = 100;

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/jobs", http => guard.Guarded(http, request =>
        {
            request.Authorize(Operation.ListJobs, null);
            var page = jobs.List(request.Caller.Identity.Root.AppId, [], MaxJobs, null);
            return request.JsonAsync(page.Jobs.Select(Describe));
        }));

        routes.MapPost("/api/jobs/{id}/cancel", http => guard.Guarded(http, async request =>
        {
            request.Authorize(Operation.UpdateJobStatus, null);
            var id = http.GetRouteValue("id")!.ToString()!;
            var job = await jobs.UpdateStatusAsync(request.Caller.Identity.Root.AppId, id, "Cancelled", "Cancelled in the console", request.Aborted);
            await request.JsonAsync(Describe(job));
        }));
    }

    private static object Describe(BatchJob job) => new
    {
        job.JobId,
        job.Status,
        operation = job.Spec.Operation.Kind.ToString(),
        job.Priority,
        job.CreatedAt,
        job.TerminatedAt,
        job.TotalTasks,
        job.TasksSucceeded,
        job.TasksFailed,
        job.ElapsedSeconds,
        manifest = $"{job.Spec.Manifest.Bucket}/{job.Spec.Manifest.Key}",
        reportBucket = job.Spec.Report.Enabled ? job.Spec.Report.Bucket : null,
        job.ReportManifestKey,
        failureCode = job.Failure?.Code,
        failureReason = job.Failure?.Reason,
        ended = job.Status is "Complete" or "Failed" or "Cancelled",
    };
}
