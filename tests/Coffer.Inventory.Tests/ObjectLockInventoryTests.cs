using System.Text.Json;
using Coffer.Common.ObjectLock;
using Coffer.Model.Buckets;
using Coffer.Model.Inventory;

namespace Coffer.Inventory.Tests;

/// <summary>S3 reports' object lock fields, filled from each version's retention and legal hold and read back from a report.</summary>
public sealed class ObjectLockInventoryTests : IDisposable
{
    private readonly InventoryFixture _fixture = new();

    [Fact]
    public async Task S3Report_ListsEachVersionsRetentionAndLegalHold_AsTheVersionKeepsThem()
    {
        await _fixture.CreateBucketsAsync(BucketVersioning.Enabled);
        await _fixture.Objects.PutObjectLockConfigurationAsync(InventoryFixture.Source, new ObjectLockConfiguration(null));
        var until = _fixture.Time.GetUtcNow().AddDays(3);
        await _fixture.PutAsync("retained", "r", r => r with { Lock = new ObjectLockRequest(RetentionModes.Compliance, until, null) });
        await _fixture.PutAsync("held", "h", r => r with { Lock = new ObjectLockRequest(null, null, true) });
        await _fixture.PutAsync("plain", "p");

        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("lock", InventoryDialect.S3,
            fields: ["ObjectLockMode", "ObjectLockRetainUntilDate", "ObjectLockLegalHoldStatus"], oneTime: true));
        run.State.Should().Be(InventoryRunState.Succeeded, run.ErrorMessage);
        var manifest = JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement;
        var columns = manifest.GetProperty("fileSchema").GetString()!.Split(", ");
        var rows = manifest.GetProperty("files").EnumerateArray()
            .SelectMany(f => Csv.Parse(_fixture.ReadGzip(f.GetProperty("key").GetString()!)))
            .ToDictionary(r => r[Array.IndexOf(columns, "Key")], r => (
                Mode: r[Array.IndexOf(columns, "ObjectLockMode")],
                Until: r[Array.IndexOf(columns, "ObjectLockRetainUntilDate")],
                Hold: r[Array.IndexOf(columns, "ObjectLockLegalHoldStatus")]));

        rows["retained"].Should().Be(("COMPLIANCE", "2026-11-25T08:00:00.000Z", "OFF"));
        rows["held"].Should().Be(("", "", "ON"));
        rows["plain"].Should().Be(("", "", "OFF"));
    }

    public void Dispose() => _fixture.Dispose();
}
