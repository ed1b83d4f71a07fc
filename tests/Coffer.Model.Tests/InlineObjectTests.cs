using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Model.Buckets;
using Coffer.Model.Multipart;
using Coffer.Model.Objects;
using Coffer.Storage.Blobs;
using Coffer.Testing;

namespace Coffer.Model.Tests;

/// <summary>
/// Objects on both sides of the inline threshold: up to it their bytes live in the metadata store, past it in files.
/// Every read path (GET, ranges, part numbers, copy, versions, encryption) answers the same either way.
/// </summary>
public sealed class InlineObjectTests : IDisposable
{
    private const string Bucket = "inline-1250000000";
    private const string Other = "other-1250000000";
    private const int Threshold = BlobStore.DefaultInlineThreshold;

    private readonly ObjectServiceFixture _fixture = new();

    public InlineObjectTests()
    {
        Service.CreateBucketAsync(Bucket, ObjectServiceFixture.Owner, "ap-guangzhou").GetAwaiter().GetResult();
        Service.CreateBucketAsync(Other, ObjectServiceFixture.Owner, "ap-guangzhou").GetAwaiter().GetResult();
    }

    private ObjectService Service => _fixture.Service;

    public static TheoryData<int, bool, bool> Sizes()
    {
        var data = new TheoryData<int, bool, bool>();
        foreach (var size in new[] { 1, 1000, Threshold, Threshold + 1, 200_000 })
        {
            foreach (var encrypted in new[] { false, true })
            {
                data.Add(size, encrypted, true);
            }

            data.Add(size, false, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task PutObject_StoresInlineUpToTheThreshold_AndEveryReadAnswersTheSame(int size, bool encrypted, bool lengthAnnounced)
    {
        var data = RandomNumberGenerator.GetBytes(size);
        var info = await PutAsync(Bucket, "k", data, encrypted, lengthAnnounced);

        var stored = StoredBlobs.In(_fixture.DataDirectory).Should().ContainSingle().Subject;
        stored.Id.StartsWith("inline:", StringComparison.Ordinal).Should().Be(size <= Threshold);
        if (encrypted && size >= 8)
        {
            stored.Bytes.AsSpan().IndexOf(data.AsSpan(0, Math.Min(16, size))).Should().Be(-1, "the bytes at rest are sealed");
        }
        else if (encrypted)
        {
            // A body of a few bytes may turn up in random ciphertext by chance; what is sealed carries a header and a tag.
            stored.Bytes.Length.Should().BeGreaterThan(size + 16, "the bytes at rest are sealed");
        }
        else
        {
            stored.Bytes.Should().Equal(data);
        }

        info.Size.Should().Be(size);
        info.ETag.Should().Be(Convert.ToHexStringLower(MD5.HashData(data)));
        info.Crc64.Should().Be(Crc64.Compute(data));
        ReadAll(Service.GetObject(Bucket, "k")).Should().Equal(data);
        var from = size / 3;
        var last = from + (size / 4);
        ReadAll(Service.GetObject(Bucket, "k", range: ByteRange.Parse($"bytes={from}-{last}"))).Should().Equal(data[from..(last + 1)]);
        ReadAll(Service.GetObject(Bucket, "k", range: ByteRange.Parse("bytes=-1"))).Should().Equal(data[^1..]);
        ReadAll(Service.GetObjectPart(Bucket, "k", null, 1)).Should().Equal(data);
        Service.HeadObject(Bucket, "k").Encryption.Should().Be(encrypted ? ObjectEncryption.Aes256 : null);
    }

    [Theory]
    [InlineData(1000, 200_000)]
    [InlineData(200_000, 1000)]
    [InlineData(1000, 1000)]
    public async Task Overwrites_AndDeletes_ReleaseTheBytes_WhereverTheyWere(int first, int second)
    {
        await PutAsync(Bucket, "k", RandomNumberGenerator.GetBytes(first));
        var replacement = RandomNumberGenerator.GetBytes(second);
        await PutAsync(Bucket, "k", replacement);

        StoredBlobs.Ids(_fixture.DataDirectory).Should().ContainSingle().Which.StartsWith("inline:", StringComparison.Ordinal).Should().Be(second <= Threshold);
        ReadAll(Service.GetObject(Bucket, "k")).Should().Equal(replacement);

        await Service.DeleteObjectAsync(Bucket, "k");
        StoredBlobs.Ids(_fixture.DataDirectory).Should().BeEmpty();
    }

    [Theory]
    [InlineData(1000, false, true)]
    [InlineData(1000, true, false)]
    [InlineData(200_000, true, false)]
    [InlineData(200_000, false, true)]
    public async Task CopyObject_ReadsTheSourceWhereverItIs_AndPlacesTheCopyByItsOwnSize(int size, bool sourceEncrypted, bool copyEncrypted)
    {
        var data = RandomNumberGenerator.GetBytes(size);
        await PutAsync(Bucket, "source", data, sourceEncrypted);

        var copy = await Service.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = Bucket,
            SourceKey = "source",
            Bucket = Other,
            Key = "copy",
            ServerSideEncryption = copyEncrypted ? ObjectEncryption.Aes256 : null,
        });

        copy.ETag.Should().Be(Convert.ToHexStringLower(MD5.HashData(data)));
        ReadAll(Service.GetObject(Other, "copy")).Should().Equal(data);
        StoredBlobs.Ids(_fixture.DataDirectory).Should().HaveCount(2).And.OnlyContain(id => id.StartsWith("inline:", StringComparison.Ordinal) == (size <= Threshold));
    }

    [Fact]
    public async Task Versions_OnBothSides_EachReadTheirOwnBytes_AndDeletingOneReleasesOnlyIt()
    {
        await Service.SetBucketVersioningAsync(Bucket, BucketVersioning.Enabled);
        var small = RandomNumberGenerator.GetBytes(10);
        var large = RandomNumberGenerator.GetBytes(100_000);
        var first = await PutAsync(Bucket, "k", small);
        var second = await PutAsync(Bucket, "k", large);

        ReadAll(Service.GetObject(Bucket, "k", first.VersionId)).Should().Equal(small);
        ReadAll(Service.GetObject(Bucket, "k", second.VersionId)).Should().Equal(large);
        StoredBlobs.Ids(_fixture.DataDirectory).Should().HaveCount(2);

        await Service.DeleteObjectAsync(Bucket, "k", first.VersionId);
        StoredBlobs.Ids(_fixture.DataDirectory).Should().ContainSingle().Which.StartsWith("inline:", StringComparison.Ordinal).Should().BeFalse();
        ReadAll(Service.GetObject(Bucket, "k")).Should().Equal(large);
    }

    [Fact]
    public async Task GetObject_OfAnInlineObject_ReadsTheVersionItFound_EvenWhenItIsReplacedBeforeTheBodyIsSent()
    {
        var before = RandomNumberGenerator.GetBytes(500);
        await PutAsync(Bucket, "k", before);
        var content = Service.GetObject(Bucket, "k");

        await PutAsync(Bucket, "k", RandomNumberGenerator.GetBytes(600));

        ReadAll(content).Should().Equal(before);
    }

    [Fact]
    public async Task UploadPart_KeepsEvenASmallPartInAFile_AndTheCompletedObjectReads()
    {
        var upload = await Service.CreateMultipartUploadAsync(new CreateMultipartUploadRequest { Bucket = Bucket, Key = "k" });
        var data = RandomNumberGenerator.GetBytes(100);
        var part = await Service.UploadPartAsync(new UploadPartRequest
        {
            Bucket = Bucket,
            Key = "k",
            UploadId = upload.UploadId,
            PartNumber = 1,
            Body = new MemoryStream(data),
            ContentLength = data.Length,
        });
        StoredBlobs.Ids(_fixture.DataDirectory).Should().ContainSingle().Which.StartsWith("inline:", StringComparison.Ordinal).Should().BeFalse();

        await Service.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            Bucket = Bucket,
            Key = "k",
            UploadId = upload.UploadId,
            Parts = [new CompletedPart(1, part.ETag)],
        });
        ReadAll(Service.GetObject(Bucket, "k")).Should().Equal(data);
        ReadAll(Service.GetObjectPart(Bucket, "k", null, 1)).Should().Equal(data);
    }

    public void Dispose() => _fixture.Dispose();

    private Task<ObjectInfo> PutAsync(string bucket, string key, byte[] data, bool encrypted = false, bool lengthAnnounced = true) =>
        Service.PutObjectAsync(new PutObjectRequest
        {
            Bucket = bucket,
            Key = key,
            Body = new MemoryStream(data),
            ContentLength = lengthAnnounced ? data.Length : null,
            ServerSideEncryption = encrypted ? ObjectEncryption.Aes256 : null,
        });

    private static byte[] ReadAll(ObjectContent content)
    {
        using var stream = content.Open();
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
