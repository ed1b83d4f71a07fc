using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coffer.Common;
using Coffer.Common.AccessLogs;
using Coffer.Model;
using Coffer.Model.Access;
using Coffer.Model.Objects;
using Coffer.Server.Maintenance;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.AccessLogs;

/// <summary>
/// Writes the buffered access-log records every <see cref="AccessLogServiceOptions.FlushInterval"/> and once more at
/// shutdown: one object per source bucket, target and delivery, through the object service as any PUT is (so the
/// journal, inventory and notifications see it). Each delivery checks the target again (<see cref="LogDeliveryPermission"/>):
/// records for a target since deleted, moved out of reach or refusing the write are dropped with a warning, as S3
/// delivers on a best-effort basis.
/// </summary>
internal sealed partial class AccessLogDeliveryService(
    AccessLogBuffer buffer,
    IObjectService objects,
    AccessControl access,
    Model.Accounts.AccountDirectory accounts,
    CofferServerOptions options,
    TimeProvider time,
    ILogger<AccessLogDeliveryService> logger) : PollingService(logger)
{
    private long _droppedReported;

    protected override string Name => "Access log delivery";

    protected override bool WaitsFirst => true;

    // Not cancelled at shutdown: the records a round has taken from the buffer are in no other hands, so the round
    // finishes (the host's shutdown timeout bounds it) and StopAsync then delivers what came after.
    protected override Task RunRoundAsync(CancellationToken cancellationToken) => DeliverAsync();

    protected override Task WaitAsync(CancellationToken cancellationToken) => Task.Delay(options.AccessLogs.FlushInterval, time, cancellationToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Requests answered since the last round: Kestrel has stopped taking new ones by now.
        try
        {
            await DeliverAsync();
        }
        catch (Exception error)
        {
            LogShutdownFailed(logger, error);
        }
    }

    private async Task DeliverAsync()
    {
        var now = time.GetUtcNow();
        if (buffer.Dropped is var dropped && dropped > _droppedReported)
        {
            LogBufferFull(logger, dropped - _droppedReported, AccessLogBuffer.MaxRecords, options.AccessLogs.MaxBufferedBytes);
            _droppedReported = dropped;
        }

        foreach (var group in buffer.Drain().GroupBy(r => r.Destination))
        {
            var records = group.ToList();
            try
            {
                await WriteAsync(group.Key, records, now, CancellationToken.None);
            }
            catch (CofferException error)
            {
                LogDropped(logger, records.Count, group.Key.SourceBucket, group.Key.Configuration.TargetBucket, error.Message);
            }
            catch (Exception error)
            {
                // The database away, a disk error: this group's records are lost, the other groups still go out.
                LogDeliveryFailed(logger, error, records.Count, group.Key.SourceBucket, group.Key.Configuration.TargetBucket);
            }
        }
    }

    private async Task WriteAsync(LogDestination destination, List<PendingLogRecord> records, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var configuration = destination.Configuration;
        var source = access.Rules(destination.SourceBucket);
        LogDeliveryPermission.Check(access, source, accounts.FindByAppId(source.Bucket.OwnerAppId), configuration);
        var body = new StringBuilder(records.Sum(r => r.Line.Length + 1));
        foreach (var record in records)
        {
            body.Append(record.Line).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(body.ToString());
        await objects.PutObjectAsync(new PutObjectRequest
        {
            Bucket = configuration.TargetBucket,
            Key = LogKey(destination, configuration.PartitionDate == LogPartitionDate.EventTime ? records[0].At : now, now),
            Body = new MemoryStream(bytes),
            ContentLength = bytes.Length,
            ContentType = "text/plain",
        }, cancellationToken);
    }

    /// <summary>
    /// <c>&lt;prefix&gt;YYYY-mm-DD-HH-MM-SS-&lt;16 hex&gt;</c>, or partitioned
    /// <c>&lt;prefix&gt;&lt;account&gt;/&lt;region&gt;/&lt;bucket&gt;/YYYY/mm/DD/YYYY-mm-DD-HH-MM-SS-&lt;16 hex&gt;</c> dated by
    /// <paramref name="partitionDate"/>: the names S3 gives its log objects.
    /// </summary>
    internal static string LogKey(LogDestination destination, DateTimeOffset partitionDate, DateTimeOffset deliveredAt)
    {
        var configuration = destination.Configuration;
        var name = deliveredAt.UtcDateTime.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture) + "-" + RandomNumberGenerator.GetHexString(16);
        return configuration.KeyFormat == LogKeyFormat.Simple
            ? configuration.TargetPrefix + name
            : $"{configuration.TargetPrefix}{destination.SourceOwnerUin}/{destination.SourceRegion}/{destination.SourceBucket}/" +
              $"{partitionDate.UtcDateTime.ToString("yyyy'/'MM'/'dd", CultureInfo.InvariantCulture)}/{name}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access log: {Count} records of bucket {Bucket} dropped, not delivered to {Target}: {Reason}")]
    private static partial void LogDropped(ILogger logger, int count, string bucket, string target, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Access log: {Count} records of bucket {Bucket} dropped, their delivery to {Target} failed")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception error, int count, string bucket, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access log: {Count} records dropped since the last delivery, the buffer holding {MaxRecords} records or {MaxBytes} bytes already")]
    private static partial void LogBufferFull(ILogger logger, long count, int maxRecords, long maxBytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Access log: the delivery at shutdown failed")]
    private static partial void LogShutdownFailed(ILogger logger, Exception error);
}
