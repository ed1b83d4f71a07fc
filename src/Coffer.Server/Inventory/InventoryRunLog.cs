using Coffer.Model.Inventory;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Inventory;

/// <summary>
/// One line per inventory run that ended (information when it succeeded, a warning when it failed), and one per
/// partition this node finished, so the log shows which node scanned what.
/// </summary>
internal sealed partial class InventoryRunLog(ILogger<InventoryRunLog> logger)
{
    public void Ended(InventoryRun run)
    {
        var seconds = run.StartedAt is { } started && run.FinishedAt is { } finished ? (finished - started).TotalSeconds : 0;
        if (run.State == InventoryRunState.Succeeded)
        {
            Succeeded(logger, run.Bucket, run.ConfigId, run.JobId, run.ObjectsMatched, run.FilesWritten, seconds);
        }
        else
        {
            Failed(logger, run.Bucket, run.ConfigId, run.JobId, run.ObjectsMatched, seconds, run.ErrorCode, run.ErrorMessage);
        }
    }

    public void PartitionDone(string jobId, int partition) => Partition(logger, jobId, partition);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Inventory partition job={JobId} partition={Partition} done")]
    private static partial void Partition(ILogger logger, string jobId, int partition);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information,
        Message = "Inventory run bucket={Bucket} id={ConfigId} job={JobId} state=Succeeded rows={Rows} files={Files} duration={Seconds:0.000}s")]
    private static partial void Succeeded(ILogger logger, string bucket, string configId, string jobId, long rows, long files, double seconds);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning,
        Message = "Inventory run bucket={Bucket} id={ConfigId} job={JobId} state=Failed rows={Rows} duration={Seconds:0.000}s error={ErrorCode}: {ErrorMessage}")]
    private static partial void Failed(ILogger logger, string bucket, string configId, string jobId, long rows, double seconds, string? errorCode, string? errorMessage);
}
