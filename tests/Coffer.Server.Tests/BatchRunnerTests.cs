using System.Collections.Concurrent;
using System.Text;
using Coffer.Batch;
using Coffer.Composition;
using Coffer.Model.Batch;
using Coffer.Model.Objects;
using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// Runners sharing one job queue, as the nodes of a cluster do: a job is worked by one runner at a time, and one whose
/// runner died is taken over after its lease and finished from the results committed, every task once. Both engines.
/// </summary>
public abstract class BatchRunnerTests : IDisposable
{
    private const int Objects = 1_000;
    private static readonly KeyValuePair<string, string> Tag = new("batch", "yes");
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly ITestEngine _engine;
    private readonly CofferCore _core;
    private readonly string _bucket = TestServer.BucketName("runner");
    private readonly ConcurrentDictionary<string, int> _chunksByOwner = new();

    protected BatchRunnerTests(ITestEngine engine)
    {
        _engine = engine;
        _core = CofferCore.Open(new CoreOptions
        {
            DataDirectory = engine.DataDirectory,
            Metadata = engine.Location,
            Time = _time,
            Accounts = [TestAccounts.Owner],
        });
    }

    [Fact]
    public async Task TwoRunners_AtTheSameTime_WorkTheJobOnce()
    {
        var jobId = await CreateJobAsync();
        var first = Runner("node-a");
        var second = Runner("node-b");

        var worked = await Task.WhenAll(Task.Run(() => first.RunPendingAsync()), Task.Run(() => second.RunPendingAsync()));

        worked.Should().BeEquivalentTo([0, 1], "one runner claims the job and the other finds nothing to claim");
        _chunksByOwner.Should().ContainSingle("every chunk was worked by the runner that claimed the job");
        var job = _core.Jobs.Find(jobId)!;
        job.Status.Should().Be(BatchJobStates.Complete);
        job.TasksSucceeded.Should().Be(Objects);
        TaggedCount().Should().Be(Objects);
    }

    [Fact]
    public async Task ARunnerThatDies_LeavesTheJobLeased_UntilTheLeaseRunsOut_ThenAnotherFinishesIt()
    {
        var jobId = await CreateJobAsync();
        using var death = new CancellationTokenSource();
        var dying = Runner("node-a", done => { if (done >= 300) { death.Cancel(); } });

        var run = () => dying.RunPendingAsync(death.Token);
        await run.Should().ThrowAsync<OperationCanceledException>();
        var left = _core.Jobs.Find(jobId)!;
        left.Status.Should().Be(BatchJobStates.Active);
        left.LeaseOwner.Should().Be("node-a");
        left.TasksSucceeded.Should().BeInRange(300, Objects - 1);
        TaggedCount().Should().Be(left.TasksSucceeded, "each task's effect committed with its result, and nothing else");

        var survivor = Runner("node-b");
        (await survivor.RunPendingAsync()).Should().Be(0, "the dead runner's lease has not run out");
        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        (await survivor.RunPendingAsync()).Should().Be(1);

        var job = _core.Jobs.Find(jobId)!;
        job.Status.Should().Be(BatchJobStates.Complete);
        job.TasksSucceeded.Should().Be(Objects, "the survivor went on from the committed results: no task twice, none skipped");
        job.TasksFailed.Should().Be(0);
        _core.Jobs.Chunks(jobId, 0, 1000, unfinishedOnly: false).Sum(c => c.Done).Should().Be(Objects);
        TaggedCount().Should().Be(Objects);
    }

    [Fact]
    public async Task AManifestChangedAfterCreateJob_FailsTheJob_WithManifestETagMismatch_BeforeAnyTaskRuns()
    {
        var jobId = await CreateJobAsync();
        var changed = Encoding.UTF8.GetBytes($"{_bucket},object-0000\n");
        await _core.Objects.PutObjectAsync(new PutObjectRequest { Bucket = _bucket, Key = "manifest.csv", Body = new MemoryStream(changed), ContentLength = changed.Length });

        (await Runner("node-a").RunPendingAsync()).Should().Be(1);

        var job = _core.Jobs.Find(jobId)!;
        job.Status.Should().Be(BatchJobStates.Failed);
        job.FailureCode.Should().Be("ManifestETagMismatch");
        job.TotalTasks.Should().Be(0);
        (job.TasksSucceeded + job.TasksFailed).Should().Be(0);
        _core.Jobs.Chunks(jobId, 0, 10, unfinishedOnly: false).Should().BeEmpty("the job fails whole, before any chunk is kept");
        TaggedCount().Should().Be(0);
    }

    [Fact]
    public async Task AJobOfATemporaryKey_DoesNothingOnceTheKeyHasExpired()
    {
        var issued = await _core.Identities.CreateTemporaryKeyAsync(TestAccounts.Owner.AppId, TestAccounts.Owner.Uin, TimeSpan.FromHours(1), null);
        var jobId = await CreateJobAsync(new BatchCreator(TestAccounts.Owner.AppId, TestAccounts.Owner.Uin, issued.SecretId));
        _time.Advance(TimeSpan.FromHours(1));

        (await Runner("node-a").RunPendingAsync()).Should().Be(1);

        var job = _core.Jobs.Find(jobId)!;
        (job.Status, job.TasksSucceeded).Should().Be((BatchJobStates.Failed, 0), "no request signed with the expired key would be served");
        TaggedCount().Should().Be(0);
    }

    public void Dispose()
    {
        _core.Dispose();
        _engine.Dispose();
        GC.SuppressFinalize(this);
    }

    private BatchRunner Runner(string owner, Action<long>? onChunk = null) =>
        new(_core.Objects, _core.Jobs, _core.Access, _core.Identities, _time, new BatchRunnerOptions
        {
            Owner = owner,
            ChunkSize = 50,
            Parallelism = 2,
            Lease = TimeSpan.FromMinutes(1),
            ChunkDone = (_, done) =>
            {
                _chunksByOwner.AddOrUpdate(owner, 1, (_, n) => n + 1);
                onChunk?.Invoke(done);
            },
        });

    private async Task<string> CreateJobAsync(BatchCreator? creator = null)
    {
        await _core.Objects.CreateBucketAsync(_bucket, TestAccounts.Owner.AppId, TestServer.Region);
        var written = _time.GetUtcNow();
        await _core.Engine.Metadata.WriteAsync(writer =>
        {
            var bucketId = writer.Buckets.Get(_bucket)!.Id;
            for (var i = 0; i < Objects; i++)
            {
                writer.Versions.Insert(new ObjectVersionRecord
                {
                    BucketId = bucketId,
                    Key = $"object-{i:D4}",
                    VersionId = ObjectVersionRecord.NullVersionId,
                    IsLatest = true,
                    ETag = "d41d8cd98f00b204e9800998ecf8427e",
                    CreatedAt = written,
                    LastModified = written,
                });
            }

            return 0;
        });
        var csv = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, Objects).Select(i => $"{_bucket},object-{i:D4}\n")));
        var manifest = await _core.Objects.PutObjectAsync(new PutObjectRequest
        {
            Bucket = _bucket,
            Key = "manifest.csv",
            Body = new MemoryStream(csv),
            ContentLength = csv.Length,
        });
        return await _core.Jobs.CreateAsync(new CreateBatchJobRequest
        {
            Account = TestAccounts.Owner.AppId,
            ClientToken = "runner-test",
            Spec = new BatchJobSpec
            {
                Dialect = BatchDialect.S3,
                Operation = new BatchOperation { Kind = BatchOperationKind.PutObjectTagging, Tags = [Tag] },
                Manifest = new BatchManifest { Format = ManifestFormats.S3Csv, Fields = ["Bucket", "Key"], Bucket = _bucket, Key = "manifest.csv", ETag = manifest.ETag },
                Report = new BatchReport { Enabled = false },
                Creator = creator ?? new BatchCreator(TestAccounts.Owner.AppId, TestAccounts.Owner.Uin, TestAccounts.Owner.SecretId),
            },
        });
    }

    private long TaggedCount() =>
        Enumerable.Range(0, Objects).LongCount(i => _core.Objects.HeadObject(_bucket, $"object-{i:D4}", null).Tags.SequenceEqual([Tag]));
}

public sealed class SqliteBatchRunnerTests() : BatchRunnerTests(new SqliteTestEngine());

public sealed class PostgresBatchRunnerTests() : BatchRunnerTests(new PostgresTestEngine());
