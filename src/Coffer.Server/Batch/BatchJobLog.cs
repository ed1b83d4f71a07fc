using Coffer.Model.Batch;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Batch;

/// <summary>One log line per batch job that ends.</summary>
internal sealed partial class BatchJobLog(ILogger<BatchJobLog> logger)
{
    public void Ended(BatchJob job)
    {
        if (job.Failure is { } failure)
        {
            LogFailed(logger, job.JobId, job.Status, job.TotalTasks, job.TasksSucceeded, job.TasksFailed, failure.Code, failure.Reason);
        }
        else
        {
            LogEnded(logger, job.JobId, job.Status, job.TotalTasks, job.TasksSucceeded, job.TasksFailed);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch job job={JobId} state={Status} tasks={Total} succeeded={Succeeded} failed={Failed}")]
    private static partial void LogEnded(ILogger logger, string jobId, string status, long total, long succeeded, long failed);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Batch job job={JobId} state={Status} tasks={Total} succeeded={Succeeded} failed={Failed} error={Code}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string jobId, string status, long total, long succeeded, long failed, string code, string reason);
}
