using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>What <see cref="IUploadReader"/> and <see cref="IUploadWriter"/> promise.</summary>
public abstract class UploadStoreContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    [Fact]
    public async Task Insert_RoundTripsEveryField()
    {
        var bucket = await CreateBucketAsync();
        var upload = new MultipartUploadRecord
        {
            BucketId = bucket.Id,
            UploadId = "u1",
            Key = "dir/腾讯云",
            InitiatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123),
            ContentType = "video/mp4",
            StorageClass = "ARCHIVE",
            UserMetadata = [new("b", "2"), new("a", "1")],
            Headers = [new("Content-Disposition", "attachment")],
            Tags = [new("t", "v")],
            Encryption = "aws:kms",
            KmsKeyId = "key-1",
            ChecksumAlgorithm = "CRC32C",
            ChecksumType = "COMPOSITE",
            Initiator = "qcs::cam::uin/100000000001:uin/100000000011",
            Acl = "private",
        };
        await Store.WriteAsync(w =>
        {
            w.Uploads.Insert(upload);
            w.Uploads.Insert(new MultipartUploadRecord { BucketId = bucket.Id, UploadId = "u2", Key = "plain" });
            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        snapshot.Uploads.Get(bucket.Id, "u1").Should().BeEquivalentTo(upload);
        snapshot.Uploads.Get(bucket.Id, "u2").Should().BeEquivalentTo(new MultipartUploadRecord { BucketId = bucket.Id, UploadId = "u2", Key = "plain" });
        snapshot.Uploads.Get(bucket.Id, "u3").Should().BeNull();
    }

    [Fact]
    public async Task Scan_OrdersByKeyThenInitiation_AndResumesAfterAnUpload()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w =>
        {
            foreach (var (key, id, at) in new[] { ("b", "b2", 2), ("a", "a1", 5), ("b", "b1", 1), ("B", "B1", 9), ("b", "b3", 3), ("c", "c1", 0) })
            {
                w.Uploads.Insert(new MultipartUploadRecord { BucketId = bucket.Id, UploadId = id, Key = key, InitiatedAt = DateTimeOffset.FromUnixTimeMilliseconds(at) });
            }

            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        snapshot.Uploads.Scan(bucket.Id, "", true, null, null).Select(u => u.UploadId).Should().Equal("B1", "a1", "b1", "b2", "b3", "c1");
        snapshot.Uploads.Scan(bucket.Id, "b", true, "b1", null).Select(u => u.UploadId).Should().Equal("b2", "b3", "c1");
        snapshot.Uploads.Scan(bucket.Id, "b", true, "b3", null).Select(u => u.UploadId).Should().Equal("c1");
        snapshot.Uploads.Scan(bucket.Id, "a", false, null, "c").Select(u => u.UploadId).Should().Equal("b1", "b2", "b3");
    }

    [Fact]
    public async Task Scan_ReturnsEveryUploadOnce_AcrossThousands()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w =>
        {
            for (var i = 0; i < 2_500; i++)
            {
                w.Uploads.Insert(new MultipartUploadRecord
                {
                    BucketId = bucket.Id,
                    UploadId = $"u{i:D4}",
                    Key = $"k{i % 7}",
                    InitiatedAt = DateTimeOffset.FromUnixTimeMilliseconds(i / 3),
                });
            }

            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        var scanned = snapshot.Uploads.Scan(bucket.Id, "", true, null, null).ToList();
        scanned.Select(u => u.UploadId).Should().HaveCount(2_500).And.OnlyHaveUniqueItems();
        scanned.Select(u => (u.Key, u.InitiatedAt.ToUnixTimeMilliseconds(), u.UploadId))
            .Should().BeInAscendingOrder(Comparer<(string, long, string)>.Create((x, y) =>
                string.CompareOrdinal(x.Item1, y.Item1) is not 0 and var byKey ? byKey
                : x.Item2.CompareTo(y.Item2) is not 0 and var byTime ? byTime : string.CompareOrdinal(x.Item3, y.Item3)));
    }

    [Fact]
    public async Task PutPart_ReplacesAPartOfTheSameNumber_AndReturnsThePrevious()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w =>
        {
            w.Uploads.Insert(new MultipartUploadRecord { BucketId = bucket.Id, UploadId = "u", Key = "k" });
            return 0;
        });
        var first = Part(bucket, 2, "blob0000a");
        (await Store.WriteAsync(w => w.Uploads.PutPart(first))).Should().BeNull();
        (await Store.WriteAsync(w => w.Uploads.PutPart(Part(bucket, 1, "blob0000b")))).Should().BeNull();
        var replacement = Part(bucket, 2, "blob0000c") with { Crc64 = null, WrappedKey = null, Checksum = null };
        (await Store.WriteAsync(w => w.Uploads.PutPart(replacement))).Should().BeEquivalentTo(first);

        using var snapshot = Store.OpenSnapshot();
        snapshot.Uploads.ScanParts(bucket.Id, "u", 0).Select(p => p.BlobId).Should().Equal("blob0000b", "blob0000c");
        snapshot.Uploads.ScanParts(bucket.Id, "u", 1).Should().ContainSingle().Which.Should().BeEquivalentTo(replacement);
    }

    [Fact]
    public async Task ScanParts_ReturnsTenThousandParts_InOrder()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w =>
        {
            w.Uploads.Insert(new MultipartUploadRecord { BucketId = bucket.Id, UploadId = "u", Key = "k" });
            for (var n = 10_000; n >= 1; n--)
            {
                w.Uploads.PutPart(Part(bucket, n, $"blob{n:D8}"));
            }

            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        snapshot.Uploads.ScanParts(bucket.Id, "u", 0).Select(p => p.PartNumber).Should().Equal(Enumerable.Range(1, 10_000));
        snapshot.Uploads.ScanParts(bucket.Id, "u", 9_998).Select(p => p.PartNumber).Should().Equal(9_999, 10_000);
    }

    [Fact]
    public async Task Delete_ForgetsTheUploadAndItsParts()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w =>
        {
            w.Uploads.Insert(new MultipartUploadRecord { BucketId = bucket.Id, UploadId = "u", Key = "k" });
            w.Uploads.PutPart(Part(bucket, 1, "blob0000a"));
            return 0;
        });
        await Store.WriteAsync(w =>
        {
            w.Uploads.Delete(bucket.Id, "u");
            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        snapshot.Uploads.Get(bucket.Id, "u").Should().BeNull();
        snapshot.Uploads.ScanParts(bucket.Id, "u", 0).Should().BeEmpty();
        snapshot.Buckets.HasContent(bucket.Id).Should().BeFalse();
    }

    private static MultipartPartRecord Part(BucketRecord bucket, int number, string blobId) => new()
    {
        BucketId = bucket.Id,
        UploadId = "u",
        PartNumber = number,
        Size = 5L << 20,
        ETag = "0123456789abcdef0123456789abcdef",
        Crc64 = ulong.MaxValue - (ulong)number,
        BlobId = blobId,
        WrappedKey = [1, 2, (byte)number],
        Checksum = $"AAAA{number}==",
        LastModified = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + number),
    };
}

public sealed class SqliteUploadStore : UploadStoreContract<SqliteTestEngine>;

public sealed class PostgresUploadStore : UploadStoreContract<PostgresTestEngine>;
