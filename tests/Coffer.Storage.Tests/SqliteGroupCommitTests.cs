using Coffer.Storage.Records;
using Coffer.Storage.Sqlite;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

/// <summary>
/// The SQLite engine's group commit: writes that queue while a commit is in progress share the next transaction and
/// its one fsync, each in a savepoint of its own. A first write that blocks on a gate holds the writer, so the writes
/// queued behind it are known to share one batch.
/// </summary>
public sealed class SqliteGroupCommitTests : IDisposable
{
    private readonly TempDirectory _directory = new("group-commit");
    private readonly SqliteMetadataStore _store;
    private readonly BucketRecord _bucket;

    public SqliteGroupCommitTests()
    {
        _store = SqliteMetadataStore.Open(_directory.Combine(SqliteMetadataStore.FileName), TimeProvider.System);
        _bucket = _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "b-1250000000", OwnerAppId = "1250000000", Region = "r" }))
            .GetAwaiter().GetResult();
    }

    [Fact]
    public async Task ConcurrentWrites_ShareOneCommit()
    {
        var (gate, holder) = HoldTheWriter();
        var before = _store.Commits;
        var writes = Enumerable.Range(0, 50).Select(i => _store.WriteAsync(w => w.Versions.Insert(Version($"k{i:00}")))).ToArray();
        gate.Set();
        await holder;
        var inserted = await Task.WhenAll(writes);

        (_store.Commits - before).Should().Be(2, "the holder commits alone, then the 50 writes queued behind it commit together");
        inserted.Select(v => v.Sequence).Should().BeInAscendingOrder("the works run in queue order");
        using var snapshot = _store.OpenSnapshot();
        snapshot.Versions.ScanLatest(_bucket.Id, "", true, null).Select(v => v.Key).Should().HaveCount(50);
    }

    [Fact]
    public async Task AFailingWrite_IsRolledBackAlone_AndOnlyItsCallerSeesTheError()
    {
        var (gate, holder) = HoldTheWriter();
        var first = _store.WriteAsync(w => w.Versions.Insert(Version("a")));
        var failing = _store.WriteAsync<int>(w =>
        {
            w.Versions.Insert(Version("half-done"));
            throw new InvalidOperationException("changed my mind");
        });
        var last = _store.WriteAsync(w => w.Versions.Insert(Version("b")));
        gate.Set();
        await holder;

        await first;
        await last;
        await failing.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("changed my mind");
        using var snapshot = _store.OpenSnapshot();
        snapshot.Versions.GetLatest(_bucket.Id, "half-done").Should().BeNull();
        snapshot.Versions.GetLatest(_bucket.Id, "a").Should().NotBeNull();
        snapshot.Versions.GetLatest(_bucket.Id, "b").Should().NotBeNull();
    }

    [Fact]
    public async Task AConstraintViolation_FailsOnlyItsWrite()
    {
        var (gate, holder) = HoldTheWriter();
        var first = _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "same-1250000000", OwnerAppId = "1250000000", Region = "r" }));
        var second = _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "same-1250000000", OwnerAppId = "1250000000", Region = "r" }));
        var third = _store.WriteAsync(w => w.Versions.Insert(Version("after")));
        gate.Set();
        await holder;

        await first;
        await second.Invoking(t => t).Should().ThrowAsync<Microsoft.Data.Sqlite.SqliteException>();
        await third;
        using var snapshot = _store.OpenSnapshot();
        snapshot.Buckets.Get("same-1250000000").Should().NotBeNull();
        snapshot.Versions.GetLatest(_bucket.Id, "after").Should().NotBeNull();
    }

    [Fact]
    public async Task AFailingInlineInsert_FailsOnlyItsWrite_AndTheSameInsertRunsForTheWritesAfterIt()
    {
        await _store.WriteAsync(w => Insert(w, "taken", 1));
        var (gate, holder) = HoldTheWriter();
        var first = _store.WriteAsync(w => Insert(w, "first", 2));
        var duplicate = _store.WriteAsync(w =>
        {
            w.Versions.Insert(Version("duplicate"));
            return Insert(w, "taken", 3);
        });
        var last = _store.WriteAsync(w => Insert(w, "last", 4));
        gate.Set();
        await holder;

        await first;
        await last;
        (await duplicate.Invoking(t => t).Should().ThrowAsync<Microsoft.Data.Sqlite.SqliteException>())
            .Which.SqliteErrorCode.Should().Be(SQLitePCL.raw.SQLITE_CONSTRAINT);
        using var snapshot = _store.OpenSnapshot();
        snapshot.InlineBlobs.Get("first").Should().Equal(2);
        snapshot.InlineBlobs.Get("last").Should().Equal(4);
        snapshot.InlineBlobs.Get("taken").Should().Equal(1);
        snapshot.Versions.GetLatest(_bucket.Id, "duplicate").Should().BeNull();

        static int Insert(IMetadataTransaction writer, string blobId, byte value)
        {
            writer.InlineBlobs.Insert(blobId, [value]);
            return value;
        }
    }

    [Fact]
    public async Task EachWriteInABatch_SeesOnlyTheBlobsItReleased()
    {
        var (gate, holder) = HoldTheWriter();
        var writes = Enumerable.Range(0, 10).Select(i => _store.WriteAsync(w =>
        {
            w.ReleaseBlobs(BlobLayout.Single($"{i:x2}00000000000000", 1));
            return w.ReleasedBlobIds.ToArray();
        })).ToArray();
        gate.Set();
        await holder;

        var released = await Task.WhenAll(writes);
        for (var i = 0; i < released.Length; i++)
        {
            released[i].Should().Equal($"{i:x2}00000000000000");
        }
    }

    [Fact]
    public async Task AWriteCancelledWhileQueued_NeverRuns()
    {
        var (gate, holder) = HoldTheWriter();
        using var cancel = new CancellationTokenSource();
        var ran = false;
        var cancelled = _store.WriteAsync(w =>
        {
            ran = true;
            return w.Versions.Insert(Version("never"));
        }, cancel.Token);
        await cancel.CancelAsync();
        gate.Set();
        await holder;

        await cancelled.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        await _store.WriteAsync(w => 0);
        ran.Should().BeFalse();
    }

    [Fact]
    public async Task IntentsAndForgets_GoThroughTheQueue_WithoutAPragmaSwitch()
    {
        var (gate, holder) = HoldTheWriter();
        var intents = Enumerable.Range(0, 5).Select(i => _store.Blobs.RecordIntentAsync($"{i:x2}11111111111111")).ToArray();
        var before = _store.Commits;
        gate.Set();
        await holder;
        await Task.WhenAll(intents);

        (_store.Commits - before).Should().BeLessThanOrEqualTo(2);
        _store.Blobs.ListUnreferenced().Should().HaveCount(5);
        await _store.Blobs.ForgetAsync(_store.Blobs.ListUnreferenced().ToArray());
        _store.Blobs.ListUnreferenced().Should().BeEmpty();
    }

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    /// <summary>Starts a write that holds the writer thread until the gate opens.</summary>
    private (ManualResetEventSlim Gate, Task Holder) HoldTheWriter()
    {
        var gate = new ManualResetEventSlim();
        var running = new ManualResetEventSlim();
        var holder = _store.WriteAsync(_ =>
        {
            running.Set();
            gate.Wait(TimeSpan.FromSeconds(30));
            return 0;
        });
        running.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        return (gate, holder);
    }

    private ObjectVersionRecord Version(string key) => new()
    {
        BucketId = _bucket.Id,
        Key = key,
        VersionId = ObjectVersionRecord.NullVersionId,
        IsLatest = true,
        ETag = "0123456789abcdef0123456789abcdef",
    };
}
