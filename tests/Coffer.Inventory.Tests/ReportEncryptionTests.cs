using System.Text;
using Coffer.Model.Buckets;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;
using Coffer.Storage.Encryption;

namespace Coffer.Inventory.Tests;

/// <summary>Reports of configurations that ask for encryption are encrypted at rest; EncryptionStatus says what each object really is.</summary>
public sealed class ReportEncryptionTests : IDisposable
{
    private readonly InventoryFixture _fixture = new();

    [Theory]
    [InlineData(InventoryDialect.Cos, InventoryEncryption.SseCos, "AES256")]
    [InlineData(InventoryDialect.S3, InventoryEncryption.SseS3, "AES256")]
    [InlineData(InventoryDialect.S3, InventoryEncryption.SseKms, "aws:kms")]
    public async Task Reports_AreEncryptedAtRest_WhenTheConfigurationAsks(InventoryDialect dialect, InventoryEncryption encryption, string algorithm)
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.PutAsync("listed-key", "v");
        var configuration = InventoryFixture.Configuration("enc", dialect, oneTime: dialect == InventoryDialect.Cos, encryption: encryption);
        var run = await RunAsync(configuration with
        {
            Destination = configuration.Destination with { KmsKeyId = encryption == InventoryEncryption.SseKms ? "arn:aws:kms:ap-guangzhou:1:key/k" : null },
        });
        run.State.Should().Be(InventoryRunState.Succeeded, run.ErrorMessage);

        var written = _fixture.DestinationKeys();
        written.Should().Contain(run.ManifestKey!);
        foreach (var key in written)
        {
            var head = _fixture.Objects.HeadObject(InventoryFixture.Destination, key);
            head.Encryption.Should().Be(algorithm, key);
            head.KmsKeyId.Should().Be(encryption == InventoryEncryption.SseKms ? "arn:aws:kms:ap-guangzhou:1:key/k" : null, "SSE-KMS reports carry the configured key");
            BlobsHoldTheStartOf(_fixture.Read(key)).Should().BeFalse($"{key} is encrypted at rest");
        }

        Encoding.UTF8.GetString(_fixture.Read(run.ManifestKey!)).Should().Contain("sourceBucket", "reads return the plaintext");
    }

    [Fact]
    public async Task Reports_OfAConfigurationWithoutEncryption_AreInTheClear_UnlessTheDestinationHasADefault()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.PutAsync("k", "v");
        var clear = await RunAsync(InventoryFixture.Configuration("clear", oneTime: true));
        BlobsHoldTheStartOf(_fixture.Read(clear.ManifestKey!)).Should().BeTrue("nothing asked for encryption, so the disk check has something to find");
        foreach (var key in _fixture.DestinationKeys())
        {
            await _fixture.Objects.DeleteObjectAsync(InventoryFixture.Destination, key);
        }

        await _fixture.Objects.PutBucketEncryptionAsync(InventoryFixture.Destination, new BucketEncryption(new ObjectEncryption(ObjectEncryption.Aes256)));
        var defaulted = await RunAsync(InventoryFixture.Configuration("defaulted", oneTime: true));
        _fixture.Objects.HeadObject(InventoryFixture.Destination, defaulted.ManifestKey!).Encryption.Should().Be("AES256");
        BlobsHoldTheStartOf(_fixture.Read(defaulted.ManifestKey!)).Should().BeFalse();
    }

    [Fact]
    public async Task EncryptionStatus_ReportsEachObjectsRealEncryption()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.PutAsync("plain", "v");
        await _fixture.PutAsync("sse-s3", "v", r => r with { ServerSideEncryption = ObjectEncryption.Aes256 });
        await _fixture.PutAsync("sse-kms", "v", r => r with { ServerSideEncryption = ObjectEncryption.Kms, KmsKeyId = "k" });
        await _fixture.PutAsync("sse-c", "v", r => r with { CustomerKey = CustomerKey.From(new byte[CustomerKey.KeySize]) });
        await _fixture.Objects.PutBucketEncryptionAsync(InventoryFixture.Source, new BucketEncryption(new ObjectEncryption(ObjectEncryption.Aes256)));
        await _fixture.PutAsync("by-default", "v");

        var run = await RunAsync(InventoryFixture.Configuration("status", InventoryDialect.S3, fields: ["EncryptionStatus", "BucketKeyStatus"]));
        var key = _fixture.DestinationKeys().Single(k => k.EndsWith(".csv.gz", StringComparison.Ordinal));
        Csv.Parse(_fixture.ReadGzip(key)).Select(row => (row[1], row[2], row[3])).Should().Equal(
            ("by-default", "SSE-S3", ""),
            ("plain", "NOT-SSE", ""),
            ("sse-c", "SSE-C", ""),
            ("sse-kms", "SSE-KMS", "DISABLED"),
            ("sse-s3", "SSE-S3", ""));
        run.State.Should().Be(InventoryRunState.Succeeded);

        // EncryptionStatus alone is read from the stored rows in place, the other path to the same values.
        var inPlace = await RunAsync(InventoryFixture.Configuration("in-place", InventoryDialect.S3, oneTime: true, fields: ["EncryptionStatus"]));
        inPlace.State.Should().Be(InventoryRunState.Succeeded, inPlace.ErrorMessage);
        var report = _fixture.DestinationKeys().Single(k => k.EndsWith(".csv.gz", StringComparison.Ordinal) && k.Contains("in-place", StringComparison.Ordinal));
        Csv.Parse(_fixture.ReadGzip(report)).Select(row => (row[1], row[2])).Should().Contain(("sse-c", "SSE-C"));
    }

    [Fact]
    public async Task Crc64_IsLeftEmpty_ForSseCObjects_WhosePlaintextItDescribes()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.PutAsync("plain", "v");
        await _fixture.PutAsync("sse-c", "v", r => r with { CustomerKey = CustomerKey.From(new byte[CustomerKey.KeySize]) });

        var run = await RunAsync(InventoryFixture.Configuration("crc", oneTime: true, fields: ["Crc64"]));
        run.State.Should().Be(InventoryRunState.Succeeded, run.ErrorMessage);
        var key = _fixture.DestinationKeys().Single(k => k.EndsWith(".csv.gz", StringComparison.Ordinal));
        var rows = Csv.Parse(_fixture.ReadGzip(key)).ToDictionary(row => row[2], row => row[3]);
        rows["plain"].Should().MatchRegex("^[0-9]+$", "a plain object's CRC-64 is reported");
        rows["sse-c"].Should().BeEmpty("the CRC-64 of an SSE-C object's plaintext needs its key");
    }

    public void Dispose() => _fixture.Dispose();

    private async Task<InventoryRun> RunAsync(InventoryConfiguration configuration)
    {
        if (configuration.Schedule is null)
        {
            return await _fixture.RunOneTimeAsync(configuration);
        }

        await _fixture.Configurations.PutAsync(InventoryFixture.Source, configuration);
        var queued = await _fixture.Runs.EnqueueAsync(InventoryFixture.Source, configuration.Id, InventoryTrigger.Manual, _fixture.Time.GetUtcNow());
        await _fixture.Runner.RunPendingAsync();
        return _fixture.Runs.Get(InventoryFixture.Source, queued.JobId);
    }

    /// <summary>True when some blob file holds the first 32 bytes (or all, if fewer) of <paramref name="plaintext"/> in the clear.</summary>
    private bool BlobsHoldTheStartOf(byte[] plaintext) =>
        _fixture.Blobs().Any(b => b.Bytes.AsSpan().IndexOf(plaintext.AsSpan(0, Math.Min(32, plaintext.Length))) >= 0);
}
