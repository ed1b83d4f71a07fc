using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Coffer.Testing;

namespace Coffer.Compat.Tests;

public sealed class BucketTests : S3TestBase
{
    [Fact]
    public async Task PutBucket_CreatesBucket_ThatHeadBucketAndListBucketsSee()
    {
        var second = TestServer.BucketName("second");
        await S3.PutBucketAsync(second);

        var head = await S3.HeadBucketAsync(new HeadBucketRequest { BucketName = second });
        head.HttpStatusCode.Should().Be(HttpStatusCode.OK);
        head.BucketRegion.Should().Be(TestServer.Region);
        var list = await S3.ListBucketsAsync();
        list.Buckets.Select(b => b.BucketName).Should().Equal(Bucket, second);
    }

    [Fact]
    public async Task PutBucket_FailsWithBucketAlreadyOwnedByYou_WhenTheBucketExists()
    {
        await ShouldFailAsync(() => S3.PutBucketAsync(Bucket), HttpStatusCode.Conflict, "BucketAlreadyOwnedByYou");
    }

    [Fact]
    public async Task HeadBucket_Fails404_ForMissingBucket()
    {
        var error = (await S3.Invoking(s => s.HeadBucketAsync(new HeadBucketRequest { BucketName = TestServer.BucketName("missing") }))
            .Should().ThrowAsync<AmazonS3Exception>()).Which;
        error.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteBucket_RemovesTheBucket_WhenEmpty()
    {
        var response = await S3.DeleteBucketAsync(Bucket);

        response.HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        (await S3.ListBucketsAsync()).Buckets.Should().BeNullOrEmpty();
        await ShouldFailAsync(() => S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket }),
            HttpStatusCode.NotFound, "NoSuchBucket");
    }

    [Fact]
    public async Task DeleteBucket_FailsWithBucketNotEmpty_WhenAnObjectRemains()
    {
        await PutAsync("keep", [1]);

        await ShouldFailAsync(() => S3.DeleteBucketAsync(Bucket), HttpStatusCode.Conflict, "BucketNotEmpty");
        (await S3.HeadBucketAsync(new HeadBucketRequest { BucketName = Bucket })).HttpStatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task GetBucketLocation_ReturnsTheRegion()
    {
        var response = await S3.GetBucketLocationAsync(Bucket);

        response.Location.Value.Should().Be(TestServer.Region);
    }

    [Fact]
    public async Task ListBuckets_ShowsOnlyTheCallersBuckets()
    {
        using var other = ClientFor(TestAccounts.Other);
        await other.PutBucketAsync(TestServer.BucketName("theirs", TestAccounts.Other));

        (await S3.ListBucketsAsync()).Buckets.Select(b => b.BucketName).Should().Equal(Bucket);
        (await other.ListBucketsAsync()).Buckets.Select(b => b.BucketName).Should().Equal(TestServer.BucketName("theirs", TestAccounts.Other));
    }
}
