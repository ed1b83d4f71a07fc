using Coffer.Model.Notifications;
using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>
/// A target's queue limit, as <see cref="ObjectEvents"/> keeps it on each engine: a recount of the outbox never forgets an
/// event queued while it counted, so the events of one process never pass the limit, whatever the order of the two.
/// </summary>
public abstract class NotificationQueueLimitContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    private const int Limit = 2;
    protected static readonly NotificationTarget Target = new("small", new Uri("http://127.0.0.1:9/"), QueueLimit: Limit);

    protected NotificationQueueLimitContract() => Events = new ObjectEvents(Store, [Target], TimeProvider.System);

    protected ObjectEvents Events { get; }

    [Fact]
    public async Task Recount_CountsAnEnqueueInFlight_AndTheLimitHolds()
    {
        var bucket = await CreateBucketWithRuleAsync();
        using var release = new ManualResetEventSlim();
        var inFlight = await EnqueueHeldAsync(bucket, "k0", release);

        // SQLite queues the recount behind the open transaction; PostgreSQL must wait for it rather than count without it.
        var recount = Events.RecountAsync();
        await UntilEndedOrWaitingForTheOutboxAsync(recount);
        release.Set();
        await inFlight;
        await recount;

        await FillPastTheLimitAsync(bucket, "k1", "k2", "k3");
    }

    [Fact]
    public async Task Recount_CountsAnEnqueueOrderedAfterIt_AndTheLimitHolds()
    {
        var bucket = await CreateBucketWithRuleAsync();
        using var entered = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        var blocker = HoldAsync(_ => { }, entered, release);
        await entered.WaitAsync();

        // On SQLite both wait behind the blocker and then run in one group, the recount's count first, the enqueue after it.
        var recount = Events.RecountAsync();
        var enqueue = RecordAsync(bucket, "k0");
        release.Set();
        await Task.WhenAll(blocker, recount, enqueue);

        await FillPastTheLimitAsync(bucket, "k1", "k2", "k3");
    }

    /// <summary>Queues events for <paramref name="keys"/> one write each; the queue ends at the limit, the rest dropped.</summary>
    private async Task FillPastTheLimitAsync(BucketRecord bucket, params string[] keys)
    {
        foreach (var key in keys)
        {
            await RecordAsync(bucket, key);
        }

        (await Store.WriteAsync(w => w.Outbox.CountByTarget())).Should().Equal(new Dictionary<string, long> { [Target.Id] = Limit });
        Events.Dropped[Target.Id].Should().Be(keys.Length + 1 - Limit);
    }

    protected async Task<BucketRecord> CreateBucketWithRuleAsync()
    {
        var bucket = await CreateBucketAsync();
        await Events.PutAsync(bucket.Name, new NotificationConfiguration(
            [new NotificationRule("all", NotificationTarget.ArnOf(Target.Id), ["s3:ObjectCreated:*"], Prefix: null, Suffix: null)]));
        return bucket;
    }

    /// <summary>
    /// A write transaction that does <paramref name="work"/>, says so, and waits for <paramref name="release"/> before it
    /// commits; on a thread of its own, as PostgreSQL may run the work on the caller's.
    /// </summary>
    private Task<int> HoldAsync(Action<IMetadataTransaction> work, SemaphoreSlim done, ManualResetEventSlim release) => Task.Run(() => Store.WriteAsync(w =>
    {
        work(w);
        done.Release();
        release.Wait();
        return 0;
    }));

    /// <summary>
    /// Queues <paramref name="key"/>'s event in a write transaction that waits for <paramref name="release"/> before it
    /// commits; returns that transaction's task once its insert has run.
    /// </summary>
    protected async Task<Task<int>> EnqueueHeldAsync(BucketRecord bucket, string key, ManualResetEventSlim release)
    {
        using var inserted = new SemaphoreSlim(0);
        var inFlight = HoldAsync(w => Record(w, bucket, key), inserted, release);
        await inserted.WaitAsync();
        return inFlight;
    }

    private Task<int> RecordAsync(BucketRecord bucket, string key) => Store.WriteAsync(w =>
    {
        Record(w, bucket, key);
        return 0;
    });

    private void Record(IMetadataTransaction writer, BucketRecord bucket, string key) =>
        Events.Record(writer, bucket, "s3:ObjectCreated:Put", Version(bucket, key));

    /// <summary>Until the recount ended, or (PostgreSQL) waits for a lock on the outbox; SQLite's single writer queued it already.</summary>
    private async Task UntilEndedOrWaitingForTheOutboxAsync(Task recount)
    {
        if (Engine is not PostgresTestEngine postgres)
        {
            return;
        }

        const string Waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'notification_outbox'::regclass " +
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
        while (!recount.IsCompleted && Convert.ToInt64(PostgresTestCluster.Scalar(postgres.Url, Waiting), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            await Task.Delay(10);
        }
    }
}

public sealed class SqliteNotificationQueueLimit : NotificationQueueLimitContract<SqliteTestEngine>;

public sealed class PostgresNotificationQueueLimit : NotificationQueueLimitContract<PostgresTestEngine>
{
    [Fact]
    public async Task Recount_CountsWithoutTheLock_WhenATransactionHoldsTheOutboxPastTheTimeout()
    {
        var bucket = await CreateBucketWithRuleAsync();
        using var release = new ManualResetEventSlim();
        var inFlight = await EnqueueHeldAsync(bucket, "k0", release);
        try
        {
            // Every enqueuer queues behind a waiting lock, so the recount gives up on it rather than wait for the holder.
            await Events.RecountAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            release.Set();
            await inFlight;
        }

        (await Store.WriteAsync(w => w.Outbox.CountByTarget())).Should().Equal(new Dictionary<string, long> { [Target.Id] = 1 });
    }
}
