using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Coffer.Compat.Tests;

public sealed class VersioningTests : S3TestBase
{
    [Fact]
    public async Task GetBucketVersioning_ReportsOff_ThenEnabled_ThenSuspended()
    {
        (await S3.GetBucketVersioningAsync(Bucket)).VersioningConfig.Status.Should().Be(VersionStatus.Off);

        await SetVersioningAsync(VersionStatus.Enabled);
        (await S3.GetBucketVersioningAsync(Bucket)).VersioningConfig.Status.Should().Be(VersionStatus.Enabled);

        await SetVersioningAsync(VersionStatus.Suspended);
        (await S3.GetBucketVersioningAsync(Bucket)).VersioningConfig.Status.Should().Be(VersionStatus.Suspended);
    }

    [Fact]
    public async Task PutObject_GivesEachWriteItsOwnVersion_ThatGetObjectReadsBack()
    {
        await SetVersioningAsync(VersionStatus.Enabled);

        var first = await PutAsync("doc", "one"u8.ToArray());
        var second = await PutAsync("doc", "two"u8.ToArray());

        first.VersionId.Should().NotBeNullOrEmpty().And.NotBe("null");
        second.VersionId.Should().NotBeNullOrEmpty().And.NotBe(first.VersionId);
        (await ReadAsync("doc", first.VersionId)).Should().Equal("one"u8.ToArray());
        (await ReadAsync("doc", second.VersionId)).Should().Equal("two"u8.ToArray());
        (await ReadAsync("doc")).Should().Equal("two"u8.ToArray());
        using var get = await S3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "doc", VersionId = first.VersionId });
        get.VersionId.Should().Be(first.VersionId);
    }

    [Fact]
    public async Task DeleteObject_CreatesADeleteMarker_WhenNoVersionIsGiven()
    {
        await SetVersioningAsync(VersionStatus.Enabled);
        var first = await PutAsync("doc", "one"u8.ToArray());

        var delete = await S3.DeleteObjectAsync(Bucket, "doc");

        delete.DeleteMarker.Should().Be("true");
        delete.VersionId.Should().NotBeNullOrEmpty().And.NotBe(first.VersionId);
        await ShouldFailAsync(() => S3.GetObjectAsync(Bucket, "doc"), HttpStatusCode.NotFound, "NoSuchKey");
        (await ReadAsync("doc", first.VersionId)).Should().Equal("one"u8.ToArray());
    }

    [Fact]
    public async Task ListVersions_ListsTheMarkerAndVersionsNewestFirst_WithIsLatest()
    {
        await SetVersioningAsync(VersionStatus.Enabled);
        var first = await PutAsync("doc", "one"u8.ToArray());
        var second = await PutAsync("doc", "two"u8.ToArray());
        var marker = await S3.DeleteObjectAsync(Bucket, "doc");
        var other = await PutAsync("other", "x"u8.ToArray());

        var list = await S3.ListVersionsAsync(Bucket);

        list.Versions.Select(v => (v.Key, v.VersionId, v.IsDeleteMarker == true, v.IsLatest == true)).Should().Equal(
            ("doc", marker.VersionId, true, true),
            ("doc", second.VersionId, false, false),
            ("doc", first.VersionId, false, false),
            ("other", other.VersionId, false, true));
        list.Versions[1].Size.Should().Be(3);
        list.Versions[1].ETag.Should().Be(ETagOf("two"u8.ToArray()));
    }

    [Fact]
    public async Task ListVersions_PagesWithKeyAndVersionIdMarkers_InKeyOrderNewestFirst()
    {
        await SetVersioningAsync(VersionStatus.Enabled);
        string[] keys = ["a", "b/c", "d"];
        var newestFirst = keys.ToDictionary(k => k, _ => new List<(string Key, string VersionId, bool IsDeleteMarker)>());
        // Writes alternate between keys so that the listing's order cannot be the order of writing.
        for (var round = 0; round < 3; round++)
        {
            foreach (var key in keys)
            {
                newestFirst[key].Insert(0, (key, (await PutAsync(key, [(byte)round])).VersionId, false));
            }
        }

        newestFirst["b/c"].Insert(0, ("b/c", (await S3.DeleteObjectAsync(Bucket, "b/c")).VersionId, true));

        var pages = new List<ListVersionsResponse>();
        string? keyMarker = null;
        string? versionIdMarker = null;
        do
        {
            var page = await S3.ListVersionsAsync(new ListVersionsRequest
            {
                BucketName = Bucket,
                MaxKeys = 4,
                KeyMarker = keyMarker,
                VersionIdMarker = versionIdMarker,
            });
            pages.Add(page);
            page.KeyMarker.Should().Be(keyMarker ?? "");
            page.VersionIdMarker.Should().Be(versionIdMarker ?? "");
            keyMarker = page.NextKeyMarker;
            versionIdMarker = page.NextVersionIdMarker;
        }
        while (pages[^1].IsTruncated == true && pages.Count < 10);

        pages.Select(p => p.Versions.Count).Should().Equal(4, 4, 2);
        pages.SelectMany(p => p.Versions).Select(v => (v.Key, v.VersionId, v.IsDeleteMarker == true))
            .Should().Equal(keys.SelectMany(k => newestFirst[k]));
        pages.SelectMany(p => p.Versions).Where(v => v.IsLatest == true).Select(v => v.VersionId)
            .Should().Equal(keys.Select(k => newestFirst[k][0].VersionId));
        foreach (var page in pages.SkipLast(1))
        {
            (page.NextKeyMarker, page.NextVersionIdMarker).Should().Be((page.Versions[^1].Key, page.Versions[^1].VersionId));
        }

        // The first page ends on b/c's delete marker and the second inside d: markers name a version, not just a key.
        pages[0].NextVersionIdMarker.Should().Be(newestFirst["b/c"][0].VersionId);
        pages[1].NextKeyMarker.Should().Be("d");
        pages[^1].IsTruncated.Should().BeFalse();
    }

    [Fact]
    public async Task DeleteObject_RemovesOnlyThatVersion_WhenAVersionIsGiven()
    {
        await SetVersioningAsync(VersionStatus.Enabled);
        var first = await PutAsync("doc", "one"u8.ToArray());
        var second = await PutAsync("doc", "two"u8.ToArray());

        var delete = await S3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = "doc", VersionId = second.VersionId });

        delete.VersionId.Should().Be(second.VersionId);
        (await ReadAsync("doc")).Should().Equal("one"u8.ToArray());
        await ShouldFailAsync(() => S3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "doc", VersionId = second.VersionId }),
            HttpStatusCode.NotFound, "NoSuchVersion");
        (await S3.ListVersionsAsync(Bucket)).Versions.Select(v => (v.VersionId, v.IsLatest)).Should().Equal((first.VersionId, true));
    }

    [Fact]
    public async Task PutObject_StoresTheNullVersion_WhenVersioningIsSuspended()
    {
        await SetVersioningAsync(VersionStatus.Enabled);
        var first = await PutAsync("doc", "one"u8.ToArray());
        await SetVersioningAsync(VersionStatus.Suspended);

        var suspended = await PutAsync("doc", "two"u8.ToArray());

        // S3 sends no x-amz-version-id on a PUT to a suspended bucket; the listing names the version "null".
        suspended.VersionId.Should().BeNull();
        (await S3.ListVersionsAsync(Bucket)).Versions.Select(v => (v.VersionId, v.IsLatest)).Should().Equal(("null", true), (first.VersionId, false));
        (await ReadAsync("doc", "null")).Should().Equal("two"u8.ToArray());
        (await ReadAsync("doc", first.VersionId)).Should().Equal("one"u8.ToArray());
    }

    [Fact]
    public async Task GetObject_ReturnsVersionIdNull_ForTheNullVersionOfASuspendedBucket()
    {
        await SetVersioningAsync(VersionStatus.Suspended);
        await PutAsync("doc", "one"u8.ToArray());

        using var get = await S3.GetObjectAsync(Bucket, "doc");
        var head = await S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = "doc", VersionId = "null" });

        get.VersionId.Should().Be("null");
        head.VersionId.Should().Be("null");
    }

    [Fact]
    public async Task GetObject_ReturnsNoVersionId_WhenVersioningWasNeverEnabled()
    {
        var put = await PutAsync("doc", "one"u8.ToArray());

        using var get = await S3.GetObjectAsync(Bucket, "doc");

        put.VersionId.Should().BeNull();
        get.VersionId.Should().BeNull();
    }

    [Fact]
    public async Task PutObject_ReplacesTheNullVersion_WhenVersioningIsSuspended()
    {
        await SetVersioningAsync(VersionStatus.Suspended);
        await PutAsync("doc", "one"u8.ToArray());

        await PutAsync("doc", "two"u8.ToArray());

        (await S3.ListVersionsAsync(Bucket)).Versions.Select(v => v.VersionId).Should().Equal("null");
        (await ReadAsync("doc")).Should().Equal("two"u8.ToArray());
    }

    private Task SetVersioningAsync(VersionStatus status) =>
        S3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = Bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = status },
        });
}
