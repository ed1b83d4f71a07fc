using System.Security.Cryptography;
using System.Text;
using Coffer.Common;
using Coffer.Model.Buckets;
using Coffer.Model.Multipart;
using Coffer.Model.Objects;
using Coffer.Testing;

namespace Coffer.Model.Tests;

public sealed class EncryptionTests : IDisposable
{
    private const string Bucket = "sse-1250000000";
    private const string Plain = "plain-1250000000";
    private const int MiB = 1 << 20;

    private readonly ObjectServiceFixture _fixture = new();

    public EncryptionTests()
    {
        Service.CreateBucketAsync(Bucket, ObjectServiceFixture.Owner, "ap-guangzhou").GetAwaiter().GetResult();
        Service.CreateBucketAsync(Plain, ObjectServiceFixture.Owner, "ap-guangzhou").GetAwaiter().GetResult();
    }

    private ObjectService Service => _fixture.Service;

    [Fact]
    public async Task PutObject_EncryptsAtRest_AndReadsBackThePlaintext_WithItsChecksums()
    {
        var data = Text(200_000);
        var info = await PutAsync(Bucket, "k", data, ObjectEncryption.Aes256);

        info.Encryption.Should().Be("AES256");
        info.ETag.Should().Be(Convert.ToHexStringLower(MD5.HashData(data)));
        info.Crc64.Should().Be(Crc64.Compute(data));
        BlobsContain(data).Should().BeFalse();
        ReadAll(Service.GetObject(Bucket, "k")).Should().Equal(data);
        Service.HeadObject(Bucket, "k").Encryption.Should().Be("AES256");
    }

    [Fact]
    public async Task PutObject_RecordsTheKmsKeyId_OfAnAwsKmsObject()
    {
        var info = await PutAsync(Bucket, "k", Text(10), ObjectEncryption.Kms, "key-1");
        info.Encryption.Should().Be("aws:kms");
        info.KmsKeyId.Should().Be("key-1");
        Service.HeadObject(Bucket, "k").KmsKeyId.Should().Be("key-1");
        BlobsContain(Text(10)).Should().BeFalse();
    }

    [Theory]
    [InlineData("aws:kms:dsse", null)]
    [InlineData("AES128", null)]
    [InlineData("aes256", null)]
    [InlineData("AES256", "key-1")]
    [InlineData(null, "key-1")]
    public async Task PutObject_ThrowsInvalidArgument_ForWhatIsNotAnEncryption(string? algorithm, string? kmsKeyId)
    {
        var act = () => PutAsync(Bucket, "k", Text(10), algorithm, kmsKeyId);
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
        _fixture.BlobFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task PutObject_TakesTheBucketDefault_UnlessItNamesItsOwn()
    {
        await Service.PutBucketEncryptionAsync(Bucket, new BucketEncryption(new ObjectEncryption(ObjectEncryption.Kms, "default-key")));
        (await PutAsync(Bucket, "default", Text(10))).Should().Match<ObjectInfo>(i => i.Encryption == "aws:kms" && i.KmsKeyId == "default-key");
        (await PutAsync(Bucket, "own", Text(10), ObjectEncryption.Aes256)).Should().Match<ObjectInfo>(i => i.Encryption == "AES256" && i.KmsKeyId == null);
        BlobsContain(Text(10)).Should().BeFalse();

        await Service.DeleteBucketEncryptionAsync(Bucket);
        (await PutAsync(Bucket, "after", Text(10))).Encryption.Should().BeNull();
        Service.HeadObject(Bucket, "default").Encryption.Should().Be("aws:kms", "existing objects keep their encryption");
    }

    [Fact]
    public async Task BucketEncryption_RoundTrips_AndIsNotFoundWhenUnsetOrDeleted()
    {
        var missing = () => Service.GetBucketEncryption(Bucket);
        missing.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.NoSuchEncryptionConfiguration);

        await Service.PutBucketEncryptionAsync(Bucket, new BucketEncryption(new ObjectEncryption(ObjectEncryption.Aes256), BucketKeyEnabled: true));
        Service.GetBucketEncryption(Bucket).Should().Be(new BucketEncryption(new ObjectEncryption("AES256"), true));

        await Service.DeleteBucketEncryptionAsync(Bucket);
        await Service.DeleteBucketEncryptionAsync(Bucket);
        missing.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.NoSuchEncryptionConfiguration);
    }

    [Fact]
    public async Task PutBucketEncryption_ThrowsInvalidArgument_ForAnUnknownAlgorithm()
    {
        var act = () => Service.PutBucketEncryptionAsync(Bucket, new BucketEncryption(new ObjectEncryption("SM4")));
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }

    [Fact]
    public async Task CopyObject_EncryptsOrDecrypts_AsTheCopyAsks_NotAsTheSourceIs()
    {
        var data = Text(70_000);
        await PutAsync(Plain, "plain", data);
        await PutAsync(Bucket, "secret", data, ObjectEncryption.Aes256);

        var encrypted = await Service.CopyObjectAsync(Copy(Plain, "plain", Bucket, "encrypted") with { ServerSideEncryption = ObjectEncryption.Aes256 });
        var decrypted = await Service.CopyObjectAsync(Copy(Bucket, "secret", Plain, "decrypted"));

        encrypted.Encryption.Should().Be("AES256");
        decrypted.Encryption.Should().BeNull();
        encrypted.ETag.Should().Be(decrypted.ETag).And.Be(Convert.ToHexStringLower(MD5.HashData(data)));
        ReadAll(Service.GetObject(Bucket, "encrypted")).Should().Equal(data);
        ReadAll(Service.GetObject(Plain, "decrypted")).Should().Equal(data);
    }

    [Fact]
    public async Task CopyObject_OntoItself_IsAllowed_WhenItChangesTheEncryption()
    {
        await PutAsync(Bucket, "k", Text(100));
        var copied = await Service.CopyObjectAsync(Copy(Bucket, "k", Bucket, "k") with { ServerSideEncryption = ObjectEncryption.Aes256 });
        copied.Encryption.Should().Be("AES256");
        BlobsContain(Text(100)).Should().BeFalse("the plain blob was replaced by the encrypted one");
        ReadAll(Service.GetObject(Bucket, "k")).Should().Equal(Text(100));
    }

    [Fact]
    public async Task CopyObject_TakesTheDestinationBucketsDefault()
    {
        await PutAsync(Plain, "k", Text(100));
        await Service.PutBucketEncryptionAsync(Bucket, new BucketEncryption(new ObjectEncryption(ObjectEncryption.Aes256)));
        (await Service.CopyObjectAsync(Copy(Plain, "k", Bucket, "k"))).Encryption.Should().Be("AES256");
    }

    [Fact]
    public async Task Multipart_EncryptsEveryPart_AndTheObjectReadsAcrossPartsAndSegments()
    {
        var upload = await Service.CreateMultipartUploadAsync(new CreateMultipartUploadRequest
        {
            Bucket = Bucket,
            Key = "big",
            ServerSideEncryption = ObjectEncryption.Kms,
            KmsKeyId = "key-2",
        });
        upload.Encryption.Should().Be(new ObjectEncryption("aws:kms", "key-2"));
        var parts = new[] { Text(MiB), Text(MiB + 3), Text(1000) };
        var infos = new List<PartInfo>();
        for (var i = 0; i < parts.Length; i++)
        {
            infos.Add(await Service.UploadPartAsync(new UploadPartRequest
            {
                Bucket = Bucket,
                Key = "big",
                UploadId = upload.UploadId,
                PartNumber = i + 1,
                Body = new MemoryStream(parts[i]),
            }));
        }

        infos.Should().OnlyContain(p => p.Encryption == new ObjectEncryption("aws:kms", "key-2"));
        BlobsContain(Text(MiB)).Should().BeFalse();
        var info = await Service.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            Bucket = Bucket,
            Key = "big",
            UploadId = upload.UploadId,
            Parts = infos.Select(p => new CompletedPart(p.PartNumber, p.ETag)).ToArray(),
        });

        byte[] whole = [.. parts[0], .. parts[1], .. parts[2]];
        info.Encryption.Should().Be("aws:kms");
        info.KmsKeyId.Should().Be("key-2");
        info.Crc64.Should().Be(Crc64.Compute(whole));
        ReadAll(Service.GetObject(Bucket, "big")).Should().Equal(whole);
        ReadAll(Service.GetObject(Bucket, "big", range: ByteRange.Parse($"bytes={MiB - 70_000}-{MiB + 70_000}")))
            .Should().Equal(whole[(MiB - 70_000)..(MiB + 70_001)]);
    }

    [Fact]
    public async Task Multipart_TakesTheBucketDefault_AtInitiation()
    {
        await Service.PutBucketEncryptionAsync(Bucket, new BucketEncryption(new ObjectEncryption(ObjectEncryption.Aes256)));
        var upload = await Service.CreateMultipartUploadAsync(new CreateMultipartUploadRequest { Bucket = Bucket, Key = "k" });
        upload.Encryption.Should().Be(new ObjectEncryption("AES256"));
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("../x")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData("a/..")]
    [InlineData("..\\x")]
    public async Task Writes_ThrowInvalidArgument_ForKeysWithDotSegments(string key)
    {
        var put = () => PutAsync(Bucket, key, Text(10));
        (await put.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
        await PutAsync(Bucket, "source", Text(10));
        var copy = () => Service.CopyObjectAsync(Copy(Bucket, "source", Bucket, key));
        (await copy.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
        var multipart = () => Service.CreateMultipartUploadAsync(new CreateMultipartUploadRequest { Bucket = Bucket, Key = key });
        (await multipart.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }

    [Theory]
    [InlineData("..a")]
    [InlineData("a..")]
    [InlineData(".hidden/x")]
    [InlineData("a/.../b")]
    public async Task PutObject_AcceptsDotsThatAreNotWholeSegments(string key)
    {
        await PutAsync(Bucket, key, Text(10));
        ReadAll(Service.GetObject(Bucket, key)).Should().Equal(Text(10));
    }

    public void Dispose() => _fixture.Dispose();

    private Task<ObjectInfo> PutAsync(string bucket, string key, byte[] data, string? algorithm = null, string? kmsKeyId = null) =>
        Service.PutObjectAsync(new PutObjectRequest
        {
            Bucket = bucket,
            Key = key,
            Body = new MemoryStream(data),
            ContentLength = data.Length,
            ServerSideEncryption = algorithm,
            KmsKeyId = kmsKeyId,
        });

    private static CopyObjectRequest Copy(string sourceBucket, string sourceKey, string bucket, string key) => new()
    {
        SourceBucket = sourceBucket,
        SourceKey = sourceKey,
        Bucket = bucket,
        Key = key,
    };

    /// <summary>True when any blob file holds the first 16 bytes of <paramref name="data"/> in the clear.</summary>
    private bool BlobsContain(byte[] data) =>
        StoredBlobs.Holding(_fixture.DataDirectory, data.AsSpan(0, Math.Min(16, data.Length))).Length > 0;

    private static byte[] Text(int length) => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("model plaintext!", (length / 16) + 1)))[..length];

    private static byte[] ReadAll(ObjectContent content)
    {
        using var stream = content.Open();
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
