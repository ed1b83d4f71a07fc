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
/// Writes the buffered access-log records every <see cref="AccessLogServiceOptions.FlushInterval"/> (sooner when the
/// buffer is half full) and once more at shutdown: one object per source bucket, target and delivery (and event day when
/// keys are partitioned by it), through the object service as any PUT is (so the journal, inventory and notifications
/// see it). Each delivery checks the target again for the key it writes (<see cref="LogDeliveryPermission"/>):
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
    private long _refused;

    /// <summary>Records their target refused (its policy or ACL, a missing target, a name too long) since the start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    protected override string Name => "Access log delivery";

    protected override bool WaitsFirst => true;

    // Not cancelled at shutdown: the records a round has taken from the buffer are in no other hands, so the round
    // finishes (the host's shutdown timeout bounds it) and StopAsync then delivers what came after.
    protected override Task RunRoundAsync(CancellationToken cancellationToken) => DeliverAsync();

    /// <summary>The flush interval, or less when the buffer is half full: a burst is written out before it overflows the buffer.</summary>
    protected override async Task WaitAsync(CancellationToken cancellationToken)
    {
        using var early = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(Task.Delay(options.AccessLogs.FlushInterval, time, early.Token), buffer.WaitHalfFullAsync(early.Token));
        await early.CancelAsync();
    }

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

        foreach (var group in buffer.Drain().GroupBy(r => (r.Destination, EventDay: EventDayOf(r))))
        {
            var (destination, eventDay) = group.Key;
            var records = group.ToList();
            try
            {
                await WriteAsync(destination, records, eventDay, now, CancellationToken.None);
            }
            catch (CofferException error)
            {
                Interlocked.Add(ref _refused, records.Count);
                LogDropped(logger, records.Count, destination.SourceBucket, destination.Configuration.TargetBucket, error.Message);
            }
            catch (Exception error)
            {
                // The database away, a disk error: this group's records are lost, the other groups still go out.
                LogDeliveryFailed(logger, error, records.Count, destination.SourceBucket, destination.Configuration.TargetBucket);
            }
        }
    }

    /// <summary>
    /// The UTC day a record's object is named by when its keys are partitioned by event time (S3 writes one day's records
    /// to an object of that day); null when the object is named by its delivery.
    /// </summary>
    private static DateOnly? EventDayOf(PendingLogRecord record) => EventDayOf(record.Destination, record.At);

    private static DateOnly? EventDayOf(LogDestination destination, DateTimeOffset at) =>
        destination.Configuration is { KeyFormat: LogKeyFormat.Partitioned, PartitionDate: LogPartitionDate.EventTime }
            ? DateOnly.FromDateTime(at.UtcDateTime)
            : null;

    /// <summary>The key a record made at <paramref name="at"/> and delivered then would be written to: what PUT Bucket logging checks permission on.</summary>
    internal static string SampleLogKey(LogDestination destination, DateTimeOffset at) => LogKey(destination, EventDayOf(destination, at), at);

    private async Task WriteAsync(LogDestination destination, List<PendingLogRecord> records, DateOnly? eventDay, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var configuration = destination.Configuration;
        var key = LogKey(destination, eventDay, now);
        var source = access.Rules(destination.SourceBucket);
        LogDeliveryPermission.Check(access, source, accounts.FindByAppId(source.Bucket.OwnerAppId), configuration, key);
        var body = new StringBuilder(records.Sum(r => r.Line.Length + 1));
        foreach (var record in records)
        {
            body.Append(record.Line).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(body.ToString());
        await objects.PutObjectAsync(new PutObjectRequest
        {
            Bucket = configuration.TargetBucket,
            Key = key,
            Body = new MemoryStream(bytes),
            ContentLength = bytes.Length,
            ContentType = "text/plain",
        }, cancellationToken);
    }

    /// <summary>
    /// <c>&lt;prefix&gt;YYYY-mm-DD-HH-MM-SS-&lt;16 hex&gt;</c> dated by the delivery, or partitioned
    /// <c>&lt;prefix&gt;&lt;account&gt;/&lt;region&gt;/&lt;bucket&gt;/YYYY/mm/DD/YYYY-mm-DD-HH-MM-SS-&lt;16 hex&gt;</c>: the names S3
    /// gives its log objects. With <paramref name="eventDay"/> (PartitionDateSource EventTime) both dates are that day's
    /// and the time 00-00-00, as S3 documents it.
    /// </summary>
    internal static string LogKey(LogDestination destination, DateOnly? eventDay, DateTimeOffset deliveredAt)
    {
        var configuration = destination.Configuration;
        var dated = eventDay?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) ?? deliveredAt.UtcDateTime;
        var name = dated.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture) + "-" + RandomNumberGenerator.GetHexString(UniqueLength);
        return configuration.KeyFormat == LogKeyFormat.Simple
            ? configuration.TargetPrefix + name
            : $"{PartitionOf(destination)}{dated.ToString("yyyy'/'MM'/'dd", CultureInfo.InvariantCulture)}/{name}";
    }

    private const int UniqueLength = 16;

    private static string PartitionOf(LogDestination destination) =>
        $"{destination.Configuration.TargetPrefix}{destination.SourceOwnerUin}/{destination.SourceRegion}/{destination.SourceBucket}/";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access log: {Count} records of bucket {Bucket} dropped, not delivered to {Target}: {Reason}")]
    private static partial void LogDropped(ILogger logger, int count, string bucket, string target, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Access log: {Count} records of bucket {Bucket} dropped, their delivery to {Target} failed")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception error, int count, string bucket, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access log: {Count} records dropped since the last delivery, the buffer holding {MaxRecords} records or {MaxBytes} bytes already")]
    private static partial void LogBufferFull(ILogger logger, long count, int maxRecords, long maxBytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Access log: the delivery at shutdown failed")]
    private static partial void LogShutdownFailed(ILogger logger, Exception error);
}
