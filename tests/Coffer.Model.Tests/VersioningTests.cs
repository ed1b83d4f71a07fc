using System.Text;
using Coffer.Common;
using Coffer.Model.Buckets;
using Coffer.Model.Objects;

namespace Coffer.Model.Tests;

public sealed class VersioningTests : IDisposable
{
    private const string Bucket = "versions-1250000000";
    private readonly ObjectServiceFixture _fixture = new();

    private ObjectService Service => _fixture.Service;

    [Fact]
    public async Task PutObject_KeepsEveryVersion_WhenVersioningIsEnabled()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        var first = await PutAsync("k", "one");
        var second = await PutAsync("k", "two");

        first.VersionId.Should().NotBe("null").And.NotBe(second.VersionId);
        Read(Service.GetObject(Bucket, "k")).Should().Be("two");
        Read(Service.GetObject(Bucket, "k", first.VersionId)).Should().Be("one");
        Versions().Should().Equal(("k", second.VersionId, true, false), ("k", first.VersionId, false, false));
    }

    [Fact]
    public async Task DeleteObject_AddsADeleteMarker_ThatHidesTheKey()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        var put = await PutAsync("k", "data");
        var deleted = await Service.DeleteObjectAsync(Bucket, "k");

        deleted.IsDeleteMarker.Should().BeTrue();
        Service.HeadObject(Bucket, "k").IsDeleteMarker.Should().BeTrue();
        Service.ListObjects(Bucket, new ListObjectsQuery()).Objects.Should().BeEmpty();
        Versions().Should().Equal(("k", deleted.VersionId!, true, true), ("k", put.VersionId, false, false));
        Read(Service.GetObject(Bucket, "k", put.VersionId)).Should().Be("data");
    }

    [Fact]
    public async Task DeleteObject_WithTheMarkersVersionId_BringsTheObjectBack()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        var put = await PutAsync("k", "data");
        var marker = await Service.DeleteObjectAsync(Bucket, "k");
        var removed = await Service.DeleteObjectAsync(Bucket, "k", marker.VersionId);

        removed.IsDeleteMarker.Should().BeTrue();
        var current = Service.HeadObject(Bucket, "k");
        current.IsDeleteMarker.Should().BeFalse();
        current.VersionId.Should().Be(put.VersionId);
        current.IsLatest.Should().BeTrue();
    }

    [Fact]
    public async Task DeleteObject_WithAVersionId_DeletesOnlyThatVersionAndItsBlob()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        var first = await PutAsync("k", "one");
        await PutAsync("k", "two");
        _fixture.BlobFiles().Should().HaveCount(2);

        await Service.DeleteObjectAsync(Bucket, "k", first.VersionId);
        _fixture.BlobFiles().Should().HaveCount(1);
        var act = () => Service.HeadObject(Bucket, "k", first.VersionId);
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.NoSuchVersion);
        Read(Service.GetObject(Bucket, "k")).Should().Be("two");
    }

    [Fact]
    public async Task PutObject_ReplacesOnlyTheNullVersion_WhenSuspended()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        var kept = await PutAsync("k", "versioned");
        await Service.SetBucketVersioningAsync(Bucket, BucketVersioning.Suspended);
        await PutAsync("k", "null one");
        var nullTwo = await PutAsync("k", "null two");

        nullTwo.VersionId.Should().Be("null");
        Versions().Should().Equal(("k", "null", true, false), ("k", kept.VersionId, false, false));
        Read(Service.GetObject(Bucket, "k")).Should().Be("null two");
        _fixture.BlobFiles().Should().HaveCount(2, "the first null version's bytes are gone");
    }

    [Fact]
    public async Task DeleteObject_WritesANullDeleteMarker_WhenSuspended()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        await Service.SetBucketVersioningAsync(Bucket, BucketVersioning.Suspended);
        await PutAsync("k", "null version");
        var deleted = await Service.DeleteObjectAsync(Bucket, "k");

        deleted.Should().Be(new DeleteObjectResult("null", true));
        Versions().Should().Equal(("k", "null", true, true));
        _fixture.BlobFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task SuspendingANeverVersionedBucket_MakesItSuspended_AsS3Does()
    {
        await CreateBucketAsync(BucketVersioning.Suspended);
        Service.GetBucket(Bucket).Versioning.Should().Be(BucketVersioning.Suspended);
        await PutAsync("k", "v");
        (await Service.DeleteObjectAsync(Bucket, "k")).Should().Be(new DeleteObjectResult("null", true));
        var act = () => Service.SetBucketVersioningAsync(Bucket, BucketVersioning.Unversioned);
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.MalformedXml);
    }

    [Theory]
    [InlineData("bogus!")]
    [InlineData("a b")]
    [InlineData("zzz")]
    [InlineData("bnVsbA")]
    public async Task VersionIds_ThatCannotExist_AreInvalidArguments(string versionId)
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        var head = () => Service.HeadObject(Bucket, "k", versionId);
        head.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
        var delete = () => Service.DeleteObjectAsync(Bucket, "k", versionId);
        (await delete.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
        var list = () => Service.ListObjectVersions(Bucket, new ListVersionsQuery { VersionIdMarker = "x" });
        list.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }

    [Fact]
    public async Task ListObjectVersions_PagesWithKeyAndVersionIdMarkers()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        var expected = new List<(string, string, bool, bool)>();
        foreach (var key in new[] { "a", "b", "c" })
        {
            var versions = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                versions.Add((await PutAsync(key, $"{key}{i}")).VersionId);
            }

            versions.Reverse();
            expected.AddRange(versions.Select((v, i) => (key, v, i == 0, false)));
        }

        var seen = new List<(string, string, bool, bool)>();
        string? keyMarker = null;
        string? versionMarker = null;
        do
        {
            var page = Service.ListObjectVersions(Bucket, new ListVersionsQuery { MaxKeys = 2, KeyMarker = keyMarker, VersionIdMarker = versionMarker });
            seen.AddRange(page.Versions.Select(v => (v.Key, v.VersionId, v.IsLatest, v.IsDeleteMarker)));
            if (page.IsTruncated)
            {
                page.NextKeyMarker.Should().Be(page.Versions[^1].Key);
                page.NextVersionIdMarker.Should().Be(page.Versions[^1].VersionId);
            }

            (keyMarker, versionMarker) = page.IsTruncated ? (page.NextKeyMarker, page.NextVersionIdMarker) : (null, null);
        }
        while (keyMarker is not null);

        seen.Should().Equal(expected);
    }

    [Fact]
    public async Task ListObjectVersions_RollsUpCommonPrefixes()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        await PutAsync("dir/a", "1");
        await PutAsync("dir/a", "2");
        await PutAsync("top", "3");
        var page = Service.ListObjectVersions(Bucket, new ListVersionsQuery { Delimiter = "/" });
        page.CommonPrefixes.Should().Equal("dir/");
        page.Versions.Select(v => v.Key).Should().Equal("top");
    }

    [Fact]
    public async Task ListObjectVersions_ThrowsInvalidArgument_ForAnUnknownVersionIdMarker()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        await PutAsync("a", "1");
        var act = () => Service.ListObjectVersions(Bucket, new ListVersionsQuery { KeyMarker = "a", VersionIdMarker = "nope" });
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }

    public void Dispose() => _fixture.Dispose();

    private async Task CreateBucketAsync(BucketVersioning versioning)
    {
        await Service.CreateBucketAsync(Bucket, ObjectServiceFixture.Owner, "ap-guangzhou");
        await Service.SetBucketVersioningAsync(Bucket, versioning);
    }

    private Task<ObjectInfo> PutAsync(string key, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        return Service.PutObjectAsync(new PutObjectRequest { Bucket = Bucket, Key = key, Body = new MemoryStream(bytes), ContentLength = bytes.Length });
    }

    private (string Key, string VersionId, bool IsLatest, bool IsDeleteMarker)[] Versions() =>
        Service.ListObjectVersions(Bucket, new ListVersionsQuery()).Versions.Select(v => (v.Key, v.VersionId, v.IsLatest, v.IsDeleteMarker)).ToArray();

    private static string Read(ObjectContent content)
    {
        using var stream = content.Open();
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
