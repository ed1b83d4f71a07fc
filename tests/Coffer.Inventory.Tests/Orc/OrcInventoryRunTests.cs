using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Inventory.Running;
using Coffer.Model.Buckets;
using Coffer.Model.Inventory;
using Coffer.Testing.Reports;

namespace Coffer.Inventory.Tests.Orc;

/// <summary>Inventory runs configured for ORC, from the POST to the parts the manifest lists.</summary>
public sealed class OrcInventoryRunTests : IDisposable
{
    private InventoryFixture _fixture = new();

    [Fact]
    public async Task OneTimeRun_DeliversOrcParts_ThatTheManifestDescribes()
    {
        await _fixture.CreateBucketsAsync(BucketVersioning.Enabled);
        await _fixture.PutAsync("a b+c%.txt", "hello", r => r with
        {
            Tags = [new("team", "data")],
            UserMetadata = [new("color", "red")],
            StorageClass = "STANDARD_IA",
        });
        await _fixture.PutAsync("dir/腾讯云", "");
        var marker = await _fixture.Objects.DeleteObjectAsync(InventoryFixture.Source, "dir/腾讯云");
        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("orc", oneTime: true, versions: IncludedVersions.All,
            format: InventoryFormat.Orc, fields: ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "Tag", "x-cos-meta-color"]));

        run.State.Should().Be(InventoryRunState.Succeeded);
        var manifest = JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement;
        manifest.GetProperty("fileFormat").GetString().Should().Be("ORC");
        manifest.GetProperty("fileSchema").GetString().Should().Be(
            "struct<appid:string,bucket:string,key:string,version_id:string,is_latest:boolean,is_delete_marker:boolean,size:bigint," +
            "last_modified_date:timestamp,e_tag:string,storage_class:string,is_multipart_uploaded:boolean,tag:string,x_cos_meta_color:string>");
        var file = manifest.GetProperty("files").EnumerateArray().Single();
        var key = file.GetProperty("key").GetString()!;
        key.Should().MatchRegex("^reports/1250000000/source/orc/[0-9a-f]{32}\\.orc$");
        var part = _fixture.Read(key);
        file.GetProperty("size").GetString().Should().Be(part.Length.ToString());
        file.GetProperty("md5Checksum").GetString().Should().Be(Convert.ToHexStringLower(MD5.HashData(part)));
        _fixture.Objects.HeadObject(InventoryFixture.Destination, key).ContentType.Should().Be("application/octet-stream");

        var head = _fixture.Objects.HeadObject(InventoryFixture.Source, "a b+c%.txt");
        var rows = OrcFileReader.Read(part).Rows;
        rows.Should().HaveCount(3);
        rows[0].Should().Equal("1250000000", "source", "a b+c%.txt", head.VersionId, true, false, 5L, head.LastModified, head.ETag, "STANDARD_IA",
            false, "team=data", "red");
        rows[1][2].Should().Be("dir/腾讯云", "ORC keeps keys as they are");
        rows[1][3].Should().Be(marker.VersionId);
        rows[1][5].Should().Be(true, "a delete marker");
        rows[1][6..].Where((_, i) => i != 1).Should().OnlyContain(v => v == null, "a delete marker has no size, ETag, class or flags");
        rows[2][5].Should().Be(false);
        rows[2][6].Should().Be(0L);
    }

    [Fact]
    public async Task S3Configurations_DeliverOrcUnderData_WithTheHiveTypeInTheS3Manifest()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.PutAsync("dir/腾讯云", "hello");
        await _fixture.Configurations.PutAsync(InventoryFixture.Source, InventoryFixture.Configuration("s3orc", dialect: InventoryDialect.S3,
            format: InventoryFormat.Orc, fields: ["Size", "LastModifiedDate", "ETag", "StorageClass", "EncryptionStatus"]));
        var queued = await _fixture.Runs.EnqueueAsync(InventoryFixture.Source, "s3orc", InventoryTrigger.Manual, _fixture.Time.GetUtcNow());
        await _fixture.Runner.RunPendingAsync();
        var run = _fixture.Runs.Get(InventoryFixture.Source, queued.JobId);

        run.State.Should().Be(InventoryRunState.Succeeded);
        run.ManifestKey.Should().Be("reports/source-1250000000/s3orc/2026-11-22T08-00Z/manifest.json");
        var manifest = JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement;
        manifest.GetProperty("fileFormat").GetString().Should().Be("ORC");
        manifest.GetProperty("fileSchema").GetString().Should().Be(
            "struct<bucket:string,key:string,size:bigint,last_modified_date:timestamp,e_tag:string,storage_class:string,encryption_status:string>");
        var file = manifest.GetProperty("files").EnumerateArray().Single();
        var key = file.GetProperty("key").GetString()!;
        key.Should().MatchRegex("^reports/source-1250000000/s3orc/data/[0-9a-f-]{36}\\.orc$");
        var part = _fixture.Read(key);
        file.GetProperty("size").GetInt64().Should().Be(part.Length);
        file.GetProperty("MD5checksum").GetString().Should().Be(Convert.ToHexStringLower(MD5.HashData(part)));
        Encoding.UTF8.GetString(_fixture.Read("reports/source-1250000000/s3orc/hive/dt=2026-11-22-08-00/symlink.txt"))
            .Should().Be($"s3://reports-1250000000/{key}\n");

        var head = _fixture.Objects.HeadObject(InventoryFixture.Source, "dir/腾讯云");
        OrcFileReader.Read(part).Rows.Single().Should().Equal("source-1250000000", "dir/腾讯云", 5L, head.LastModified, head.ETag, "STANDARD", "NOT-SSE");
    }

    [Fact]
    public async Task LargeReports_SplitIntoOrcParts_BoundedByTheirValueBytes()
    {
        _fixture.Dispose();
        _fixture = new InventoryFixture(new InventoryRunnerOptions { MaxPartBytes = 2_000 });
        await _fixture.CreateBucketsAsync();
        for (var i = 0; i < 200; i++)
        {
            await _fixture.PutAsync($"object-{i:D4}", "x");
        }

        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("parts", oneTime: true, format: InventoryFormat.Orc));

        var keys = JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement.GetProperty("files").EnumerateArray()
            .Select(f => f.GetProperty("key").GetString()!).ToList();

        // Each row takes 10 (appid) + 6 (bucket) + 11 (key) + 8 (size) + 32 (ETag) = 67 bytes: 30 rows pass 2,000.
        keys.Should().HaveCount(7).And.OnlyContain(k => k.EndsWith(".orc", StringComparison.Ordinal));
        var parts = keys.Select(k => OrcFileReader.Read(_fixture.Read(k))).ToList();
        parts.Select(p => p.Rows.Count).Should().Equal(30, 30, 30, 30, 30, 30, 20);
        parts.SelectMany(p => p.Rows).Select(r => r[2]).Should().Equal(Enumerable.Range(0, 200).Select(i => $"object-{i:D4}"));
    }

    public void Dispose() => _fixture.Dispose();
}
