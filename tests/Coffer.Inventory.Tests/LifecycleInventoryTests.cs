using System.Text.Json;
using Coffer.Common.Lifecycle;
using Coffer.Inventory.Running;
using Coffer.Model.Buckets;
using Coffer.Model.Inventory;
using Coffer.Model.Lifecycle;

namespace Coffer.Inventory.Tests;

/// <summary>
/// Lifecycle over a 100,000-object bucket with the clock driven by hand, seen through inventory: the report before the
/// pass says when each object expires, the pass expires exactly the objects its rule covers, and the report after it
/// lists what is left.
/// </summary>
public sealed class LifecycleInventoryTests : IDisposable
{
    private const int PerPrefix = 50_000;
    private readonly InventoryFixture _fixture;
    private readonly BucketSettings _settings;

    public LifecycleInventoryTests()
    {
        BucketSettings? settings = null;
        _fixture = new InventoryFixture(new InventoryRunnerOptions { Lifecycle = bucket => settings!.FindLifecycle(bucket) });
        settings = new BucketSettings(_fixture.Engine.Metadata, _fixture.Time);
        _settings = settings;
    }

    [Fact]
    public async Task ALifecyclePass_OverAHundredThousandObjects_ExpiresItsPrefix_AsTheReportsBeforeAndAfterShow()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.SeedEmptyObjectsAsync(Enumerable.Range(0, PerPrefix).Select(i => $"logs/{i:D6}"));
        await _fixture.SeedEmptyObjectsAsync(Enumerable.Range(0, PerPrefix).Select(i => $"data/{i:D6}"));
        await _settings.PutLifecycleAsync(InventoryFixture.Source, new LifecycleConfiguration(
            [new LifecycleRule { Id = "logs", Enabled = true, Filter = new LifecycleFilter { Prefix = "logs/" }, Expiration = new LifecycleExpiration(1, null) }]));

        var before = await ReportAsync("before");
        before.Should().HaveCount(2 * PerPrefix);
        // Written at 08:00 on the 22nd, one day: due at midnight on the 24th.
        before.Where(r => Key(r).StartsWith("logs/", StringComparison.Ordinal)).Select(r => r[3]).Distinct().Should().Equal("2026-11-24T00:00:00.000Z");
        before.Where(r => Key(r).StartsWith("data/", StringComparison.Ordinal)).Select(r => r[3]).Distinct().Should().Equal("");

        _fixture.Time.Advance(TimeSpan.FromDays(2));
        var worker = new LifecycleWorker(_fixture.Engine, _settings, _fixture.Time, new LifecycleOptions());
        var pass = (await worker.RunDueAsync()).Should().ContainSingle().Subject;
        (pass.KeysScanned, pass.Expired).Should().Be((PerPrefix, PerPrefix), "only the range under the rule's prefix is read");
        (await worker.RunDueAsync()).Should().BeEmpty("the bucket's pass ran today");

        var after = await ReportAsync("after");
        after.Should().HaveCount(PerPrefix);
        after.Should().OnlyContain(r => Key(r).StartsWith("data/", StringComparison.Ordinal) && r[3] == "");
    }

    public void Dispose() => _fixture.Dispose();

    /// <summary>A row's key: S3 reports URL-encode it.</summary>
    private static string Key(string[] row) => Uri.UnescapeDataString(row[1]);

    private async Task<List<string[]>> ReportAsync(string id)
    {
        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration(id, InventoryDialect.S3, fields: ["Size", "LifecycleExpirationDate"], oneTime: true));
        run.State.Should().Be(InventoryRunState.Succeeded, run.ErrorMessage);
        var manifest = JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement;
        return manifest.GetProperty("files").EnumerateArray()
            .SelectMany(f => Csv.Parse(_fixture.ReadGzip(f.GetProperty("key").GetString()!))).ToList();
    }
}
