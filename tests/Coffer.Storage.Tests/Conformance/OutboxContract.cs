using System.Collections.Concurrent;
using System.Text;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>
/// What <see cref="IOutboxWriter"/> promises: events survive a reopen until completed, leases hand each due event to one
/// deliverer at a time (concurrent deliverers never take the same event), a lease that runs out lets another deliverer
/// take the event, and a retry waits until its next attempt.
/// </summary>
public abstract class OutboxContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    [Fact]
    public async Task Events_SurviveAReopen_AndAreLeasedOldestFirst_UntilCompleted()
    {
        await EnqueueAsync(Event("e1", "hook"), Event("e2", "hook"), Event("e3", "other"));
        Reopen();

        var leased = await Store.WriteAsync(w => w.Outbox.Lease("node-1", Now, Now.AddMinutes(1), 2));
        leased.Select(e => e.Id).Should().Equal("e1", "e2");
        leased[0].Body.Should().Equal(Encoding.UTF8.GetBytes("{\"id\":\"e1\"}"));
        leased[0].Target.Should().Be("hook");
        (await Store.WriteAsync(w => w.Outbox.Lease("node-2", Now, Now.AddMinutes(1), 10))).Select(e => e.Id).Should().Equal("e3");
        (await Store.WriteAsync(w => w.Outbox.CountByTarget())).Should().BeEquivalentTo(new Dictionary<string, long> { ["hook"] = 2, ["other"] = 1 });

        await Store.WriteAsync(w =>
        {
            w.Outbox.Complete(["e1", "e3"]);
            return 0;
        });
        (await Store.WriteAsync(w => w.Outbox.CountByTarget())).Should().BeEquivalentTo(new Dictionary<string, long> { ["hook"] = 1 });
    }

    [Fact]
    public async Task ALeaseThatRunsOut_LetsAnotherDelivererTakeTheEvent()
    {
        await EnqueueAsync(Event("e1", "hook"));
        (await Store.WriteAsync(w => w.Outbox.Lease("dead", Now, Now.AddSeconds(30), 10))).Should().ContainSingle();
        (await Store.WriteAsync(w => w.Outbox.Lease("live", Now.AddSeconds(10), Now.AddSeconds(40), 10))).Should().BeEmpty();
        (await Store.WriteAsync(w => w.Outbox.Lease("live", Now.AddSeconds(31), Now.AddSeconds(60), 10))).Select(e => e.Id).Should().Equal("e1");
    }

    [Fact]
    public async Task Retry_CountsTheAttempt_AndWaitsUntilTheNextOne_AndOnlyTheLeaseHolderMayRetry()
    {
        await EnqueueAsync(Event("e1", "hook"));
        await Store.WriteAsync(w => w.Outbox.Lease("node-1", Now, Now.AddMinutes(1), 10));
        await Store.WriteAsync(w =>
        {
            w.Outbox.Retry("e1", "node-2", Now.AddHours(1), "not mine");
            w.Outbox.Retry("e1", "node-1", Now.AddSeconds(5), "503 Service Unavailable");
            return 0;
        });

        (await Store.WriteAsync(w => w.Outbox.Lease("node-1", Now.AddSeconds(4), Now.AddMinutes(1), 10))).Should().BeEmpty();
        var again = await Store.WriteAsync(w => w.Outbox.Lease("node-1", Now.AddSeconds(5), Now.AddMinutes(1), 10));
        again.Single().Attempts.Should().Be(1);
        again.Single().LastError.Should().Be("503 Service Unavailable");
        (await Store.WriteAsync(w => w.Outbox.Drop("hook"))).Should().Be(1);
    }

    [Fact]
    public async Task ConcurrentDeliverers_NeverTakeTheSameEvent()
    {
        const int Events = 2000;
        for (var batch = 0; batch < Events / 500; batch++)
        {
            await EnqueueAsync([.. Enumerable.Range(batch * 500, 500).Select(i => Event($"e{i:D5}", "hook"))]);
        }

        var taken = new ConcurrentBag<(string Deliverer, string Id)>();
        var deliverers = Enumerable.Range(0, 4).Select(d => Task.Run(async () =>
        {
            while (true)
            {
                var leased = await Store.WriteAsync(w => w.Outbox.Lease($"d{d}", Now, Now.AddMinutes(5), 37));
                if (leased.Count == 0)
                {
                    return;
                }

                foreach (var e in leased)
                {
                    taken.Add(($"d{d}", e.Id));
                }
            }
        })).ToArray();
        await Task.WhenAll(deliverers);

        taken.Select(t => t.Id).Should().HaveCount(Events).And.OnlyHaveUniqueItems("a leased event is taken by no one else");
    }

    private Task EnqueueAsync(params OutboxEvent[] events) => Store.WriteAsync(w =>
    {
        foreach (var e in events)
        {
            w.Outbox.Enqueue(e);
        }

        return 0;
    });

    private static OutboxEvent Event(string id, string target) => new()
    {
        Id = id,
        Target = target,
        Body = Encoding.UTF8.GetBytes($"{{\"id\":\"{id}\"}}"),
        QueuedAt = Now,
        NextAttempt = Now,
    };
}

public sealed class SqliteOutbox : OutboxContract<SqliteTestEngine>;

public sealed class PostgresOutbox : OutboxContract<PostgresTestEngine>;
