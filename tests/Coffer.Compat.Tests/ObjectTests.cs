using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Coffer.Protocol.Http;
using Coffer.Testing;

namespace Coffer.Compat.Tests;

public sealed class ObjectTests : S3TestBase
{
    [Fact]
    public async Task PutObject_RoundTripsBytesETagMetadataAndContentType()
    {
        var body = "hello world"u8.ToArray();
        var request = new PutObjectRequest { BucketName = Bucket, Key = "dir/hello.txt", InputStream = new MemoryStream(body), ContentType = "text/plain" };
        request.Metadata.Add("author", "ada");

        var put = await S3.PutObjectAsync(request);
        using var get = await S3.GetObjectAsync(Bucket, "dir/hello.txt");

        put.ETag.Should().Be("\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
        (await ReadAllAsync(get)).Should().Equal(body);
        get.ETag.Should().Be(put.ETag);
        get.ContentLength.Should().Be(11);
        get.Headers.ContentType.Should().Be("text/plain");
        get.Metadata.Keys.Should().Equal("x-amz-meta-author");
        get.Metadata["author"].Should().Be("ada");
    }

    [Fact]
    public async Task PutObject_StoresAStreamOfSeveralMegabytes_Intact()
    {
        var body = RandomBytes(7 * 1024 * 1024 + 123, seed: 1);

        var put = await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "big.bin", InputStream = new MemoryStream(body) });

        put.ETag.Should().Be(ETagOf(body));
        (await ReadAsync("big.bin")).Should().Equal(body);
    }

    [Fact]
    public async Task PutObject_SendsASignedAwsChunkedBodyWithASignedCrc32Trailer_ThatTheServerStores()
    {
        var recorder = new RequestRecorder();
        using var s3 = ClientFor(TestAccounts.Owner, recorder: recorder);
        var body = RandomBytes(200_000, seed: 2);
        var crc32 = FlexibleChecksum.ForHeader("x-amz-checksum-crc32");
        crc32.Append(body);

        await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "trailer.bin", InputStream = new MemoryStream(body) });
        using var get = await S3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "trailer.bin", ChecksumMode = ChecksumMode.ENABLED });

        var put = recorder.Requests.Single(r => r.Method == HttpMethod.Put);
        put.Headers["x-amz-content-sha256"].Should().Be("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "over plain HTTP the SDK signs every chunk and the trailer");
        put.Headers["x-amz-trailer"].Should().Be("x-amz-checksum-crc32");
        put.Headers["Content-Encoding"].Should().Contain("aws-chunked");
        (await ReadAllAsync(get)).Should().Equal(body);
        get.ChecksumCRC32.Should().Be(crc32.ValueBase64(), "the trailer's checksum was verified and kept");
    }

    [Fact]
    public async Task GetObject_ReturnsTheRange_ForAByteRange()
    {
        var body = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        await PutAsync("range", body);

        using var get = await S3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "range", ByteRange = new ByteRange(10, 19) });

        get.HttpStatusCode.Should().Be(HttpStatusCode.PartialContent);
        get.ContentRange.Should().Be("bytes 10-19/100");
        get.ContentLength.Should().Be(10);
        (await ReadAllAsync(get)).Should().Equal(body[10..20]);
    }

    [Theory]
    [InlineData("a b.txt")]
    [InlineData("plus+sign")]
    [InlineData("percent%25literal%")]
    [InlineData("unicode/腾讯云/😀")]
    [InlineData("trailing/")]
    [InlineData("punct/!$&'()*,;=@:~[]")]
    public async Task PutObject_RoundTrips_KeysWithSpecialCharacters(string key)
    {
        await PutAsync(key, [42]);

        (await ReadAsync(key)).Should().Equal(42);
        (await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket })).S3Objects.Select(o => o.Key).Should().Equal(key);
    }

    [Fact]
    public async Task GetObject_FailsWithPreconditionFailed_WhenIfMatchDiffers()
    {
        await PutAsync("cond", [1, 2, 3]);

        await ShouldFailAsync(() => S3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "cond", EtagToMatch = ETagOf([9]) }),
            HttpStatusCode.PreconditionFailed, "PreconditionFailed");
    }

    [Fact]
    public async Task GetObject_Returns304_WhenIfNoneMatchEqualsTheETag()
    {
        await PutAsync("cond", [1, 2, 3]);

        var error = (await S3.Invoking(s => s.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "cond", EtagToNotMatch = ETagOf([1, 2, 3]) }))
            .Should().ThrowAsync<AmazonS3Exception>()).Which;

        error.StatusCode.Should().Be(HttpStatusCode.NotModified);
    }

    [Fact]
    public async Task GetObjectMetadata_ReturnsLengthETagMetadataAndStorageClass()
    {
        var body = RandomBytes(1234, seed: 2);
        var request = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = "head",
            InputStream = new MemoryStream(body),
            ContentType = "application/octet-stream",
            StorageClass = S3StorageClass.StandardInfrequentAccess,
        };
        request.Metadata.Add("color", "blue");
        await S3.PutObjectAsync(request);

        var head = await S3.GetObjectMetadataAsync(Bucket, "head");

        head.ContentLength.Should().Be(1234);
        head.ETag.Should().Be(ETagOf(body));
        head.Headers.ContentType.Should().Be("application/octet-stream");
        head.Metadata["color"].Should().Be("blue");
        head.StorageClass.Should().Be(S3StorageClass.StandardInfrequentAccess);
    }

    [Fact]
    public async Task GetObject_FailsWithNoSuchKey_ForAMissingKey()
    {
        await ShouldFailAsync(() => S3.GetObjectAsync(Bucket, "nothing-here"), HttpStatusCode.NotFound, "NoSuchKey");
    }

    [Fact]
    public async Task GetObject_FailsWithSignatureDoesNotMatch_ForAWrongSecretKey()
    {
        await PutAsync("secret", [1, 2, 3]);
        using var wrong = ClientFor(TestAccounts.Owner, secretKey: "notTheOwnerSecretKeyAtAll0000000");

        await ShouldFailAsync(() => wrong.GetObjectAsync(Bucket, "secret"), HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task PutObject_FailsWithSignatureDoesNotMatch_ForAWrongSecretKey()
    {
        using var wrong = ClientFor(TestAccounts.Owner, secretKey: "notTheOwnerSecretKeyAtAll0000000");

        await ShouldFailAsync(() => wrong.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "forged", ContentBody = "x" }),
            HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
        await ShouldFailAsync(() => S3.GetObjectAsync(Bucket, "forged"), HttpStatusCode.NotFound, "NoSuchKey");
    }

    [Fact]
    public async Task DeleteObject_RemovesTheObject()
    {
        await PutAsync("gone", [1]);

        var delete = await S3.DeleteObjectAsync(Bucket, "gone");

        delete.HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        await ShouldFailAsync(() => S3.GetObjectAsync(Bucket, "gone"), HttpStatusCode.NotFound, "NoSuchKey");
    }

    [Fact]
    public async Task CopyObject_KeepsMetadataAndContentType_WithCopyDirective()
    {
        var body = RandomBytes(4096, seed: 3);
        var put = new PutObjectRequest { BucketName = Bucket, Key = "source", InputStream = new MemoryStream(body), ContentType = "image/png" };
        put.Metadata.Add("author", "ada");
        await S3.PutObjectAsync(put);

        var copy = await S3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = Bucket,
            SourceKey = "source",
            DestinationBucket = Bucket,
            DestinationKey = "copy",
            MetadataDirective = S3MetadataDirective.COPY,
        });
        using var get = await S3.GetObjectAsync(Bucket, "copy");

        copy.ETag.Should().Be(ETagOf(body));
        (await ReadAllAsync(get)).Should().Equal(body);
        get.Headers.ContentType.Should().Be("image/png");
        get.Metadata.Keys.Should().Equal("x-amz-meta-author");
        get.Metadata["author"].Should().Be("ada");
    }

    [Fact]
    public async Task CopyObject_ReplacesMetadataAndContentType_WithReplaceDirective()
    {
        var body = RandomBytes(4096, seed: 4);
        var put = new PutObjectRequest { BucketName = Bucket, Key = "source", InputStream = new MemoryStream(body), ContentType = "image/png" };
        put.Metadata.Add("author", "ada");
        await S3.PutObjectAsync(put);

        var request = new CopyObjectRequest
        {
            SourceBucket = Bucket,
            SourceKey = "source",
            DestinationBucket = Bucket,
            DestinationKey = "copy",
            MetadataDirective = S3MetadataDirective.REPLACE,
            ContentType = "application/json",
        };
        request.Metadata.Add("reviewer", "bob");
        await S3.CopyObjectAsync(request);
        using var get = await S3.GetObjectAsync(Bucket, "copy");

        (await ReadAllAsync(get)).Should().Equal(body);
        get.Headers.ContentType.Should().Be("application/json");
        get.Metadata.Keys.Should().Equal("x-amz-meta-reviewer");
        get.Metadata["reviewer"].Should().Be("bob");
        (await S3.GetObjectMetadataAsync(Bucket, "source")).Metadata["author"].Should().Be("ada");
    }

    [Fact]
    public async Task CopyObject_CopiesAcrossBuckets()
    {
        var body = RandomBytes(100, seed: 5);
        var target = TestServer.BucketName("target");
        await S3.PutBucketAsync(target);
        await PutAsync("source", body);

        await S3.CopyObjectAsync(Bucket, "source", target, "copied");

        using var get = await S3.GetObjectAsync(target, "copied");
        (await ReadAllAsync(get)).Should().Equal(body);
    }

    [Fact]
    public async Task DeleteObjects_RemovesTheListedKeys_AndReportsThem()
    {
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            await PutAsync(key, [1]);
        }

        var response = await S3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = Bucket,
            Objects = [new KeyVersion { Key = "a" }, new KeyVersion { Key = "c" }, new KeyVersion { Key = "never-existed" }],
        });

        response.DeletedObjects.Select(d => d.Key).Should().BeEquivalentTo("a", "c", "never-existed");
        response.DeleteErrors.Should().BeNullOrEmpty();
        var left = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        left.S3Objects.Select(o => o.Key).Should().Equal("b", "d");
    }

    [Fact]
    public async Task DeleteObjects_ReportsNothing_InQuietMode()
    {
        await PutAsync("a", [1]);
        await PutAsync("b", [1]);

        var response = await S3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = Bucket,
            Quiet = true,
            Objects = [new KeyVersion { Key = "a" }],
        });

        response.DeletedObjects.Should().BeNullOrEmpty();
        response.DeleteErrors.Should().BeNullOrEmpty();
        (await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket })).S3Objects.Select(o => o.Key).Should().Equal("b");
    }
}
