using System.Collections.Concurrent;
using System.Text;
using Coffer.Common.AccessLogs;

namespace Coffer.Server.AccessLogs;

/// <summary>Where a source bucket's records go: they are written together, one object per destination and delivery.</summary>
internal sealed record LogDestination(string SourceBucket, string SourceOwnerUin, string SourceRegion, BucketLoggingConfiguration Configuration);

internal sealed record PendingLogRecord(LogDestination Destination, DateTimeOffset At, string Line);

/// <summary>
/// Access-log records waiting for delivery, in memory (best effort, as S3's server access logs are: records of a node
/// killed before a delivery are lost). Past <see cref="MaxRecords"/> records or
/// <see cref="AccessLogServiceOptions.MaxBufferedBytes"/> bytes new records are dropped and counted rather than let
/// memory grow without bound; past half of either bound <see cref="WaitHalfFullAsync"/> has the delivery start a round early.
/// </summary>
internal sealed class AccessLogBuffer(CofferServerOptions options)
{
    public const int MaxRecords = 200_000;

    private readonly ConcurrentQueue<PendingLogRecord> _records = new();
    private readonly long _maxBytes = options.AccessLogs.MaxBufferedBytes;
    private int _count;
    private long _bytes;
    private long _dropped;
    private TaskCompletionSource _halfFull = NewSignal();

    /// <summary>Records dropped because the buffer was full, since the start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Whether the buffer holds more than half its bound in records or bytes now.</summary>
    public bool IsHalfFull => Volatile.Read(ref _count) > MaxRecords / 2 || Interlocked.Read(ref _bytes) > _maxBytes / 2;

    /// <summary>
    /// Waits until the buffer is more than half full. Its signal, completed by the <see cref="Add"/> that passes half and
    /// replaced by <see cref="Drain"/>, can be completed late by an Add that saw the fill just before a Drain took it: such
    /// a signal is replaced and waited on again.
    /// </summary>
    public async Task WaitHalfFullAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _halfFull);
            await signal.Task.WaitAsync(cancellationToken);
            if (IsHalfFull)
            {
                return;
            }

            Interlocked.CompareExchange(ref _halfFull, NewSignal(), signal);
            // An Add that filled the buffer between the two checks may have completed the replaced signal: its fill shows here.
            if (IsHalfFull)
            {
                return;
            }
        }
    }

    public void Add(PendingLogRecord record)
    {
        var size = Size(record);
        if (Interlocked.Increment(ref _count) > MaxRecords)
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Increment(ref _dropped);
            return;
        }

        if (Interlocked.Add(ref _bytes, size) > _maxBytes)
        {
            Interlocked.Add(ref _bytes, -size);
            Interlocked.Decrement(ref _count);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _records.Enqueue(record);
        if (IsHalfFull)
        {
            Volatile.Read(ref _halfFull).TrySetResult();
        }
    }

    /// <summary>Takes every record buffered so far, in arrival order.</summary>
    public List<PendingLogRecord> Drain()
    {
        if (Volatile.Read(ref _halfFull).Task.IsCompleted)
        {
            Volatile.Write(ref _halfFull, NewSignal());
        }

        var taken = new List<PendingLogRecord>();
        while (_records.TryDequeue(out var record))
        {
            Interlocked.Add(ref _bytes, -Size(record));
            Interlocked.Decrement(ref _count);
            taken.Add(record);
        }

        return taken;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The record's line and its newline, as the delivered object holds them.</summary>
    private static long Size(PendingLogRecord record) => Encoding.UTF8.GetByteCount(record.Line) + 1;
}
