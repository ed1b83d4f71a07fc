using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>What <see cref="IInlineBlobWriter"/> promises, and how releasing a layout treats its inline blobs.</summary>
public abstract class InlineBlobStoreContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    private static readonly byte[] Payload = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public async Task Insert_ThenGet_ReturnsTheBytes_AndDelete_RemovesThem()
    {
        await Store.WriteAsync(w =>
        {
            w.InlineBlobs.Insert("0123456789abcdef", Payload);
            w.InlineBlobs.Insert("fedcba9876543210", []);
            return w.InlineBlobs.Get("0123456789abcdef")!.Length;
        });
        using (var snapshot = Store.OpenSnapshot())
        {
            snapshot.InlineBlobs.Get("0123456789abcdef").Should().Equal(Payload);
            snapshot.InlineBlobs.Get("fedcba9876543210").Should().BeEmpty();
            snapshot.InlineBlobs.Get("aaaaaaaaaaaaaaaa").Should().BeNull();
        }

        (await Store.WriteAsync(w => w.InlineBlobs.Delete("0123456789abcdef"))).Should().BeTrue();
        (await Store.WriteAsync(w => w.InlineBlobs.Delete("0123456789abcdef"))).Should().BeFalse();
        using var after = Store.OpenSnapshot();
        after.InlineBlobs.Get("0123456789abcdef").Should().BeNull();
    }

    [Fact]
    public async Task Insert_OfAnIdInUse_Fails_AndRollsBackItsTransaction()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w =>
        {
            w.InlineBlobs.Insert("0123456789abcdef", [1]);
            return true;
        });
        var again = () => Store.WriteAsync(w =>
        {
            w.Versions.Insert(Version(bucket, "k"));
            w.InlineBlobs.Insert("0123456789abcdef", [2]);
            return true;
        });
        await again.Should().ThrowAsync<Exception>();

        using var snapshot = Store.OpenSnapshot();
        snapshot.InlineBlobs.Get("0123456789abcdef").Should().Equal(1);
        snapshot.Versions.GetLatest(bucket.Id, "k").Should().BeNull();
    }

    [Fact]
    public async Task AnInsert_RolledBack_LeavesNothing()
    {
        var failing = () => Store.WriteAsync<int>(w =>
        {
            w.InlineBlobs.Insert("0123456789abcdef", Payload);
            throw new InvalidOperationException("no");
        });
        await failing.Should().ThrowAsync<InvalidOperationException>();

        using var snapshot = Store.OpenSnapshot();
        snapshot.InlineBlobs.Get("0123456789abcdef").Should().BeNull();
    }

    [Fact]
    public async Task ASnapshot_StillReadsTheBytes_OfAVersionReleasedAfterItOpened()
    {
        var bucket = await CreateBucketAsync();
        var layout = BlobLayout.Single("0123456789abcdef", Payload.Length, inline: true);
        await Store.WriteAsync(w =>
        {
            w.InlineBlobs.Insert("0123456789abcdef", Payload);
            return w.Versions.Insert(Version(bucket, "k") with { Layout = layout });
        });

        using var before = Store.OpenSnapshot();
        var version = before.Versions.GetLatest(bucket.Id, "k")!;
        version.Layout.Segments.Should().Equal(new BlobSegment("0123456789abcdef", Payload.Length, null, true));
        await Store.WriteAsync(w =>
        {
            w.Versions.Delete(bucket.Id, "k", version.Sequence);
            w.ReleaseBlobs(version.Layout);
            return true;
        });

        before.InlineBlobs.Get("0123456789abcdef").Should().Equal(Payload);
        using var after = Store.OpenSnapshot();
        after.InlineBlobs.Get("0123456789abcdef").Should().BeNull();
    }

    [Fact]
    public async Task ReleaseBlobs_DeletesInlineBlobsInTheTransaction_AndListsOnlyFiles()
    {
        await Store.WriteAsync(w =>
        {
            w.InlineBlobs.Insert("0123456789abcdef", Payload);
            return true;
        });
        var layout = new BlobLayout([new BlobSegment("0123456789abcdef", Payload.Length, null, true), new BlobSegment("fedcba9876543210", 3)]);

        var released = await Store.WriteAsync(w =>
        {
            w.ReleaseBlobs(layout);
            return w.ReleasedBlobIds.ToArray();
        });

        released.Should().Equal("fedcba9876543210");
        Store.Blobs.ListUnreferenced().Should().Equal("fedcba9876543210");
        using var snapshot = Store.OpenSnapshot();
        snapshot.InlineBlobs.Get("0123456789abcdef").Should().BeNull();
    }
}

public sealed class SqliteInlineBlobStore : InlineBlobStoreContract<SqliteTestEngine>;

public sealed class PostgresInlineBlobStore : InlineBlobStoreContract<PostgresTestEngine>;
