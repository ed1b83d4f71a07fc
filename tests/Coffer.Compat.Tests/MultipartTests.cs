using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Coffer.Protocol.Http;

namespace Coffer.Compat.Tests;

public sealed class MultipartTests : S3TestBase
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task TransferUtility_UploadsAStreamInParts_ThatReadBackIntact()
    {
        var body = RandomBytes(12 * MiB, seed: 11);
        // Below the 16 MB default threshold the utility would send one PutObject instead of parts.
        using var transfer = new TransferUtility(S3, new TransferUtilityConfig { MinSizeBeforePartUpload = 5 * MiB });

        await transfer.UploadAsync(new TransferUtilityUploadRequest
        {
            BucketName = Bucket,
            Key = "big.bin",
            InputStream = new MemoryStream(body),
            PartSize = 5 * MiB,
        });

        var head = await S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = "big.bin", ChecksumMode = ChecksumMode.ENABLED });
        head.ETag.Should().Be(MultipartETag(body[..(5 * MiB)], body[(5 * MiB)..(10 * MiB)], body[(10 * MiB)..]));
        head.ContentLength.Should().Be(body.Length);
        head.ChecksumType.Should().Be(ChecksumType.FULL_OBJECT, "the SDK asks for a full-object CRC32 by default");
        head.ChecksumCRC32.Should().Be(Crc32Of(body), "the parts' CRCs combine into the CRC of the whole object");
        (await ReadAsync("big.bin")).Should().Equal(body);
    }

    [Fact]
    public async Task CopyPart_CopiesRangesOfAnObject_ThatCompleteIntoTheSameBytes()
    {
        var body = RandomBytes(11 * MiB + 3, seed: 21);
        await PutAsync("source.bin", body);
        var upload = await S3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = "copy.bin" });
        var etags = new List<PartETag>();
        for (var (part, first) = (1, 0L); first < body.Length; (part, first) = (part + 1, first + (5 * MiB)))
        {
            var last = Math.Min(first + (5 * MiB), body.Length) - 1;
            var copied = await S3.CopyPartAsync(new CopyPartRequest
            {
                SourceBucket = Bucket,
                SourceKey = "source.bin",
                DestinationBucket = Bucket,
                DestinationKey = "copy.bin",
                UploadId = upload.UploadId,
                PartNumber = part,
                FirstByte = first,
                LastByte = last,
            });
            copied.ETag.Should().Be(ETagOf(body[(int)first..((int)last + 1)]));
            etags.Add(new PartETag(part, copied.ETag));
        }

        await S3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = "copy.bin",
            UploadId = upload.UploadId,
            PartETags = etags,
        });
        (await ReadAsync("copy.bin")).Should().Equal(body);
        await ShouldFailAsync(() => S3.CopyPartAsync(new CopyPartRequest
        {
            SourceBucket = Bucket,
            SourceKey = "source.bin",
            DestinationBucket = Bucket,
            DestinationKey = "other.bin",
            UploadId = "no-such-upload",
            PartNumber = 1,
        }), HttpStatusCode.NotFound, "NoSuchUpload");
    }

    [Fact]
    public async Task CompleteMultipartUpload_JoinsTheParts_WithAPartCountETag()
    {
        var part1 = RandomBytes(5 * MiB, seed: 12);
        var part2 = RandomBytes(1000, seed: 13);
        var uploadId = await InitiateAsync("joined");
        var etag1 = await UploadPartAsync("joined", uploadId, 1, part1);
        var etag2 = await UploadPartAsync("joined", uploadId, 2, part2);

        var complete = await S3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = "joined",
            UploadId = uploadId,
            PartETags = [new PartETag(1, etag1), new PartETag(2, etag2)],
        });

        etag1.Should().Be(ETagOf(part1));
        etag2.Should().Be(ETagOf(part2));
        complete.ETag.Should().Be(MultipartETag(part1, part2)).And.EndWith("-2\"");
        (await ReadAsync("joined")).Should().Equal([.. part1, .. part2]);
        (await S3.ListMultipartUploadsAsync(Bucket)).MultipartUploads.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task CompleteMultipartUpload_JoinsPartsThatCarryCrc32Checksums_WithAPartCountETag()
    {
        byte[][] parts = [RandomBytes(5 * MiB, seed: 18), RandomBytes(5 * MiB, seed: 19), RandomBytes(1234, seed: 20)];
        var initiate = await S3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = "summed",
            ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
        });
        var completed = new List<PartETag>();
        for (var i = 0; i < parts.Length; i++)
        {
            var part = await S3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = Bucket,
                Key = "summed",
                UploadId = initiate.UploadId,
                PartNumber = i + 1,
                InputStream = new MemoryStream(parts[i]),
                ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
            });
            part.ChecksumCRC32.Should().Be(Crc32Of(parts[i]), "the part's CRC32 trailer was verified and echoed");
            completed.Add(new PartETag { PartNumber = i + 1, ETag = part.ETag, ChecksumCRC32 = part.ChecksumCRC32 });
        }

        var complete = await S3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = "summed",
            UploadId = initiate.UploadId,
            PartETags = completed,
        });

        complete.ETag.Should().Be(MultipartETag(parts)).And.EndWith("-3\"");
        var composite = $"{Crc32Of(completed.SelectMany(p => Convert.FromBase64String(p.ChecksumCRC32)).ToArray())}-3";
        complete.ChecksumCRC32.Should().Be(composite, "the CRC32 of the parts' CRC32s, then the part count");
        var head = await S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = "summed", ChecksumMode = ChecksumMode.ENABLED });
        head.ETag.Should().Be(complete.ETag);
        head.ChecksumCRC32.Should().Be(composite);
        (await ReadAsync("summed")).Should().Equal(parts.SelectMany(p => p).ToArray());
    }

    [Fact]
    public async Task GetObject_WithPartNumber_ReadsOnePart_AndReportsThePartsCount()
    {
        var part1 = RandomBytes(5 * MiB, seed: 16);
        var part2 = RandomBytes(1000, seed: 17);
        var uploadId = await InitiateAsync("by-part");
        var etag1 = await UploadPartAsync("by-part", uploadId, 1, part1);
        var etag2 = await UploadPartAsync("by-part", uploadId, 2, part2);
        await S3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = "by-part",
            UploadId = uploadId,
            PartETags = [new PartETag(1, etag1), new PartETag(2, etag2)],
        });

        using var second = await S3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "by-part", PartNumber = 2 });
        var head = await S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = "by-part", PartNumber = 1 });

        second.HttpStatusCode.Should().Be(HttpStatusCode.PartialContent);
        second.PartsCount.Should().Be(2);
        (await ReadAllAsync(second)).Should().Equal(part2);
        head.PartsCount.Should().Be(2);
        head.ContentLength.Should().Be(part1.Length);
    }

    [Fact]
    public async Task ListParts_ReportsEachUploadedPart()
    {
        var part1 = RandomBytes(5 * MiB, seed: 14);
        var part2 = RandomBytes(77, seed: 15);
        var uploadId = await InitiateAsync("listed");
        await UploadPartAsync("listed", uploadId, 1, part1);
        await UploadPartAsync("listed", uploadId, 2, part2);

        var parts = await S3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = "listed", UploadId = uploadId });

        parts.UploadId.Should().Be(uploadId);
        parts.Parts.Select(p => (p.PartNumber, p.ETag, p.Size)).Should().Equal(
            (1, ETagOf(part1), 5L * MiB),
            (2, ETagOf(part2), 77L));
    }

    [Fact]
    public async Task ListMultipartUploads_ReportsTheOpenUploads()
    {
        var first = await InitiateAsync("a/first");
        var second = await InitiateAsync("b/second");

        var uploads = await S3.ListMultipartUploadsAsync(Bucket);

        uploads.MultipartUploads.Select(u => (u.Key, u.UploadId)).Should().Equal(("a/first", first), ("b/second", second));
    }

    [Fact]
    public async Task AbortMultipartUpload_RemovesTheUpload()
    {
        var uploadId = await InitiateAsync("aborted");
        await UploadPartAsync("aborted", uploadId, 1, [1, 2, 3]);

        await S3.AbortMultipartUploadAsync(Bucket, "aborted", uploadId);

        (await S3.ListMultipartUploadsAsync(Bucket)).MultipartUploads.Should().BeNullOrEmpty();
        await ShouldFailAsync(() => S3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = "aborted", UploadId = uploadId }),
            HttpStatusCode.NotFound, "NoSuchUpload");
        await ShouldFailAsync(() => S3.GetObjectAsync(Bucket, "aborted"), HttpStatusCode.NotFound, "NoSuchKey");
    }

    [Fact]
    public async Task CompleteMultipartUpload_FailsWithInvalidPart_ForAWrongETag()
    {
        var uploadId = await InitiateAsync("wrong");
        await UploadPartAsync("wrong", uploadId, 1, [1, 2, 3]);

        await ShouldFailAsync(() => S3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = "wrong",
            UploadId = uploadId,
            PartETags = [new PartETag(1, ETagOf([9, 9, 9]))],
        }), HttpStatusCode.BadRequest, "InvalidPart");
        (await S3.ListMultipartUploadsAsync(Bucket)).MultipartUploads.Select(u => u.UploadId).Should().Equal(uploadId);
    }

    [Fact]
    public async Task CompleteMultipartUpload_FailsWithEntityTooSmall_WhenANonLastPartIsUnder5MiB()
    {
        var uploadId = await InitiateAsync("small");
        var etag1 = await UploadPartAsync("small", uploadId, 1, RandomBytes(1000, seed: 16));
        var etag2 = await UploadPartAsync("small", uploadId, 2, RandomBytes(1000, seed: 17));

        await ShouldFailAsync(() => S3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = "small",
            UploadId = uploadId,
            PartETags = [new PartETag(1, etag1), new PartETag(2, etag2)],
        }), HttpStatusCode.BadRequest, "EntityTooSmall");
    }

    /// <summary>S3's multipart ETag: the MD5 of the parts' binary MD5s, then "-" and the part count.</summary>
    private static string MultipartETag(params byte[][] parts)
    {
        var digests = parts.SelectMany(MD5.HashData).ToArray();
        return $"\"{Convert.ToHexStringLower(MD5.HashData(digests))}-{parts.Length}\"";
    }

    private static string Crc32Of(byte[] bytes)
    {
        var crc32 = FlexibleChecksum.ForHeader("x-amz-checksum-crc32");
        crc32.Append(bytes);
        return crc32.ValueBase64();
    }

    private async Task<string> InitiateAsync(string key) =>
        (await S3.InitiateMultipartUploadAsync(Bucket, key)).UploadId;

    private async Task<string> UploadPartAsync(string key, string uploadId, int partNumber, byte[] body)
    {
        var response = await S3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = Bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = partNumber,
            InputStream = new MemoryStream(body),
        });
        return response.ETag;
    }
}
