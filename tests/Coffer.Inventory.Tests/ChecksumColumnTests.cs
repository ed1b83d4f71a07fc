using System.Text.Json;
using Coffer.Model.Inventory;

namespace Coffer.Inventory.Tests;

/// <summary>The ChecksumAlgorithm field names the additional checksum an object was stored with, as GetObjectAttributes does.</summary>
public sealed class ChecksumColumnTests : IDisposable
{
    private readonly InventoryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task ChecksumAlgorithm_IsTheStoredChecksumsAlgorithm_NotAnotherChecksumHeader()
    {
        await _fixture.CreateBucketsAsync();
        // A multipart object keeps its checksum's type beside its checksum: the column names the algorithm, wherever the type stands.
        await _fixture.PutAsync("composite", "1", r => r with
        {
            Headers = [new("x-amz-checksum-type", "COMPOSITE"), new("x-amz-checksum-sha256", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=-2")],
        });
        await _fixture.PutAsync("crc", "2", r => r with { Headers = [new("x-amz-checksum-crc32", "DUoRhQ==")] });
        await _fixture.PutAsync("none", "3");
        var configuration = InventoryFixture.Configuration("checksums", InventoryDialect.S3, fields: ["ChecksumAlgorithm"]);
        await _fixture.Configurations.PutAsync(InventoryFixture.Source, configuration);
        var queued = await _fixture.Runs.EnqueueAsync(InventoryFixture.Source, configuration.Id, InventoryTrigger.Manual, _fixture.Time.GetUtcNow());
        await _fixture.Runner.RunPendingAsync();
        var run = _fixture.Runs.Get(InventoryFixture.Source, queued.JobId);

        run.State.Should().Be(InventoryRunState.Succeeded, run.ErrorMessage);
        var manifest = JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement;
        var rows = Csv.Parse(_fixture.ReadGzip(manifest.GetProperty("files")[0].GetProperty("key").GetString()!));
        rows.Select(r => (r[1], r[2])).Should().Equal(("composite", "SHA256"), ("crc", "CRC32"), ("none", ""));
    }
}
