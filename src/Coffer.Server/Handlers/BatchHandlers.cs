using System.Globalization;
using Coffer.Batch;
using Coffer.Common;
using Coffer.Model.Access;
using Coffer.Model.Batch;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;
using Coffer.Server.Batch;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

/// <summary>
/// S3 Control's job API and COS batch processing: CreateJob, DescribeJob, ListJobs, UpdateJobPriority, UpdateJobStatus
/// and job tagging. Jobs belong to the caller's root account, which the request must name (<c>x-amz-account-id</c>: the
/// uin; <c>x-cos-appid</c>: the APPID) as the control host does.
/// </summary>
internal sealed class BatchHandlers(BatchJobs jobs, BatchWakeup wakeup, AccessControl access, CofferServerOptions options, TimeProvider time)
{
    private const int MaxDocumentBytes = 64 * 1024;

    public async Task CreateJobAsync(RequestContext context)
    {
        var account = Account(context);
        var root = await SafeXml.ReadAsync(context.Body, MaxDocumentBytes, context.Aborted)
            ?? throw new CofferException(ErrorCode.MissingRequestBody, "CreateJob needs a CreateJobRequest document.");
        var document = BatchJobDocuments.ParseCreateJob(root, context.Dialect);
        var credential = context.Credential!;
        var spec = BatchMapping.ToSpec(document, context.Dialect, new BatchCreator(account, credential.Identity.Uin, credential.SecretId));
        var jobId = await jobs.CreateAsync(new CreateBatchJobRequest
        {
            Account = account,
            Spec = spec,
            Priority = document.Priority ?? 0,
            ClientToken = document.ClientRequestToken ?? throw new CofferException(ErrorCode.InvalidRequest, "CreateJob needs a ClientRequestToken."),
            Tags = document.Tags,
            CreatorMayReadManifest = new BatchPermission(access, credential, time).MayRead(spec.Manifest.Bucket, spec.Manifest.Key, spec.Manifest.VersionId),
        }, context.Aborted);
        wakeup.Wake();
        await Responses.XmlAsync(context, BatchJobDocuments.WriteCreateJobResult(jobId, context.Dialect));
    }

    public Task DescribeJobAsync(RequestContext context)
    {
        var job = jobs.Get(Account(context), JobId(context));
        return Responses.XmlAsync(context, BatchJobDocuments.WriteDescribeJobResult(Document(context, job), context.Dialect));
    }

    public Task ListJobsAsync(RequestContext context)
    {
        var account = Account(context);
        var statuses = context.Target.Query.Where(p => p.Name == "jobStatuses").Select(p => p.Value).ToArray();
        var max = context.Target.Get("maxResults") is { } given
            ? int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= 1000
                ? value
                : throw new CofferException(ErrorCode.InvalidRequest, "maxResults must be 1 to 1000.")
            : 1000;
        var page = jobs.List(account, statuses, max, context.Target.Get("nextToken") is { Length: > 0 } token ? token : null);
        return Responses.XmlAsync(context, BatchJobDocuments.WriteListJobsResult(page.Jobs.Select(j => Document(context, j)).ToArray(), page.NextToken,
            context.Dialect));
    }

    public async Task UpdateJobPriorityAsync(RequestContext context)
    {
        var priority = context.Target.Get("priority") is { } given && int.TryParse(given, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new CofferException(ErrorCode.InvalidRequest, "UpdateJobPriority needs an integer priority.");
        var job = await jobs.UpdatePriorityAsync(Account(context), JobId(context), priority, context.Aborted);
        await Responses.XmlAsync(context, BatchJobDocuments.WriteUpdateJobPriorityResult(job.JobId, job.Priority, context.Dialect));
    }

    public async Task UpdateJobStatusAsync(RequestContext context)
    {
        var requested = context.Target.Get("requestedJobStatus")
            ?? throw new CofferException(ErrorCode.InvalidRequest, "UpdateJobStatus needs requestedJobStatus (Ready or Cancelled).");
        var job = await jobs.UpdateStatusAsync(Account(context), JobId(context), requested, context.Target.Get("statusUpdateReason"), context.Aborted);
        wakeup.Wake();
        await Responses.XmlAsync(context, BatchJobDocuments.WriteUpdateJobStatusResult(job.JobId, job.Status, job.StatusReason, context.Dialect));
    }

    public Task GetJobTaggingAsync(RequestContext context) =>
        Responses.XmlAsync(context, BatchJobDocuments.WriteGetJobTaggingResult(jobs.GetTags(Account(context), JobId(context)), context.Dialect));

    public async Task PutJobTaggingAsync(RequestContext context)
    {
        var account = Account(context);
        var root = await SafeXml.ReadAsync(context.Body, MaxDocumentBytes, context.Aborted)
            ?? throw new CofferException(ErrorCode.MissingRequestBody, "PutJobTagging needs a PutJobTaggingRequest document.");
        await jobs.PutTagsAsync(account, JobId(context), BatchJobDocuments.ParseTagging(root), context.Aborted);
        await Responses.EmptyAsync(context);
    }

    public async Task DeleteJobTaggingAsync(RequestContext context)
    {
        await jobs.DeleteTagsAsync(Account(context), JobId(context), context.Aborted);
        await Responses.EmptyAsync(context);
    }

    private JobDocument Document(RequestContext context, BatchJob job) =>
        BatchMapping.ToDocument(job, context.Dialect, context.Route.HostRegion ?? options.Region, context.Caller.Uin);

    private static string JobId(RequestContext context) => context.Route.JobId ?? throw new InvalidOperationException("The route names no job.");

    /// <summary>
    /// The caller's root account (its APPID), which the request must name as S3 Control and COS require: S3 by uin in
    /// <c>x-amz-account-id</c>, COS by APPID in <c>x-cos-appid</c>; a control host's account label must agree.
    /// </summary>
    private static string Account(RequestContext context)
    {
        var caller = context.Caller;
        var (header, expected) = context.Dialect == Dialect.S3 ? ("x-amz-account-id", caller.Uin) : ("x-cos-appid", caller.AppId);
        var named = context.Header(header)
            ?? throw new CofferException(ErrorCode.InvalidRequest, $"The request must name the account in {header}.");
        if (named != expected)
        {
            throw new CofferException(ErrorCode.AccessDenied, $"Access Denied. The request names account {named} in {header}; the key belongs to {expected}.");
        }

        if (context.Route.ControlAccount is { } host && host != caller.Uin)
        {
            throw new CofferException(ErrorCode.AccessDenied, $"Access Denied. The control host names account {host}; the key belongs to {caller.Uin}.");
        }

        return caller.AppId;
    }
}
