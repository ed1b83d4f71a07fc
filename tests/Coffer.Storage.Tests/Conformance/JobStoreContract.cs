using System.Collections.Concurrent;
using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>What <see cref="IJobReader"/> and <see cref="IJobWriter"/> promise: jobs per account, a priority queue two runners never both take from, chunks of tasks.</summary>
public abstract class JobStoreContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    [Fact]
    public async Task Insert_RoundTripsEveryField_AndUpdateReplacesThem()
    {
        var job = Job("job-1", "1250000000", 5, 1) with
        {
            ClientToken = "token-1",
            FinishedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_009_000),
            TotalTasks = 10,
            TasksSucceeded = 7,
            TasksFailed = 2,
            ActiveMilliseconds = 1234,
            Tags = [9, 9],
            Progress = [7, 7],
            StatusReason = "because",
            FailureCode = "InvalidManifestContent",
            FailureReason = "row 3",
            LeaseOwner = "node-a",
            LeaseExpires = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_060_000),
        };
        await Store.WriteAsync(w =>
        {
            w.Jobs.Insert(job);
            return 0;
        });
        using (var snapshot = Store.OpenSnapshot())
        {
            snapshot.Jobs.Get("job-1").Should().BeEquivalentTo(job);
            snapshot.Jobs.Get("job-2").Should().BeNull();
            snapshot.Jobs.FindByToken("1250000000", "token-1")!.JobId.Should().Be("job-1");
            snapshot.Jobs.FindByToken("1250000001", "token-1").Should().BeNull();
        }

        var cancelled = job with { Status = BatchJobStates.Cancelled, Tags = null, Progress = null, LeaseOwner = null, LeaseExpires = null, Priority = 99 };
        await Store.WriteAsync(w =>
        {
            w.Jobs.Update(cancelled);
            return 0;
        });
        using (var snapshot = Store.OpenSnapshot())
        {
            snapshot.Jobs.Get("job-1").Should().BeEquivalentTo(cancelled);
        }

        var missing = () => Store.WriteAsync(w =>
        {
            w.Jobs.Update(cancelled with { JobId = "job-2" });
            return 0;
        });
        await missing.Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task Insert_OfATokenTheAccountUsedAlready_FailsTheTransaction_AndLeavesTheFirstJob()
    {
        await Store.WriteAsync(w =>
        {
            w.Jobs.Insert(Job("job-1", "1250000000", 1, 1) with { ClientToken = "same" });
            w.Jobs.Insert(Job("job-2", "1250000001", 1, 1) with { ClientToken = "same" });
            return 0;
        });

        var again = () => Store.WriteAsync(w =>
        {
            w.Jobs.Insert(Job("job-3", "1250000000", 1, 2) with { ClientToken = "same" });
            return 0;
        });
        await again.Should().ThrowAsync<Exception>();

        using var snapshot = Store.OpenSnapshot();
        snapshot.Jobs.Get("job-3").Should().BeNull();
        snapshot.Jobs.FindByToken("1250000000", "same")!.JobId.Should().Be("job-1");
    }

    [Fact]
    public async Task List_IsNewestFirst_PerAccount_FilteredByState_AndPagesAfterAJob()
    {
        await Store.WriteAsync(w =>
        {
            w.Jobs.Insert(Job("j1", "A", 1, 1));
            w.Jobs.Insert(Job("j2", "A", 1, 2) with { Status = BatchJobStates.Complete });
            w.Jobs.Insert(Job("j3", "A", 1, 3));
            w.Jobs.Insert(Job("j4", "A", 1, 3) with { Status = BatchJobStates.Active });
            w.Jobs.Insert(Job("j5", "B", 1, 4));
            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        snapshot.Jobs.List("A", [], 10).Select(j => j.JobId).Should().Equal("j4", "j3", "j2", "j1");
        snapshot.Jobs.List("A", [BatchJobStates.New, BatchJobStates.Active], 10).Select(j => j.JobId).Should().Equal("j4", "j3", "j1");
        var first = snapshot.Jobs.List("A", [], 2);
        first.Select(j => j.JobId).Should().Equal("j4", "j3");
        snapshot.Jobs.List("A", [], 2, first[^1]).Select(j => j.JobId).Should().Equal("j2", "j1");
        snapshot.Jobs.List("C", [], 10).Should().BeEmpty();
    }

    [Fact]
    public async Task ListInStates_IsHighestPriorityFirst_ThenOldest()
    {
        await Store.WriteAsync(w =>
        {
            w.Jobs.Insert(Job("low-old", "A", 1, 1));
            w.Jobs.Insert(Job("high-new", "A", 9, 5));
            w.Jobs.Insert(Job("low-new", "B", 1, 6) with { Status = BatchJobStates.Active });
            w.Jobs.Insert(Job("high-old", "B", 9, 2));
            w.Jobs.Insert(Job("done", "A", 99, 0) with { Status = BatchJobStates.Complete });
            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        snapshot.Jobs.ListInStates([BatchJobStates.New, BatchJobStates.Active], 10).Select(j => j.JobId)
            .Should().Equal("high-old", "high-new", "low-old", "low-new");
        snapshot.Jobs.ListInStates([BatchJobStates.Active], 10).Select(j => j.JobId).Should().Equal("low-new");
    }

    [Fact]
    public async Task ConcurrentRunners_ClaimingFromTheQueue_NeverTakeTheSameJob()
    {
        await Store.WriteAsync(w =>
        {
            for (var i = 0; i < 30; i++)
            {
                w.Jobs.Insert(Job($"job-{i:D2}", "A", i % 3, i));
            }

            return 0;
        });

        var claims = new ConcurrentBag<(string Runner, string JobId)>();
        var runners = Enumerable.Range(0, 5).Select(n => Task.Run(async () =>
        {
            while (await Store.WriteAsync(w =>
                   {
                       var candidates = w.Jobs.ListInStates([BatchJobStates.New], 1);
                       var next = candidates.Count > 0 ? candidates[0] : null;
                       if (next is not null)
                       {
                           w.Jobs.Update(next with { Status = BatchJobStates.Preparing, LeaseOwner = $"runner-{n}" });
                       }

                       return next;
                   }) is { } claimed)
            {
                claims.Add(($"runner-{n}", claimed.JobId));
            }
        }));
        await Task.WhenAll(runners);

        claims.Select(c => c.JobId).Should().HaveCount(30).And.OnlyHaveUniqueItems();
        using var snapshot = Store.OpenSnapshot();
        foreach (var (runner, jobId) in claims)
        {
            snapshot.Jobs.Get(jobId)!.LeaseOwner.Should().Be(runner);
        }
    }

    [Fact]
    public async Task Chunks_ListInOrder_UnfinishedOnlyWhenAsked_UpdateInPlace_AndDeleteWithTheirJob()
    {
        await Store.WriteAsync(w =>
        {
            w.Jobs.Insert(Job("job", "A", 1, 1));
            w.Jobs.Insert(Job("other", "A", 1, 1));
            w.Jobs.InsertChunks([Chunk("job", 2), Chunk("job", 0), Chunk("job", 1), Chunk("other", 0)]);
            return 0;
        });

        var finished = Chunk("job", 1) with { Done = 3, Succeeded = 2, Failed = 1, Results = [4, 2] };
        await Store.WriteAsync(w =>
        {
            w.Jobs.UpdateChunk(finished);
            return 0;
        });

        using (var snapshot = Store.OpenSnapshot())
        {
            snapshot.Jobs.ListChunks("job", 0, 10).Select(c => c.Chunk).Should().Equal(0, 1, 2);
            snapshot.Jobs.ListChunks("job", 1, 1).Select(c => c.Chunk).Should().Equal(1);
            snapshot.Jobs.ListChunks("job", 0, 10, unfinishedOnly: true).Select(c => c.Chunk).Should().Equal(0, 2);
            snapshot.Jobs.GetChunk("job", 1).Should().BeEquivalentTo(finished);
            snapshot.Jobs.GetChunk("job", 3).Should().BeNull();
        }

        await Store.WriteAsync(w =>
        {
            w.Jobs.DeleteChunks("job");
            return 0;
        });
        using (var snapshot = Store.OpenSnapshot())
        {
            snapshot.Jobs.ListChunks("job", 0, 10).Should().BeEmpty();
            snapshot.Jobs.ListChunks("other", 0, 10).Should().HaveCount(1);
        }

        var missing = () => Store.WriteAsync(w =>
        {
            w.Jobs.UpdateChunk(finished);
            return 0;
        });
        await missing.Should().ThrowAsync<InvalidOperationException>();
    }

    private static BatchJobRecord Job(string jobId, string account, int priority, int createdSecond) => new()
    {
        JobId = jobId,
        Account = account,
        Status = BatchJobStates.New,
        Priority = priority,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + (createdSecond * 1000L)),
        Spec = [1, 2, 3],
    };

    private static BatchChunkRecord Chunk(string jobId, int chunk) => new()
    {
        JobId = jobId,
        Chunk = chunk,
        Tasks = [(byte)chunk, 1],
        TaskCount = 3,
    };
}

public sealed class SqliteJobStore : JobStoreContract<SqliteTestEngine>;

public sealed class PostgresJobStore : JobStoreContract<PostgresTestEngine>;
