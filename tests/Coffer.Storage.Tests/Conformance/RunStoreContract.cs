using System.Collections.Concurrent;
using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>What <see cref="IRunReader"/> and <see cref="IRunWriter"/> promise: a queue that two runners never both take from.</summary>
public abstract class RunStoreContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    [Fact]
    public async Task Insert_RoundTripsEveryField_AndUpdateReplacesThem()
    {
        var bucket = await CreateBucketAsync();
        var run = Run(bucket, "job-1", "inv", 1) with
        {
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500),
            ObjectsScanned = 1,
            BytesScanned = 2,
            ObjectsMatched = 3,
            BytesMatched = 4,
            FilesWritten = 5,
            Progress = [7, 7],
            LeaseOwner = "node-a",
            LeaseExpires = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_060_000),
        };
        await Store.WriteAsync(w =>
        {
            w.Runs.Insert(run);
            return 0;
        });
        using (var snapshot = Store.OpenSnapshot())
        {
            snapshot.Runs.Get("job-1").Should().BeEquivalentTo(run);
            snapshot.Runs.Get("job-2").Should().BeNull();
        }

        var finished = run with
        {
            State = InventoryRunStates.Failed,
            FinishedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_001_000),
            ManifestKey = "m/manifest.json",
            ErrorCode = "AccessDenied",
            ErrorMessage = "no",
            Progress = null,
            LeaseOwner = null,
            LeaseExpires = null,
        };
        await Store.WriteAsync(w =>
        {
            w.Runs.Update(finished);
            return 0;
        });
        using (var snapshot = Store.OpenSnapshot())
        {
            snapshot.Runs.Get("job-1").Should().BeEquivalentTo(finished);
        }

        var missing = () => Store.WriteAsync(w =>
        {
            w.Runs.Update(finished with { JobId = "job-2" });
            return 0;
        });
        await missing.Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task List_IsNewestFirst_PerBucketOrConfiguration_AndPagesAfterARun()
    {
        var bucket = await CreateBucketAsync();
        var other = await CreateBucketAsync("other-1");
        await Store.WriteAsync(w =>
        {
            w.Runs.Insert(Run(bucket, "j1", "a", 1));
            w.Runs.Insert(Run(bucket, "j3", "b", 2));
            w.Runs.Insert(Run(bucket, "j2", "a", 2));
            w.Runs.Insert(Run(bucket, "j4", "a", 3));
            w.Runs.Insert(Run(other, "j5", "a", 4));
            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        snapshot.Runs.List(bucket.Id, null, 10).Select(r => r.JobId).Should().Equal("j4", "j3", "j2", "j1");
        snapshot.Runs.List(bucket.Id, "a", 10).Select(r => r.JobId).Should().Equal("j4", "j2", "j1");
        snapshot.Runs.List(bucket.Id, null, 2, snapshot.Runs.Get("j3")).Select(r => r.JobId).Should().Equal("j2", "j1");
        snapshot.Runs.List(bucket.Id, "a", 1, snapshot.Runs.Get("j4")).Select(r => r.JobId).Should().Equal("j2");
    }

    [Fact]
    public async Task Summary_IsStoredApartFromTheRun_AndReadBack()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w =>
        {
            w.Runs.Insert(Run(bucket, "job-1", "a", 1));
            return 0;
        });
        using (var snapshot = Store.OpenSnapshot())
        {
            snapshot.Runs.GetSummary("job-1").Should().BeNull();
            snapshot.Runs.GetSummary("job-2").Should().BeNull();
        }

        var summary = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        await Store.WriteAsync(w =>
        {
            w.Runs.SetSummary("job-1", summary);
            return 0;
        });
        using (var snapshot = Store.OpenSnapshot())
        {
            snapshot.Runs.GetSummary("job-1").Should().Equal(summary);
            snapshot.Runs.Get("job-1").Should().BeEquivalentTo(Run(bucket, "job-1", "a", 1));
        }
    }

    [Fact]
    public async Task ListInState_IsOldestFirst()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w =>
        {
            w.Runs.Insert(Run(bucket, "late", "a", 9));
            w.Runs.Insert(Run(bucket, "early", "a", 1));
            w.Runs.Insert(Run(bucket, "done", "a", 0) with { State = InventoryRunStates.Succeeded });
            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        snapshot.Runs.ListInState(InventoryRunStates.Queued, 10).Select(r => r.JobId).Should().Equal("early", "late");
        snapshot.Runs.ListInState(InventoryRunStates.Queued, 1).Select(r => r.JobId).Should().Equal("early");
        snapshot.Runs.ListInState(InventoryRunStates.Running, 10).Should().BeEmpty();
    }

    [Fact]
    public async Task ConcurrentRunners_ClaimingFromTheQueue_NeverTakeTheSameRun()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w =>
        {
            for (var i = 0; i < 40; i++)
            {
                w.Runs.Insert(Run(bucket, $"job-{i:D2}", "a", i));
            }

            return 0;
        });

        var claims = new ConcurrentBag<(string Runner, string JobId)>();
        var runners = Enumerable.Range(0, 6).Select(n => Task.Run(async () =>
        {
            while (await Store.WriteAsync(w =>
                   {
                       var queued = w.Runs.ListInState(InventoryRunStates.Queued, 1);
                       var next = queued.Count > 0 ? queued[0] : null;
                       if (next is not null)
                       {
                           w.Runs.Update(next with { State = InventoryRunStates.Running, LeaseOwner = $"runner-{n}" });
                       }

                       return next;
                   }) is { } claimed)
            {
                claims.Add(($"runner-{n}", claimed.JobId));
            }
        }));
        await Task.WhenAll(runners);

        claims.Select(c => c.JobId).Should().HaveCount(40).And.OnlyHaveUniqueItems();
        using var snapshot = Store.OpenSnapshot();
        foreach (var (runner, jobId) in claims)
        {
            snapshot.Runs.Get(jobId)!.LeaseOwner.Should().Be(runner);
        }
    }

    private static InventoryRunRecord Run(BucketRecord bucket, string jobId, string configId, int queuedSecond) => new()
    {
        JobId = jobId,
        BucketId = bucket.Id,
        ConfigId = configId,
        Trigger = "one-time",
        State = InventoryRunStates.Queued,
        Config = [1, 2, 3],
        QueuedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + (queuedSecond * 1000L)),
    };
}

public sealed class SqliteRunStore : RunStoreContract<SqliteTestEngine>;

public sealed class PostgresRunStore : RunStoreContract<PostgresTestEngine>;
