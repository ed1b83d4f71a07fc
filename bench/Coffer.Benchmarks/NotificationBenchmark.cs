using System.Diagnostics;
using Coffer.Composition;
using Coffer.Model.Notifications;
using Coffer.Storage;

namespace Coffer.Benchmarks;

/// <summary>
/// <c>notify-seed DATA_DIR COUNT TARGET</c>: queues COUNT ObjectCreated:Put events for TARGET in the outbox of a data
/// folder (COFFER_METADATA for PostgreSQL), with the bodies a PUT queues, 10,000 to a transaction. bench/notify.sh then
/// starts a server on the folder and times how fast its deliverer drains them into a local webhook, apart from how fast
/// PUTs could make them.
/// </summary>
internal static class NotificationBenchmark
{
    private const int PerTransaction = 10_000;

    public static async Task<int> SeedAsync(string[] args)
    {
        var (directory, count, target) = (args[0], int.Parse(args[1]), args[2]);
        var metadata = MetadataLocation.Parse(Environment.GetEnvironmentVariable("COFFER_METADATA"));
        using var core = CofferCore.Open(new CoreOptions { DataDirectory = directory, Metadata = metadata, Time = TimeProvider.System });
        var watch = Stopwatch.StartNew();
        var now = DateTimeOffset.UtcNow;
        for (var first = 0; first < count; first += PerTransaction)
        {
            var batch = Enumerable.Range(first, Math.Min(PerTransaction, count - first)).Select(i => new OutboxEvent
            {
                Id = Guid.CreateVersion7().ToString(),
                Target = target,
                Body = BodyOf(i, now),
                QueuedAt = now,
                NextAttempt = now,
            }).ToArray();
            await core.Engine.Metadata.WriteAsync(w =>
            {
                foreach (var outboxEvent in batch)
                {
                    w.Outbox.Enqueue(outboxEvent);
                }

                return 0;
            });
        }

        Console.WriteLine($"{{\"queued\":{count},\"seconds\":{watch.Elapsed.TotalSeconds:0.000}}}");
        return 0;
    }

    private static byte[] BodyOf(int i, DateTimeOffset time) => EventRecord.Write(new EventDetails
    {
        EventName = "s3:ObjectCreated:Put",
        Time = time,
        Region = "ap-guangzhou",
        Bucket = "bench-1250000000",
        BucketOwner = "100000000001",
        Key = $"dir-{i % 100}/object-{i:000000000}.bin",
        Size = 1024,
        ETag = $"{i:x32}",
        VersionId = null,
        Sequencer = $"{i:X16}",
    }, "bench", new RequestOrigin("100000000001", "127.0.0.1", Guid.NewGuid().ToString("N")));
}
