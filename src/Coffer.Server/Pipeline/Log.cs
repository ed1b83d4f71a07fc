using Microsoft.Extensions.Logging;

namespace Coffer.Server.Pipeline;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug,
        Message = "{Method} {Target} {Operation} -> {Status} {ErrorCode} bucket={Bucket} caller={Caller} in {ElapsedMs:0.0} ms ({RequestId})")]
    public static partial void Request(ILogger logger, string method, string target, string operation, string bucket, int status, string errorCode, string caller,
        double elapsedMs, string requestId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Request {RequestId} failed with an unexpected error")]
    public static partial void Unexpected(ILogger logger, Exception exception, string requestId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Request {RequestId}: the client went away ({Reason})")]
    public static partial void ClientGone(ILogger logger, string requestId, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error,
        Message = "Request {RequestId}: encrypted object bytes failed their integrity check (a master key other than the one they were written under, or a damaged blob file); answered InternalError")]
    public static partial void Integrity(ILogger logger, Exception exception, string requestId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Request {RequestId}: the metadata store cannot be reached ({Reason}); answered ServiceUnavailable")]
    public static partial void MetadataUnavailable(ILogger logger, string requestId, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Request {RequestId}: the data folder's disk is full ({Reason}); answered InsufficientStorage")]
    public static partial void DiskFull(ILogger logger, string requestId, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Request {RequestId}: its access-log record could not be made; the request was answered, the record is lost")]
    public static partial void AccessLogFailed(ILogger logger, Exception exception, string requestId);
}
