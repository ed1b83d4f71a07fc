using Coffer.Storage.Records;
using Coffer.Storage.Sqlite;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

/// <summary>
/// The embedded engine's writer keeps the buckets and configurations it read for the writes after it (every PUT reads
/// its bucket and its notification configuration). A write sees every change committed before it, and nothing of a
/// change that was rolled back, in a group of its own or inside a shared one.
/// </summary>
public sealed class SqliteWriterSettingsCacheTests : IDisposable
{
    private const string Name = "w-1250000000";
    private readonly TempDirectory _directory = new("sqlite-writer-cache");
    private readonly SqliteMetadataStore _store;

    public SqliteWriterSettingsCacheTests()
    {
        _store = SqliteMetadataStore.Open(_directory.Combine(SqliteMetadataStore.FileName), TimeProvider.System);
    }

    [Fact]
    public async Task BucketGet_InAWrite_SeesTheBucketDeletedRecreatedAndVersioned()
    {
        var first = await _store.WriteAsync(w => w.Buckets.Create(NewBucket()));
        (await ReadBucket())!.Id.Should().Be(first.Id);

        await _store.WriteAsync(w => w.Buckets.DeleteIfEmpty(first.Id));
        (await ReadBucket()).Should().BeNull();

        var second = await _store.WriteAsync(w => w.Buckets.Create(NewBucket() with { Region = "ap-beijing" }));
        var recreated = await ReadBucket();
        recreated!.Id.Should().Be(second.Id);
        recreated.Region.Should().Be("ap-beijing");

        await _store.WriteAsync(w =>
        {
            w.Buckets.SetVersioning(second.Id, VersioningState.Enabled);
            return 0;
        });
        (await ReadBucket())!.Versioning.Should().Be(VersioningState.Enabled);
    }

    [Fact]
    public async Task ConfigGet_InAWrite_SeesEveryPutAndDelete()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(NewBucket()));
        (await ReadConfig(bucket.Id)).Should().BeNull();

        await _store.WriteAsync(w => w.Configs.Put(bucket.Id, "notification", "default", [1], DateTimeOffset.UnixEpoch));
        (await ReadConfig(bucket.Id))!.Body.Should().Equal(1);

        await _store.WriteAsync(w => w.Configs.Put(bucket.Id, "notification", "default", [2], DateTimeOffset.UnixEpoch));
        (await ReadConfig(bucket.Id))!.Body.Should().Equal(2);

        await _store.WriteAsync(w => w.Configs.Delete(bucket.Id, "notification", "default"));
        (await ReadConfig(bucket.Id)).Should().BeNull();
    }

    [Fact]
    public async Task BucketGet_InAWrite_DoesNotSeeABucketCreatedByAWriteThatRolledBack()
    {
        var failed = _store.WriteAsync<int>(w =>
        {
            w.Buckets.Create(NewBucket());
            w.Buckets.Get(Name).Should().NotBeNull("the work sees its own change");
            throw new InvalidOperationException("changed my mind");
        });
        await failed.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>();

        (await ReadBucket()).Should().BeNull();
    }

    [Fact]
    public async Task ConfigGet_InAWrite_DoesNotSeeAConfigurationOfAWorkRolledBackInsideASharedGroup()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(NewBucket()));
        var gate = new ManualResetEventSlim();
        var running = new ManualResetEventSlim();
        var holder = _store.WriteAsync(_ =>
        {
            running.Set();
            gate.Wait(TimeSpan.FromSeconds(30));
            return 0;
        });
        running.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        var failing = _store.WriteAsync<int>(w =>
        {
            w.Configs.Put(bucket.Id, "notification", "default", [9], DateTimeOffset.UnixEpoch);
            throw new InvalidOperationException("changed my mind");
        });
        var after = _store.WriteAsync(w => w.Configs.Get(bucket.Id, "notification", "default"));
        gate.Set();
        await holder;

        await failing.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>();
        (await after).Should().BeNull("the work after it in the same group runs after its savepoint was rolled back");
        (await ReadConfig(bucket.Id)).Should().BeNull();
    }

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    private static BucketRecord NewBucket() => new() { Name = Name, OwnerAppId = "1250000000", Region = "ap-guangzhou" };

    private Task<BucketRecord?> ReadBucket() => _store.WriteAsync(w => w.Buckets.Get(Name));

    private Task<BucketConfigRecord?> ReadConfig(long bucketId) => _store.WriteAsync(w => w.Configs.Get(bucketId, "notification", "default"));
}
