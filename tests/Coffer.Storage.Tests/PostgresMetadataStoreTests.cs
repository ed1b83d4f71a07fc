using System.Diagnostics;
using System.Text;
using Coffer.Composition;
using Coffer.Storage.Postgres;
using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

/// <summary>
/// What only the PostgreSQL engine does: its URL, schema versioning, failures to connect and the limit on a stalled
/// node's write transactions (the shared contract is in Conformance/).
/// </summary>
public sealed class PostgresMetadataStoreTests : IDisposable
{
    private readonly PostgresTestEngine _engine = new();
    private readonly List<string> _roles = [];

    [Fact]
    public void Open_CreatesTheSchemaOnce_AndRecordsItsVersion()
    {
        using (_engine.OpenStore())
        {
        }

        using (_engine.OpenStore())
        {
        }

        PostgresTestCluster.Scalar(_engine.Url, "SELECT string_agg(version::text, ',') FROM coffer_schema").Should().Be("1");
        PostgresTestCluster.Scalar(_engine.Url, "SELECT collation_name FROM information_schema.columns WHERE table_name = 'object_versions' AND column_name = 'key'")
            .Should().Be("C");
    }

    [Theory]
    [InlineData("DROP TABLE notification_outbox", "notification_outbox.")]
    [InlineData("ALTER TABLE object_versions DROP COLUMN died_xid", "object_versions.died_xid")]
    public void Open_RefusesADatabaseOfItsVersion_ThatLacksATableOrColumnOfIt_AsAnEarlierDevelopmentBuildMadeIt(string change, string lacking)
    {
        using (_engine.OpenStore())
        {
        }

        PostgresTestCluster.Scalar(_engine.Url, change);
        var open = () => _engine.OpenStore();
        open.Should().Throw<MetadataSchemaException>().WithMessage($"*lacks {lacking}*of schema version 1*development build*new database*");
    }

    [Fact]
    public void Open_RefusesASchemaNewerThanItKnows()
    {
        using (_engine.OpenStore())
        {
        }

        PostgresTestCluster.Scalar(_engine.Url, "UPDATE coffer_schema SET version = 99");
        var open = () => _engine.OpenStore();
        open.Should().Throw<InvalidOperationException>().WithMessage("*schema version 99*understands up to 1*");
    }

    [Fact]
    public void Open_SaysTheDatabaseCannotBeReached_WhenNothingListens()
    {
        var open = () => PostgresMetadataStore.Open($"postgres://coffer@127.0.0.1:{FreePort.Next()}/coffer", TimeProvider.System);
        open.Should().Throw<MetadataUnavailableException>().WithMessage("PostgreSQL coffer@127.0.0.1:*/coffer cannot be reached*");
    }

    [Fact]
    public void Open_SaysTheDatabaseCannotBeReached_WhenNoneOfSeveralHostsListens()
    {
        var (first, second) = (FreePort.Next(), FreePort.Next());
        var open = () => PostgresMetadataStore.Open($"postgres://coffer@127.0.0.1:{first}/coffer?Host=127.0.0.1:{first},127.0.0.1:{second}", TimeProvider.System);
        open.Should().Throw<MetadataUnavailableException>()
            .WithMessage($"PostgreSQL coffer@*/coffer cannot be reached: every host failed: Failed to connect to 127.0.0.1:{first}; Failed to connect to 127.0.0.1:{second}");
    }

    [Theory]
    [InlineData("database", "3D000: database \"t_missing\" does not exist")]
    [InlineData("role", "28000: role \"r_missing\" does not exist")]
    [InlineData("permission", "42501: permission denied for schema public")]
    public void Open_SaysTheServerRefusedIt_WithItsReasonInOneLine(string what, string reason)
    {
        var uri = new Uri(_engine.Url);
        var url = what switch
        {
            "database" => $"postgres://postgres@{uri.Authority}/t_missing",
            "role" => $"postgres://r_missing@{uri.Authority}{uri.AbsolutePath}",
            "permission" => $"postgres://{CreateRoleThatCannotCreateTables()}@{uri.Authority}{uri.AbsolutePath}",
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        var open = () => PostgresMetadataStore.Open(url, TimeProvider.System);
        open.Should().Throw<MetadataRefusedException>().WithMessage($"PostgreSQL *@{uri.Authority}/* refused: {reason}")
            .WithInnerException<Npgsql.PostgresException>();
    }

    [Fact]
    public async Task Write_AnswersUnavailable_WhileEveryHostIsMarkedDown_AndGoesOnOnceTheyAreTriedAgain()
    {
        // Two hosts, the second never listening; Npgsql marks a host down after a failure and skips it until its recheck.
        var url = $"{_engine.Url}?Host={new Uri(_engine.Url).Authority},127.0.0.1:{FreePort.Next()}&Host%20Recheck%20Seconds=5";
        using var store = PostgresMetadataStore.Open(url, TimeProvider.System);
        await store.WriteAsync(writer => writer.Outbox.CountByTarget());

        // The pooled connection's server goes away (as in a failover); the write that finds it out answers unavailable.
        var database = new Uri(_engine.Url).AbsolutePath.Trim('/');
        PostgresTestCluster.Scalar(_engine.Url, $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()");
        var write = () => store.WriteAsync(writer => writer.Outbox.CountByTarget());
        await write.Should().ThrowAsync<MetadataUnavailableException>();

        // The next one finds the live host marked down and the other refusing: unavailable too, not an error of its own.
        await write.Should().ThrowAsync<MetadataUnavailableException>();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                await write();
                break;
            }
            catch (MetadataUnavailableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    [Theory]
    [InlineData(0, false)] // the work's next statement reads why the database ended its transaction
    [InlineData(0, true)] // the commit does
    [InlineData(2, false)] // Npgsql's keepalive reads it first and breaks the connection: the next statement finds it broken
    [InlineData(2, true)] // the commit does
    public async Task Write_IsEndedByTheDatabase_WhenLeftIdleHoldingALock_SoAnotherNodesWriteGoesOn_AndItRunsAgain(
        int keepaliveSeconds, bool stallBeforeCommit)
    {
        var limit = TimeSpan.FromSeconds(1);
        using var stalledNode = PostgresMetadataStore.Open($"{_engine.Url}?Keepalive={keepaliveSeconds}", TimeProvider.System, limit);
        using var otherNode = PostgresMetadataStore.Open(_engine.Url, TimeProvider.System);
        using var resume = new ManualResetEventSlim();
        var locked = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = 0;

        // The count's SHARE lock keeps every insert into the outbox waiting until its transaction ends; the first attempt
        // then sends nothing for longer than the limit and the keepalive interval, as a paused node would.
        var stalledWrite = Task.Run(() => stalledNode.WriteAsync(writer =>
        {
            // Taken before the lock, so that it is earlier than the moment the database starts counting the idle time.
            var lockingAt = Stopwatch.GetTimestamp();
            writer.Outbox.LockAndCountByTarget();
            var first = Interlocked.Increment(ref attempts) == 1;
            if (first && stallBeforeCommit)
            {
                writer.Outbox.Enqueue(Event("stalled"));
            }

            if (first)
            {
                locked.SetResult(lockingAt);
                resume.Wait();
            }

            if (!(first && stallBeforeCommit))
            {
                writer.Outbox.Enqueue(Event("stalled"));
            }

            return 0;
        }));
        try
        {
            var lockedAt = await locked.Task.WaitAsync(TimeSpan.FromSeconds(20));

            // Without the limit this insert would wait for the lock until the command timed out (a minute).
            await otherNode.WriteAsync(writer =>
            {
                writer.Outbox.Enqueue(Event("other"));
                return 0;
            }).WaitAsync(TimeSpan.FromSeconds(20));
            Stopwatch.GetElapsedTime(lockedAt).Should().BeGreaterThan(limit, "the insert waited for the lock until the database ended its holder");
            attempts.Should().Be(1, "the stalled node has not gone on yet");
            await Task.Delay(TimeSpan.FromSeconds(keepaliveSeconds + 1));
        }
        finally
        {
            // Whatever happened above, the stalled work goes on and ends before the stores are disposed under it.
            resume.Set();
            await Task.WhenAny(stalledWrite, Task.Delay(TimeSpan.FromSeconds(30)));
        }

        // The database's answer waits in the socket when the node goes on (on loopback nothing drops it), so the node
        // learns that its transaction was ended and runs the work again, this time without stopping.
        await stalledWrite;
        attempts.Should().Be(2);
        var stored = await otherNode.WriteAsync(writer => writer.Outbox.Lease("reader", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(1), 10));
        stored.Select(e => e.Id).Should().BeEquivalentTo("other", "stalled");
    }

    [Fact]
    public async Task Sweep_DeletesStagingFilesAnotherNodeLeftForTenMinutes_ButNotFresherOnesNorItsOwn()
    {
        using var node = StorageEngine.Open(_engine.DataDirectory, shared: true, () => _engine.OpenStore(), TimeProvider.System);
        node.OwnsDataFolder.Should().BeFalse("a node shares the folder's lock: what another left claimed may be alive");
        var tmp = Path.Combine(_engine.DataDirectory, "tmp");
        var own = Directory.GetDirectories(tmp).Single();
        string Staged(string folder, int minutesAgo)
        {
            var path = Path.Combine(Directory.CreateDirectory(Path.Combine(tmp, folder)).FullName, $"upload-{minutesAgo}");
            File.WriteAllText(path, "part of an upload");
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-minutesAgo));
            return path;
        }

        var abandoned = Staged("killed-node", 11);
        var inFlight = Staged("live-node", 1);
        var ownPaused = Staged(Path.GetFileName(own), 11);
        var slow = Staged("slow-node", 11);
        // The slow upload's node is alive: it holds its staging folder's lock, as every node does its own.
        using var slowNodeLock = new FileStream(Path.Combine(tmp, "slow-node", "coffer.lock"), FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        File.WriteAllText(Path.Combine(tmp, "killed-node", "coffer.lock"), "");
        File.SetLastWriteTimeUtc(Path.Combine(tmp, "killed-node", "coffer.lock"), DateTime.UtcNow.AddMinutes(-30));

        await node.SweepAsync();

        File.Exists(abandoned).Should().BeFalse("its node was killed mid-upload and no node starts again to clear it");
        File.Exists(inFlight).Should().BeTrue();
        File.Exists(ownPaused).Should().BeTrue("this node's uploads are in flight while it lives");
        File.Exists(slow).Should().BeTrue("a live node's upload may go untouched for minutes between two writes");
    }

    [Fact]
    public async Task Commit_WhoseAnswerNeverCame_KeepsItsBlob_SoTheVersionItCommittedReadsWhole()
    {
        var location = MetadataLocation.Parse(_engine.Url + "?Command%20Timeout=1&Cancellation%20Timeout=500");
        using var engine = StorageEngine.Open(_engine.DataDirectory, shared: true, () => location.Open(_engine.DataDirectory, TimeProvider.System),
            TimeProvider.System);
        var bucket = await engine.Metadata.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "held-1", OwnerAppId = "1", Region = "r" }));
        // A deferred trigger holds the COMMIT of key 'held' for 5 s and swallows the cancel Npgsql sends when its 1 s
        // command timeout ends; Npgsql then gives up on the connection, and the database commits after all.
        PostgresTestCluster.Scalar(_engine.Url, """
            CREATE FUNCTION hold_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE until timestamptz := clock_timestamp() + interval '5 seconds';
            BEGIN
              IF NEW.key = 'held' THEN
                WHILE clock_timestamp() < until LOOP
                  BEGIN PERFORM pg_sleep(0.1); EXCEPTION WHEN query_canceled THEN NULL; END;
                END LOOP;
              END IF;
              RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER hold_commit AFTER INSERT ON object_versions DEFERRABLE INITIALLY DEFERRED
              FOR EACH ROW EXECUTE FUNCTION hold_commit();
            """);
        using var staged = await engine.Blobs.StageAsync(new MemoryStream(new byte[100]), 100, long.MaxValue, false, default);

        var commit = () => engine.CommitAsync(staged, w => w.Versions.Insert(new ObjectVersionRecord
        {
            BucketId = bucket.Id,
            Key = "held",
            VersionId = ObjectVersionRecord.NullVersionId,
            IsLatest = true,
            Size = staged.Length,
            Layout = BlobLayout.Single(staged.BlobId, staged.Length),
        }));

        (await commit.Should().ThrowAsync<MetadataUnavailableException>()).Which.MayHaveCommitted.Should().BeTrue();
        ObjectVersionRecord? committed = null;
        for (var waited = 0; committed is null && waited < 100; waited++)
        {
            await Task.Delay(100);
            using var view = engine.Metadata.OpenSnapshot();
            committed = view.Versions.GetLatest(bucket.Id, "held");
        }

        committed.Should().NotBeNull("the database committed what the node was never told of");
        using var content = engine.Blobs.OpenRead(committed!.Layout, 0, committed.Size);
        using var bytes = new MemoryStream();
        await content.CopyToAsync(bytes);
        bytes.Length.Should().Be(100);
        engine.Metadata.Blobs.ListUnreferenced().Should().BeEmpty("the commit claimed the blob, so no sweep may delete it");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Open_RefusesAnIdleWriteLimit_BelowOneMillisecond(int milliseconds)
    {
        var open = () => PostgresMetadataStore.Open(_engine.Url, TimeProvider.System, TimeSpan.FromMilliseconds(milliseconds));
        open.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("idleWriteLimit");
    }

    public void Dispose()
    {
        try
        {
            _engine.Dispose();
        }
        finally
        {
            foreach (var role in _roles)
            {
                PostgresTestCluster.Scalar(PostgresTestCluster.AdminUrl, $"DROP ROLE IF EXISTS {role}");
            }
        }
    }

    /// <summary>
    /// A role that may log in to the test's database but not create tables in it, as a new role finds schema public from
    /// PostgreSQL 15 on (revoked here too, for older servers). Roles belong to the cluster, so it is dropped at the end.
    /// </summary>
    private string CreateRoleThatCannotCreateTables()
    {
        var role = $"r_{Guid.NewGuid():N}";
        PostgresTestCluster.Scalar(PostgresTestCluster.AdminUrl, $"CREATE ROLE {role} LOGIN");
        _roles.Add(role);
        PostgresTestCluster.Scalar(_engine.Url, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        return role;
    }

    private static OutboxEvent Event(string id) => new()
    {
        Id = id,
        Target = "hook",
        Body = Encoding.UTF8.GetBytes($"{{\"id\":\"{id}\"}}"),
        QueuedAt = DateTimeOffset.UtcNow,
        NextAttempt = DateTimeOffset.UtcNow,
    };
}

/// <summary>How <c>--metadata</c> URLs are read.</summary>
public sealed class PostgresUrlTests
{
    [Theory]
    [InlineData("postgres://u:p%40ss@db.example:6543/meta", "Host=db.example;Port=6543;Database=meta;Username=u;Password=p@ss", "PostgreSQL u@db.example:6543/meta")]
    [InlineData("postgresql://u@10.0.0.1/meta?Maximum%20Pool%20Size=8", "Host=10.0.0.1;Port=5432;Database=meta;Username=u;Maximum Pool Size=8", "PostgreSQL u@10.0.0.1:5432/meta")]
    [InlineData("postgres://coffer@pg1/coffer?Host=pg1,pg2&Target%20Session%20Attributes=primary", "Host=pg1,pg2;Target Session Attributes=primary",
        "PostgreSQL coffer@pg1,pg2:5432/coffer")]
    public void Parse_ReadsTheUrl_AndDescribesItWithoutThePassword(string url, string expectedSettings, string description)
    {
        var (connectionString, described) = PostgresUrl.Parse(url);
        foreach (var setting in expectedSettings.Split(';'))
        {
            connectionString.Should().Contain(setting);
        }

        described.Should().Be(description);
        described.Should().NotContain("p@ss");
    }

    [Theory]
    [InlineData("postgres://db.example/meta")]
    [InlineData("postgres://u@db.example/")]
    [InlineData("mysql://u@db.example/meta")]
    [InlineData("postgres://u:secret@db.example/meta?Nonsense=1")]
    public void Parse_RefusesWhatIsNotADatabaseUrl_WithoutEchoingThePassword(string url)
    {
        var parse = () => PostgresUrl.Parse(url);
        parse.Should().Throw<ArgumentException>().Which.Message.Should().NotContain("secret");
    }

    [Theory]
    [InlineData("postgres://coffer:secret@db:port/coffer", "postgres://coffer:***@db:port/coffer")]
    [InlineData("postgres://coffer@db:port/coffer?Password=p@ss", "postgres://coffer@db:port/coffer?Password=***")]
    [InlineData("postgres://coffer:a@b@db:port/x?sslmode=disable&pwd=s3&PSW=s4&SSL%20Password=k&Ssl Password=k2&SslPassword=k3&application_name=x",
        "postgres://coffer:***@db:port/x?sslmode=disable&pwd=***&PSW=***&SSL%20Password=***&Ssl Password=***&SslPassword=***&application_name=x")]
    public void Parse_HidesEveryPassword_InTheUrlItRefuses(string url, string shown)
    {
        var parse = () => PostgresUrl.Parse(url);
        parse.Should().Throw<ArgumentException>().Which.Message.Should().Be($"'{shown}' is not postgres://USER[:PASSWORD]@HOST:PORT/DB.");
    }
}
