using System.Runtime.InteropServices;
using System.Text;
using Coffer.Inventory.Reports;
using Coffer.Inventory.Running;
using Coffer.Inventory.Summary;
using Coffer.Model.Buckets;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;
using Coffer.Reports;
using Coffer.Storage.Records;

namespace Coffer.Inventory.Tests;

/// <summary>
/// Batches filled from rows read in place must hold what the same rows filled from objects hold, cell for cell, and
/// make the same summary: delete markers, versions, multipart ETags, storage classes, non-ASCII keys, encryption,
/// replication status, objects without an ETag.
/// </summary>
public sealed class InPlaceFillTests : IDisposable
{
    private static readonly DateTimeOffset ScanStart = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private readonly InventoryFixture _fixture = new();

    public static TheoryData<InventoryDialect, IncludedVersions> Reports => new()
    {
        { InventoryDialect.Cos, IncludedVersions.Current },
        { InventoryDialect.Cos, IncludedVersions.All },
        { InventoryDialect.S3, IncludedVersions.Current },
        { InventoryDialect.S3, IncludedVersions.All },
    };

    [Theory]
    [MemberData(nameof(Reports))]
    public async Task Fill_HoldsWhatObjectsFill_ForEveryKindOfRow(InventoryDialect dialect, IncludedVersions versions)
    {
        await SeedEveryKindAsync();
        var fields = dialect == InventoryDialect.Cos
            ? new[] { "Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus" }
            : ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus", "EncryptionStatus"];
        var schema = ReportSchema.For(InventoryFixture.Configuration("all", dialect, versions, fields), ReportKind.Full);
        var context = new ReportContext("1250000000", "source", "100000000001");
        var walk = new WalkOptions { AllVersions = versions == IncludedVersions.All };

        var objects = _fixture.Objects.Walk(InventoryFixture.Source, walk).Select(o => new ReportRow(o)).ToList();
        var expected = new ColumnBatch(schema.Output, 1024);
        ReportBatchFiller.Fill(schema, context, CollectionsMarshal.AsSpan(objects), expected);
        var expectedSummary = new SummaryBuilder(ScanStart);
        objects.ForEach(r => expectedSummary.Add(r.Object));

        var filler = InPlaceBatchFiller.For(schema, context);
        filler.Should().NotBeNull();
        var scanned = new InPlaceScan.ScannedRows(schema.Output, 1024, 1, filler!.KeyColumn);
        using (var reader = _fixture.Objects.ReadRows(InventoryFixture.Source, walk))
        {
            scanned.Fill(reader, filler!, new InPlaceScan.SharedStrings()).Should().BeFalse();
        }

        var summary = new SummaryBuilder(ScanStart);
        for (var row = 0; row < scanned.Count; row++)
        {
            summary.Add(scanned.SummaryOf(row));
            Encoding.UTF8.GetString(scanned.Key(row)).Should().Be(objects[row].Object.Key);
            scanned.Size(row).Should().Be(objects[row].Object.Size);
        }

        expected.Count.Should().BeGreaterThan(30);
        Cells(scanned.Columns).Should().Equal(Cells(expected));
        Encoding.UTF8.GetString(summary.Build().Encode()).Should().Be(Encoding.UTF8.GetString(expectedSummary.Build().Encode()));
    }

    [Fact]
    public void For_LeavesColumnsARowInPlaceDoesNotHold_ToObjects()
    {
        var context = new ReportContext("1250000000", "source", "100000000001");
        foreach (var field in new[] { "Tag", "Crc64", "x-cos-meta-color" })
        {
            var schema = ReportSchema.For(InventoryFixture.Configuration("cos", fields: ["Size", field]), ReportKind.Full);
            InPlaceBatchFiller.For(schema, context).Should().BeNull(field);
        }

        foreach (var field in new[] { "ObjectAccessControlList", "ObjectOwner", "ObjectLockMode", "LifecycleExpirationDate", "ChecksumAlgorithm" })
        {
            var schema = ReportSchema.For(InventoryFixture.Configuration("s3", InventoryDialect.S3, fields: ["Size", field]), ReportKind.Full);
            InPlaceBatchFiller.For(schema, context).Should().BeNull(field);
        }

        var incremental = ReportSchema.For(InventoryFixture.Configuration("inc", fields: ["Size"]), ReportKind.Incremental);
        InPlaceBatchFiller.For(incremental, context).Should().BeNull();
    }

    /// <summary>Every kind of row, written straight into the metadata so that each attribute can be chosen.</summary>
    private async Task SeedEveryKindAsync()
    {
        await _fixture.CreateBucketsAsync(BucketVersioning.Enabled);
        await _fixture.PutAsync("ünïcode/日本語/ключ.txt", "body", r => r with { ServerSideEncryption = "AES256" });
        long bucketId;
        using (var reader = _fixture.Engine.Metadata.OpenSnapshot())
        {
            bucketId = reader.Buckets.Get(InventoryFixture.Source)!.Id;
        }

        string[] classes = ["STANDARD", "STANDARD_IA", "ARCHIVE", "DEEP_ARCHIVE", "INTELLIGENT_TIERING", "MAZ_STANDARD"];
        string?[] encryption = [null, "AES256", "aws:kms", "SM4"];
        string?[] replication = [null, "COMPLETED", "PENDING"];
        await _fixture.Engine.Metadata.WriteAsync(writer =>
        {
            for (var i = 0; i < 40; i++)
            {
                var key = i % 7 == 0 ? $"dir-{i % 3}/sub/é-{i:D3}" : i % 5 == 0 ? $"top-{i:D3}" : $"dir-{i % 3}/object-{i:D3}.bin";
                // Up to three versions of a key, the newest last; some keys end in a delete marker.
                var count = 1 + (i % 3);
                for (var v = 0; v < count; v++)
                {
                    var newest = v == count - 1;
                    var marker = newest && i % 4 == 1;
                    writer.Versions.Insert(new ObjectVersionRecord
                    {
                        BucketId = bucketId,
                        Key = key,
                        VersionId = $"v{i:D3}-{v}",
                        IsLatest = newest,
                        IsDeleteMarker = marker,
                        Size = marker ? 0 : (i * 7919) + (v * 13),
                        ETag = marker || i % 9 == 3 ? "" : i % 6 == 0 ? $"{i:x32}-{2 + v}" : $"{i * 31:x32}",
                        IsMultipartUploaded = !marker && i % 6 == 0,
                        StorageClass = classes[(i + v) % classes.Length],
                        Encryption = marker ? null : encryption[i % encryption.Length],
                        ReplicationStatus = replication[(i + v) % replication.Length],
                        Crc64 = (ulong)i,
                        CreatedAt = ScanStart.AddDays(-i).AddMilliseconds(v),
                        LastModified = ScanStart.AddDays(-i).AddMilliseconds((v * 17) + 3),
                    });
                }
            }

            return 0;
        });
    }

    /// <summary>Every cell of a batch as text: its type, whether it is null, and its value.</summary>
    private static List<string> Cells(ColumnBatch batch)
    {
        var cells = new List<string>();
        for (var column = 0; column < batch.Schema.Columns.Count; column++)
        {
            var values = batch[column];
            for (var row = 0; row < batch.Count; row++)
            {
                var value = values.IsNull(row) ? "null" : values.Type switch
                {
                    ColumnType.String => Encoding.UTF8.GetString(values.Utf8(row)),
                    ColumnType.Boolean => values.Boolean(row).ToString(),
                    _ => values.Int64(row).ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                cells.Add($"{batch.Schema.Columns[column].Name}[{row}] = {value}");
            }
        }

        return cells;
    }

    public void Dispose() => _fixture.Dispose();
}
