using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Model.Multipart;
using Coffer.Model.Objects;

namespace Coffer.Model.Tests;

public sealed class MultipartTests : IDisposable
{
    private const string Bucket = "multipart-1250000000";
    private const int MiB = 1 << 20;
    private readonly ObjectServiceFixture _fixture = new();

    private ObjectService Service => _fixture.Service;

    [Fact]
    public async Task Complete_AssemblesTheListedParts_WithMultipartETagAndCombinedCrc64()
    {
        var upload = await StartAsync("big.bin", r => r with { ContentType = "video/mp4", UserMetadata = [new("m", "v")], Tags = [new("t", "1")] });
        var parts = new[] { Bytes(MiB, 1), Bytes(MiB, 2), Bytes(100, 3) };
        var infos = new List<PartInfo>();
        for (var i = 0; i < parts.Length; i++)
        {
            infos.Add(await UploadAsync(upload, i + 1, parts[i]));
        }

        await UploadAsync(upload, 7, Bytes(10, 7)); // uploaded but never listed: discarded on completion
        var info = await CompleteAsync(upload, infos.Select(p => new CompletedPart(p.PartNumber, $"\"{p.ETag}\"")).ToArray());

        byte[] whole = [.. parts[0], .. parts[1], .. parts[2]];
        var expectedETag = Convert.ToHexStringLower(MD5.HashData(parts.SelectMany(MD5.HashData).ToArray())) + "-3";
        info.ETag.Should().Be(expectedETag);
        info.Crc64.Should().Be(Crc64.Compute(whole));
        info.Size.Should().Be(whole.Length);
        info.IsMultipartUploaded.Should().BeTrue();
        info.ContentType.Should().Be("video/mp4");
        info.UserMetadata.Should().Equal(new[] { new KeyValuePair<string, string>("m", "v") });
        info.Tags.Should().Equal(new[] { new KeyValuePair<string, string>("t", "1") });
        ReadAll(Service.GetObject(Bucket, "big.bin")).Should().Equal(whole);
        ReadAll(Service.GetObject(Bucket, "big.bin", range: ByteRange.Parse($"bytes={MiB - 5}-{MiB + 4}"))).Should().Equal(whole[(MiB - 5)..(MiB + 5)]);
        _fixture.BlobFiles().Should().HaveCount(3, "the unlisted part 7 is deleted");
        infos.Select(p => p.Crc64).Should().Equal(parts.Select(p => (ulong?)Crc64.Compute(p)));
    }

    [Fact]
    public async Task GetObjectPart_FindsEveryPart_IncludingAnEmptyLastOne()
    {
        var parts = await CompleteWithAnEmptyLastPartAsync("parts.bin");
        for (var i = 0; i < parts.Length; i++)
        {
            var part = Service.GetObjectPart(Bucket, "parts.bin", null, i + 1);
            part.PartsCount.Should().Be(3);
            part.Offset.Should().Be(parts.Take(i).Sum(p => (long)p.Length));
            ReadAll(part).Should().Equal(parts[i]);
        }

        var beyond = () => Service.GetObjectPart(Bucket, "parts.bin", null, 4);
        beyond.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidPartNumber);
    }

    [Fact]
    public async Task GetObjectAttributes_ListsEachPartsSize_IncludingAnEmptyLastOne_APageAtATime()
    {
        var parts = await CompleteWithAnEmptyLastPartAsync("attributes.bin");

        var all = Service.GetObjectAttributes(Bucket, "attributes.bin", null, null, true, 0, 1000).Parts!;
        all.Parts.Should().Equal(parts.Select((p, i) => new ObjectPart(i + 1, p.Length, null)));
        (all.PartsCount, all.ChecksumAlgorithm, all.IsTruncated, all.NextPartNumberMarker).Should().Be((3, (string?)null, false, 3));
        var page = Service.GetObjectAttributes(Bucket, "attributes.bin", null, null, true, 1, 1).Parts!;
        page.Parts.Should().Equal(new ObjectPart(2, MiB + 7, null));
        (page.IsTruncated, page.NextPartNumberMarker).Should().Be((true, 2));
        var last = Service.GetObjectAttributes(Bucket, "attributes.bin", null, null, true, 2, 1).Parts!;
        last.Parts.Should().Equal(new ObjectPart(3, 0, null));
        last.IsTruncated.Should().BeFalse();
        var empty = Service.GetObjectAttributes(Bucket, "attributes.bin", null, null, true, 1, 0).Parts!;
        (empty.Parts.Count, empty.IsTruncated, empty.NextPartNumberMarker).Should().Be((0, false, 1), "an empty page hands back the marker sent");
        Service.GetObjectAttributes(Bucket, "attributes.bin", null, null, false, 0, 1000).Parts.Should().BeNull("the parts were not asked for");

        await Service.PutObjectAsync(new PutObjectRequest { Bucket = Bucket, Key = "single.bin", Body = new MemoryStream(Bytes(10, 4)) });
        Service.GetObjectAttributes(Bucket, "single.bin", null, null, true, 0, 1000).Parts.Should().BeNull("an object put whole has no parts to list");
    }

    [Fact]
    public async Task UploadPart_ReplacesAnEarlierPartWithTheSameNumber()
    {
        var upload = await StartAsync("k");
        await UploadAsync(upload, 1, Bytes(10, 1));
        var second = await UploadAsync(upload, 1, Bytes(20, 2));
        _fixture.BlobFiles().Should().HaveCount(1);
        var listed = Service.ListParts(Bucket, "k", upload.UploadId, 0, 1000);
        listed.Parts.Should().ContainSingle().Which.Should().Be(second);
    }

    [Fact]
    public async Task Complete_ThrowsInvalidPart_ForAWrongETagOrMissingPart()
    {
        var upload = await StartAsync("k");
        await UploadAsync(upload, 1, Bytes(10, 1));
        var wrongETag = () => CompleteAsync(upload, [new CompletedPart(1, "\"00000000000000000000000000000000\"")]);
        (await wrongETag.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidPart);
        var missing = () => CompleteAsync(upload, [new CompletedPart(2, "\"x\"")]);
        (await missing.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidPart);
    }

    [Fact]
    public async Task Complete_ThrowsInvalidPartOrder_WhenPartsAreNotAscending()
    {
        var upload = await StartAsync("k");
        var one = await UploadAsync(upload, 1, Bytes(MiB, 1));
        var two = await UploadAsync(upload, 2, Bytes(10, 2));
        var act = () => CompleteAsync(upload, [new CompletedPart(2, two.ETag), new CompletedPart(1, one.ETag)]);
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidPartOrder);
    }

    [Fact]
    public async Task Complete_ThrowsEntityTooSmall_WhenANonFinalPartIsUnderTheMinimum()
    {
        var upload = await StartAsync("k");
        var one = await UploadAsync(upload, 1, Bytes(MiB - 1, 1));
        var two = await UploadAsync(upload, 2, Bytes(10, 2));
        var act = () => CompleteAsync(upload, [new CompletedPart(1, one.ETag), new CompletedPart(2, two.ETag)]);
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.EntityTooSmall);
        var s3Minimum = () => Service.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            Bucket = Bucket,
            Key = "k",
            UploadId = upload.UploadId,
            Parts = [new CompletedPart(1, one.ETag), new CompletedPart(2, two.ETag)],
            MinPartSize = MultipartLimits.S3MinPartSize,
        });
        (await s3Minimum.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.EntityTooSmall);
    }

    [Fact]
    public async Task Abort_DeletesThePartsAndTheUpload()
    {
        var upload = await StartAsync("k");
        await UploadAsync(upload, 1, Bytes(10, 1));
        await Service.AbortMultipartUploadAsync(Bucket, "k", upload.UploadId);

        _fixture.BlobFiles().Should().BeEmpty();
        var again = () => Service.AbortMultipartUploadAsync(Bucket, "k", upload.UploadId);
        (await again.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.NoSuchUpload);
        var part = () => UploadAsync(upload, 2, Bytes(10, 2));
        (await part.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.NoSuchUpload);
        _fixture.BlobFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task UploadPart_ThrowsInvalidArgument_ForPartNumbersOutOfRange()
    {
        var upload = await StartAsync("k");
        foreach (var number in new[] { 0, 10_001 })
        {
            var act = () => UploadAsync(upload, number, Bytes(1, 1));
            (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
        }
    }

    [Fact]
    public async Task ListParts_Pages_WithPartNumberMarker()
    {
        var upload = await StartAsync("k");
        for (var i = 1; i <= 5; i++)
        {
            await UploadAsync(upload, i, Bytes(1, i));
        }

        var first = Service.ListParts(Bucket, "k", upload.UploadId, 0, 2);
        first.Parts.Select(p => p.PartNumber).Should().Equal(1, 2);
        first.IsTruncated.Should().BeTrue();
        var rest = Service.ListParts(Bucket, "k", upload.UploadId, first.NextPartNumberMarker, 10);
        rest.Parts.Select(p => p.PartNumber).Should().Equal(3, 4, 5);
        rest.IsTruncated.Should().BeFalse();
        var empty = Service.ListParts(Bucket, "k", upload.UploadId, 2, 0);
        (empty.Parts.Count, empty.IsTruncated, empty.NextPartNumberMarker).Should().Be((0, false, 2), "an empty page hands back the marker sent");
    }

    [Fact]
    public async Task ListMultipartUploads_ListsByKeyThenInitiation_WithMarkers()
    {
        var a1 = await StartAsync("a");
        _fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var a2 = await StartAsync("a");
        var b = await StartAsync("b");
        await StartAsync("dir/c");

        var all = Service.ListMultipartUploads(Bucket, new ListUploadsQuery { Delimiter = "/" });
        all.Uploads.Select(u => u.UploadId).Should().Equal(a1.UploadId, a2.UploadId, b.UploadId);
        all.CommonPrefixes.Should().Equal("dir/");

        var first = Service.ListMultipartUploads(Bucket, new ListUploadsQuery { MaxUploads = 1 });
        first.NextKeyMarker.Should().Be("a");
        first.NextUploadIdMarker.Should().Be(a1.UploadId);
        var next = Service.ListMultipartUploads(Bucket, new ListUploadsQuery { KeyMarker = "a", UploadIdMarker = a1.UploadId });
        next.Uploads.Select(u => u.UploadId).Should().StartWith([a2.UploadId, b.UploadId]);
    }

    [Fact]
    public async Task DeleteBucket_ThrowsBucketNotEmpty_WhileAnUploadIsOpen()
    {
        var upload = await StartAsync("k");
        var act = () => Service.DeleteBucketAsync(Bucket);
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.BucketNotEmpty);
        await Service.AbortMultipartUploadAsync(Bucket, "k", upload.UploadId);
        await Service.DeleteBucketAsync(Bucket);
    }

    public void Dispose() => _fixture.Dispose();

    private async Task<MultipartUploadInfo> StartAsync(string key, Func<CreateMultipartUploadRequest, CreateMultipartUploadRequest>? customize = null)
    {
        if (Service.ListBuckets(ObjectServiceFixture.Owner).Count == 0)
        {
            await Service.CreateBucketAsync(Bucket, ObjectServiceFixture.Owner, "ap-guangzhou");
        }

        var request = new CreateMultipartUploadRequest { Bucket = Bucket, Key = key };
        return await Service.CreateMultipartUploadAsync(customize is null ? request : customize(request));
    }

    private Task<PartInfo> UploadAsync(MultipartUploadInfo upload, int number, byte[] body) =>
        Service.UploadPartAsync(new UploadPartRequest
        {
            Bucket = Bucket,
            Key = upload.Key,
            UploadId = upload.UploadId,
            PartNumber = number,
            Body = new MemoryStream(body),
            ContentLength = body.Length,
        });

    private Task<ObjectInfo> CompleteAsync(MultipartUploadInfo upload, IReadOnlyList<CompletedPart> parts) =>
        Service.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { Bucket = Bucket, Key = upload.Key, UploadId = upload.UploadId, Parts = parts });

    /// <summary>Completes <paramref name="key"/> from parts of 1 MiB, 1 MiB + 7 and 0 bytes; the parts.</summary>
    private async Task<byte[][]> CompleteWithAnEmptyLastPartAsync(string key)
    {
        var upload = await StartAsync(key);
        byte[][] parts = [Bytes(MiB, 1), Bytes(MiB + 7, 2), []];
        var infos = new List<PartInfo>();
        for (var i = 0; i < parts.Length; i++)
        {
            infos.Add(await UploadAsync(upload, i + 1, parts[i]));
        }

        await CompleteAsync(upload, infos.Select(p => new CompletedPart(p.PartNumber, p.ETag)).ToArray());
        return parts;
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] ReadAll(ObjectContent content)
    {
        using var stream = content.Open();
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
