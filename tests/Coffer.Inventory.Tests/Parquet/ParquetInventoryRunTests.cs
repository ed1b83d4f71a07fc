using System.Text.Json;
using Coffer.Inventory.Reports;
using Coffer.Model.Inventory;
using Coffer.Reports.Parquet;
using Coffer.Testing.Reports;

namespace Coffer.Inventory.Tests.Parquet;

public sealed class ParquetInventoryRunTests
{
    private static readonly string[] CosFields =
        ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus", "Tag", "Crc64", "x-cos-meta-color"];

    [Fact]
    public async Task OneTimeRun_DeliversParquetParts_ThatTheManifestDescribes()
    {
        using var fixture = new InventoryFixture();
        await fixture.CreateBucketsAsync();
        await fixture.PutAsync("a b+c%.txt", "hello", r => r with { StorageClass = "STANDARD_IA", UserMetadata = [new("color", "red")] });
        await fixture.PutAsync("dir/腾讯云", "");
        var configuration = InventoryFixture.Configuration("pq", oneTime: true, fields: CosFields);
        configuration = configuration with { Destination = configuration.Destination with { Format = InventoryFormat.Parquet } };

        var run = await fixture.RunOneTimeAsync(configuration);

        run.State.Should().Be(InventoryRunState.Succeeded);
        var manifest = JsonDocument.Parse(fixture.Read(run.ManifestKey!)).RootElement;
        manifest.GetProperty("fileFormat").GetString().Should().Be("Parquet");
        manifest.GetProperty("fileSchema").GetString().Should().Be(ParquetReportFormat.Instance.FileSchema(ReportSchema.For(configuration).Output));
        var key = manifest.GetProperty("files").EnumerateArray().Single().GetProperty("key").GetString()!;
        key.Should().MatchRegex("^reports/1250000000/source/pq/[0-9a-f]{32}\\.parquet$");

        var file = ParquetTestReader.Open(fixture.Read(key));
        var head = fixture.Objects.HeadObject(InventoryFixture.Source, "a b+c%.txt");
        file.Column("key").Should().Equal("a b+c%.txt", "dir/腾讯云");
        file.Column("bucket").Should().Equal("source", "source");
        file.Column("size").Should().Equal(5L, 0L);
        file.Column("e_tag")[0].Should().Be(head.ETag);
        file.Column("last_modified_date")[0].Should().Be(head.LastModified.ToUnixTimeMilliseconds());
        file.Column("storage_class").Should().Equal("STANDARD_IA", "STANDARD");
        file.Column("x_cos_meta_color").Should().Equal(new object?[] { "red", null });
        file.Column("crc64")[1].Should().Be("0");
    }
}
