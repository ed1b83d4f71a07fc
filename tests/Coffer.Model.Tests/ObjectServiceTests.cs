using System.Security.Cryptography;
using System.Text;
using Coffer.Common;
using Coffer.Model.Objects;

namespace Coffer.Model.Tests;

public sealed class ObjectServiceTests : IDisposable
{
    private const string Bucket = "photos-1250000000";
    private readonly ObjectServiceFixture _fixture = new();

    private ObjectService Service => _fixture.Service;

    [Fact]
    public async Task PutObject_ThenGet_ReturnsBytesChecksumsAndMetadata()
    {
        await CreateBucketAsync();
        var body = Encoding.UTF8.GetBytes("hello world");
        var stored = await PutAsync("a/b.txt", body, request => request with
        {
            ContentType = "text/plain",
            StorageClass = "STANDARD_IA",
            UserMetadata = [new("author", "ada")],
            Headers = [new("Cache-Control", "max-age=60")],
        });

        stored.ETag.Should().Be("5eb63bbbe01eeed093cb22bb8f5acdc3");
        stored.Crc64.Should().Be(5981764153023615706UL);
        stored.VersionId.Should().Be("null");
        stored.HasVersionId.Should().BeFalse();

        var content = Service.GetObject(Bucket, "a/b.txt");
        content.Info.Should().BeEquivalentTo(stored);
        content.Info.LastModified.Should().Be(_fixture.Time.GetUtcNow());
        (await ReadAllAsync(content)).Should().Equal(body);
    }

    [Fact]
    public async Task PutObject_ThrowsBadDigest_AndStoresNothing_WhenMd5Differs()
    {
        await CreateBucketAsync();
        var act = () => PutAsync("k", [1, 2, 3], r => r with { ContentMd5 = MD5.HashData(new byte[] { 9 }) });
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.BadDigest);
        var head = () => Service.HeadObject(Bucket, "k");
        head.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.NoSuchKey);
        Directory.EnumerateFiles(Path.Combine(_fixture.DataDirectory, "tmp")).Should().BeEmpty();
    }

    [Fact]
    public async Task PutObject_ReplacesTheObject_AndDeletesTheOldBlob()
    {
        await CreateBucketAsync();
        await PutAsync("k", [1]);
        var oldBlobs = _fixture.BlobFiles();
        await PutAsync("k", [2, 2]);

        var newBlobs = _fixture.BlobFiles();
        newBlobs.Should().HaveCount(1).And.NotIntersectWith(oldBlobs);
        (await ReadAllAsync(Service.GetObject(Bucket, "k"))).Should().Equal(2, 2);
    }

    [Fact]
    public async Task PutObject_ThrowsNoSuchBucket_ForMissingBucket()
    {
        var act = () => PutAsync("k", [1]);
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.NoSuchBucket);
    }

    [Fact]
    public async Task GetObject_ReturnsTheRange()
    {
        await CreateBucketAsync();
        await PutAsync("k", Enumerable.Range(0, 100).Select(i => (byte)i).ToArray());
        var content = Service.GetObject(Bucket, "k", range: ByteRange.Parse("bytes=10-19"));
        content.Offset.Should().Be(10);
        (await ReadAllAsync(content)).Should().Equal(Enumerable.Range(10, 10).Select(i => (byte)i));
        (await ReadAllAsync(Service.GetObject(Bucket, "k", range: ByteRange.Parse("bytes=-5")))).Should().Equal(95, 96, 97, 98, 99);
        (await ReadAllAsync(Service.GetObject(Bucket, "k", range: ByteRange.Parse("bytes=98-")))).Should().Equal(98, 99);
        (await ReadAllAsync(Service.GetObject(Bucket, "k", range: ByteRange.Parse("bytes=90-500")))).Should().HaveCount(10);
        var act = () => Service.GetObject(Bucket, "k", range: ByteRange.Parse("bytes=100-"));
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidRange);
    }

    [Fact]
    public async Task DeleteObject_RemovesObjectAndBlob_AndSucceedsWhenMissing()
    {
        await CreateBucketAsync();
        await PutAsync("k", [1]);
        await Service.DeleteObjectAsync(Bucket, "k");
        await Service.DeleteObjectAsync(Bucket, "k");
        var act = () => Service.HeadObject(Bucket, "k");
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.NoSuchKey);
        _fixture.BlobFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task DeleteBucket_ThrowsBucketNotEmpty_UntilEmpty()
    {
        await CreateBucketAsync();
        await PutAsync("k", [1]);
        var act = () => Service.DeleteBucketAsync(Bucket);
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.BucketNotEmpty);
        await Service.DeleteObjectAsync(Bucket, "k");
        await Service.DeleteBucketAsync(Bucket);
        var get = () => Service.GetBucket(Bucket);
        get.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.NoSuchBucket);
    }

    [Fact]
    public async Task CreateBucket_DistinguishesOwnAndForeignDuplicates()
    {
        await CreateBucketAsync();
        var mine = () => Service.CreateBucketAsync(Bucket, ObjectServiceFixture.Owner, "ap-guangzhou");
        (await mine.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.BucketAlreadyOwnedByYou);
        var theirs = () => Service.CreateBucketAsync(Bucket, "1250000001", "ap-guangzhou");
        (await theirs.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.BucketAlreadyExists);
    }

    [Fact]
    public async Task ListBuckets_ReturnsOnlyTheOwnersBuckets()
    {
        await CreateBucketAsync();
        await Service.CreateBucketAsync("other-1250000001", "1250000001", "ap-beijing");
        Service.ListBuckets(ObjectServiceFixture.Owner).Select(b => b.Name).Should().Equal(Bucket);
        Service.ListBuckets("1250000001").Single().Region.Should().Be("ap-beijing");
    }

    public void Dispose() => _fixture.Dispose();

    private Task CreateBucketAsync() => Service.CreateBucketAsync(Bucket, ObjectServiceFixture.Owner, "ap-guangzhou");

    private Task<ObjectInfo> PutAsync(string key, byte[] body, Func<PutObjectRequest, PutObjectRequest>? customize = null)
    {
        var request = new PutObjectRequest { Bucket = Bucket, Key = key, Body = new MemoryStream(body), ContentLength = body.Length };
        return Service.PutObjectAsync(customize is null ? request : customize(request));
    }

    private static async Task<byte[]> ReadAllAsync(ObjectContent content)
    {
        await using var stream = content.Open();
        var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
