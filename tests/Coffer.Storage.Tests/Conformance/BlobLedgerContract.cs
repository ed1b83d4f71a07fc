using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>What <see cref="IBlobLedger"/> and the blob claims of a transaction promise.</summary>
public abstract class BlobLedgerContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    [Fact]
    public async Task AnIntent_IsListedUntilATransactionClaimsIt()
    {
        await Store.Blobs.RecordIntentAsync("0123456789abcdef");
        await Store.Blobs.RecordIntentAsync("fedcba9876543210");
        Store.Blobs.ListUnreferenced().Should().BeEquivalentTo(["0123456789abcdef", "fedcba9876543210"]);

        await Store.WriteAsync(w =>
        {
            w.ClaimBlob("0123456789abcdef");
            return 0;
        });
        Store.Blobs.ListUnreferenced().Should().Equal("fedcba9876543210");
    }

    [Fact]
    public async Task ClaimBlob_Fails_AndRollsBack_WhenTheIntentIsGone()
    {
        var bucket = await CreateBucketAsync();
        var claim = () => Store.WriteAsync(w =>
        {
            w.Versions.Insert(Version(bucket, "k"));
            w.ClaimBlob("0123456789abcdef");
            return 0;
        });
        await claim.Should().ThrowAsync<InvalidOperationException>();

        using var snapshot = Store.OpenSnapshot();
        snapshot.Buckets.HasContent(bucket.Id).Should().BeFalse();
    }

    [Fact]
    public async Task ReleaseBlobs_ListsTheLayoutsBlobs_OnlyWhenTheTransactionCommits()
    {
        var layout = new BlobLayout([new BlobSegment("0123456789abcdef", 1), new BlobSegment("fedcba9876543210", 1)]);
        var released = await Store.WriteAsync(w =>
        {
            w.ReleaseBlobs(layout);
            return w.ReleasedBlobIds.ToArray();
        });
        released.Should().Equal("0123456789abcdef", "fedcba9876543210");
        Store.Blobs.ListUnreferenced().Should().BeEquivalentTo(released);

        var rolledBack = () => Store.WriteAsync<int>(w =>
        {
            w.ReleaseBlobs(BlobLayout.Single("aaaaaaaaaaaaaaaa", 1));
            throw new InvalidOperationException("no");
        });
        await rolledBack.Should().ThrowAsync<InvalidOperationException>();
        Store.Blobs.ListUnreferenced().Should().BeEquivalentTo(released);

        await Store.Blobs.ForgetAsync(released);
        Store.Blobs.ListUnreferenced().Should().BeEmpty();
    }

    [Fact]
    public async Task TakeUnreferenced_TakesWhatIsOldEnough_AndATakenBlobCanNoLongerBeClaimed()
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        Store.Dispose();
        using var store = Engine.OpenStore(time);
        await store.Blobs.RecordIntentAsync("0000000000000001");
        time.Advance(TimeSpan.FromMinutes(1));
        await store.Blobs.RecordIntentAsync("0000000000000002");

        var taken = await store.Blobs.TakeUnreferencedAsync(time.GetUtcNow() - TimeSpan.FromSeconds(30), 10);
        taken.Should().Equal("0000000000000001");
        store.Blobs.ListUnreferenced().Should().Equal("0000000000000002");
        var claim = () => store.WriteAsync(w =>
        {
            w.ClaimBlob("0000000000000001");
            return 0;
        });
        await claim.Should().ThrowAsync<InvalidOperationException>();
        (await store.Blobs.TakeUnreferencedAsync(time.GetUtcNow().AddSeconds(1), 10)).Should().Equal("0000000000000002");
        Reopen();
    }
}

public sealed class SqliteBlobLedger : BlobLedgerContract<SqliteTestEngine>;

public sealed class PostgresBlobLedger : BlobLedgerContract<PostgresTestEngine>;
