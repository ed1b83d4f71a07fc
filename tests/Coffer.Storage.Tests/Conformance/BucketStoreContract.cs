using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>What <see cref="IBucketReader"/> and <see cref="IBucketWriter"/> promise.</summary>
public abstract class BucketStoreContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    [Fact]
    public async Task Create_AssignsAnId_AndTheBucketReadsBackByNameAndById()
    {
        var created = await CreateBucketAsync();
        created.Id.Should().BePositive();

        using var snapshot = Store.OpenSnapshot();
        snapshot.Buckets.Get("b-1250000000").Should().BeEquivalentTo(created);
        snapshot.Buckets.Get(created.Id).Should().BeEquivalentTo(created);
        snapshot.Buckets.Get("other-1250000000").Should().BeNull();
        snapshot.Buckets.Get(created.Id + 1000).Should().BeNull();
    }

    [Fact]
    public async Task Create_NeverReusesTheIdOfADeletedBucket()
    {
        // Runs, journal entries and other rows keyed by a bucket's id outlive it: a new bucket must not inherit them.
        await CreateBucketAsync("a-1250000000");
        var deleted = await CreateBucketAsync("b-1250000000");
        (await Store.WriteAsync(w => w.Buckets.DeleteIfEmpty(deleted.Id))).Should().BeTrue();

        var again = await CreateBucketAsync("b-1250000000");

        again.Id.Should().BeGreaterThan(deleted.Id);
    }

    [Fact]
    public async Task Create_Fails_ForANameTaken()
    {
        await CreateBucketAsync();
        var again = () => CreateBucketAsync();
        await again.Should().ThrowAsync<Exception>();

        using var snapshot = Store.OpenSnapshot();
        snapshot.Buckets.List("1250000000").Should().ContainSingle();
    }

    [Fact]
    public async Task List_ReturnsTheOwnersBuckets_InUtf8ByteOrder()
    {
        foreach (var name in new[] { "b-1", "a-1", "B-1", "é-1", "a0-1" })
        {
            await CreateBucketAsync(name, "1");
        }

        await CreateBucketAsync("c-2", "2");

        using var snapshot = Store.OpenSnapshot();
        snapshot.Buckets.List("1").Select(b => b.Name).Should().Equal("B-1", "a-1", "a0-1", "b-1", "é-1");
        snapshot.Buckets.List("2").Select(b => b.Name).Should().Equal("c-2");
        snapshot.Buckets.List("3").Should().BeEmpty();
    }

    [Fact]
    public async Task SetVersioning_IsRead_ByTheNextSnapshot()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w =>
        {
            w.Buckets.SetVersioning(bucket.Id, VersioningState.Suspended);
            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        snapshot.Buckets.Get(bucket.Id)!.Versioning.Should().Be(VersioningState.Suspended);
    }

    [Fact]
    public async Task DeleteIfEmpty_DeletesTheBucketAndItsConfigurations_WhenItHoldsNothing()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w => w.Configs.Put(bucket.Id, "policy", "", [1], DateTimeOffset.UnixEpoch));

        (await Store.WriteAsync(w => w.Buckets.DeleteIfEmpty(bucket.Id))).Should().BeTrue();

        using var snapshot = Store.OpenSnapshot();
        snapshot.Buckets.Get(bucket.Id).Should().BeNull();
        snapshot.Configs.Get(bucket.Id, "policy", "").Should().BeNull();
    }

    [Fact]
    public async Task DeleteIfEmpty_RefusesABucket_ThatHoldsAVersionADeleteMarkerOrAnUpload()
    {
        var withVersion = await CreateBucketAsync("v-1");
        await InsertAsync(withVersion, "k");
        var withMarker = await CreateBucketAsync("m-1");
        await InsertAsync(withMarker, "k", isDeleteMarker: true);
        var withUpload = await CreateBucketAsync("u-1");
        await Store.WriteAsync(w =>
        {
            w.Uploads.Insert(new MultipartUploadRecord { BucketId = withUpload.Id, UploadId = "up", Key = "k" });
            return 0;
        });

        foreach (var bucket in new[] { withVersion, withMarker, withUpload })
        {
            (await Store.WriteAsync(w => w.Buckets.DeleteIfEmpty(bucket.Id))).Should().BeFalse();
            using var snapshot = Store.OpenSnapshot();
            snapshot.Buckets.HasContent(bucket.Id).Should().BeTrue();
            snapshot.Buckets.Get(bucket.Id).Should().NotBeNull();
        }
    }

    [Fact]
    public async Task DeleteIfEmpty_NeverLeavesAnObjectWithoutItsBucket_WhenAPutRacesIt()
    {
        // Many rounds of: one transaction reads the bucket and adds an object, another deletes the bucket if empty.
        // Whatever order they take, an object never outlives its bucket.
        for (var round = 0; round < 20; round++)
        {
            var bucket = await CreateBucketAsync($"race-{round}");
            var put = Task.Run(() => Store.WriteAsync(w => w.Buckets.Get(bucket.Name) is { } found ? w.Versions.Insert(Version(found, "k")) : null));
            var delete = Task.Run(() => Store.WriteAsync(w => w.Buckets.DeleteIfEmpty(bucket.Id)));
            var (inserted, deleted) = (await put, await delete);

            using var snapshot = Store.OpenSnapshot();
            (inserted is not null && deleted).Should().BeFalse("an object was added and its bucket deleted");
            snapshot.Buckets.Get(bucket.Id).Should().Match<BucketRecord?>(b => (b != null) == !deleted);
            snapshot.Versions.GetLatest(bucket.Id, "k").Should().Match<ObjectVersionRecord?>(v => (v != null) == (inserted != null));
        }
    }
}

public sealed class SqliteBucketStore : BucketStoreContract<SqliteTestEngine>;

public sealed class PostgresBucketStore : BucketStoreContract<PostgresTestEngine>;
