using Coffer.Storage.Records;
using Coffer.Storage.Tests.Conformance;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

/// <summary>
/// The embedded engine's one-statement read of a key's current version (GET and HEAD by key): it must find what a
/// snapshot's <c>Buckets.Get</c>, <c>Versions.GetLatest</c> and <c>InlineBlobs.Get</c> find together.
/// </summary>
public sealed class SqliteCurrentObjectReadTests : StoreContract<SqliteTestEngine>
{
    private static readonly byte[] Payload = Enumerable.Range(0, 1024).Select(i => (byte)(i * 13)).ToArray();

    [Fact]
    public void ReadCurrentObject_FindsNoBucket_ForAMissingBucket()
    {
        var found = Store.ReadCurrentObject("nobucket-1250000000", "k", withInlineBody: true);

        found.Should().Be(new CurrentObjectRead(null, null, null));
    }

    [Fact]
    public async Task ReadCurrentObject_FindsTheBucketAndNoVersion_ForAMissingKey()
    {
        var bucket = await CreateBucketAsync();
        await InsertAsync(bucket, "other");

        var found = Store.ReadCurrentObject(bucket.Name, "k", withInlineBody: true)!;

        found.Bucket.Should().Be(bucket);
        found.Version.Should().BeNull();
        found.InlineBody.Should().BeNull();
    }

    [Fact]
    public async Task ReadCurrentObject_ReturnsTheLatestVersionAndItsInlineBody_AsASnapshotReadsThem()
    {
        var bucket = await CreateBucketAsync();
        await InsertInlineAsync(bucket, "k", "v1", "1111111111111111", [1, 2, 3], isLatest: false);
        await InsertInlineAsync(bucket, "k", "v2", "2222222222222222", Payload, isLatest: true);

        var found = Store.ReadCurrentObject(bucket.Name, "k", withInlineBody: true)!;

        using var snapshot = Store.OpenSnapshot();
        var latest = snapshot.Versions.GetLatest(bucket.Id, "k")!;
        found.Bucket.Should().Be(snapshot.Buckets.Get(bucket.Name));
        found.Version.Should().BeEquivalentTo(latest);
        found.Version!.VersionId.Should().Be("v2");
        found.InlineBody.Should().Equal(Payload);
    }

    [Fact]
    public async Task ReadCurrentObject_LeavesTheBodyOut_WhenNotAskedFor()
    {
        var bucket = await CreateBucketAsync();
        await InsertInlineAsync(bucket, "k", "v1", "1111111111111111", Payload, isLatest: true);

        var found = Store.ReadCurrentObject(bucket.Name, "k", withInlineBody: false)!;

        found.Version!.Layout.HasInline.Should().BeTrue();
        found.InlineBody.Should().BeNull();
    }

    [Fact]
    public async Task ReadCurrentObject_ReturnsNoBody_ForAFileOrSeveralInlineSegments()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w =>
        {
            w.InlineBlobs.Insert("1111111111111111", Payload);
            w.InlineBlobs.Insert("2222222222222222", Payload);
            w.Versions.Insert(Version(bucket, "file") with { Layout = BlobLayout.Single("3333333333333333", 70_000) });
            return w.Versions.Insert(Version(bucket, "parts") with
            {
                Layout = new BlobLayout([new BlobSegment("1111111111111111", Payload.Length, null, true), new BlobSegment("2222222222222222", Payload.Length, null, true)]),
            });
        });

        var file = Store.ReadCurrentObject(bucket.Name, "file", withInlineBody: true)!;
        var parts = Store.ReadCurrentObject(bucket.Name, "parts", withInlineBody: true)!;

        file.Version!.Layout.Segments.Should().Equal(new BlobSegment("3333333333333333", 70_000));
        file.InlineBody.Should().BeNull();
        parts.Version!.Layout.Segments.Should().HaveCount(2);
        parts.InlineBody.Should().BeNull();
    }

    [Fact]
    public async Task ReadCurrentObject_ReturnsADeleteMarker_OnTopOfOlderVersions()
    {
        var bucket = await CreateBucketAsync();
        await InsertInlineAsync(bucket, "k", "v1", "1111111111111111", Payload, isLatest: false);
        await InsertAsync(bucket, "k", "v2", isDeleteMarker: true);

        var found = Store.ReadCurrentObject(bucket.Name, "k", withInlineBody: true)!;

        found.Version!.VersionId.Should().Be("v2");
        found.Version.IsDeleteMarker.Should().BeTrue();
        found.InlineBody.Should().BeNull();
    }

    [Fact]
    public async Task ReadCurrentObject_SkipsARevisionKeptForAPin_ThatIsNoLongerCurrent()
    {
        var bucket = await CreateBucketAsync();
        await InsertInlineAsync(bucket, "k", "v1", "1111111111111111", [1], isLatest: false);
        var newest = await InsertInlineAsync(bucket, "k", "v2", "2222222222222222", Payload, isLatest: true);
        await Store.WriteAsync(w => w.Pins.Pin("run-1"));
        await Store.WriteAsync(w =>
        {
            // While the pin holds, the deleted version stays as a revision with died set.
            w.Versions.Delete(bucket.Id, "k", newest.Sequence);
            w.Versions.SetLatest(bucket.Id, "k", w.Versions.GetLatest(bucket.Id, "k")!.Sequence, true);
            return true;
        });

        var found = Store.ReadCurrentObject(bucket.Name, "k", withInlineBody: true)!;

        found.Version!.VersionId.Should().Be("v1");
        found.InlineBody.Should().Equal(1);
    }

    private Task<ObjectVersionRecord> InsertInlineAsync(BucketRecord bucket, string key, string versionId, string blobId, byte[] body, bool isLatest) =>
        Store.WriteAsync(w =>
        {
            w.InlineBlobs.Insert(blobId, body);
            return w.Versions.Insert(Version(bucket, key, versionId, isLatest) with
            {
                Size = body.Length,
                Crc64 = 42,
                ContentType = "text/plain",
                Layout = BlobLayout.Single(blobId, body.Length, inline: true),
            });
        });
}
