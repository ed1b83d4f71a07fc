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
