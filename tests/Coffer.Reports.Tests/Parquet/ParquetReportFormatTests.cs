using System.Text;
using Coffer.Inventory.Reports;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;
using Coffer.Reports.Parquet;
using Coffer.Testing.Reports;

namespace Coffer.Reports.Tests.Parquet;

public sealed class ParquetReportFormatTests
{
    private const int TypeBoolean = 0;
    private const int TypeInt64 = 2;
    private const int TypeByteArray = 6;

    private static readonly DateTimeOffset Epoch = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
    private static readonly ReportContext Context = new("1250000000", "source", "100000000001");

    private static readonly string[] CosFields =
        ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus", "Tag", "Crc64", "x-cos-meta-color"];

    [Fact]
    public void For_Parquet_ReturnsTheParquetFormat()
    {
        var format = ReportFormats.For(InventoryFormat.Parquet);

        format.Should().BeSameAs(ParquetReportFormat.Instance);
        format.FileFormat.Should().Be("Parquet");
        format.Extension.Should().Be(".parquet");
    }

    [Fact]
    public void FileSchema_PrintsTheMessage_AsS3ManifestsDo()
    {
        var schema = ReportSchema.For(ReportRows.Configuration("s3", InventoryDialect.S3, IncludedVersions.All,
            ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus", "EncryptionStatus",
             "ObjectLockRetainUntilDate", "ObjectLockMode", "ObjectLockLegalHoldStatus", "IntelligentTieringAccessTier", "BucketKeyStatus",
             "ChecksumAlgorithm", "ObjectAccessControlList", "ObjectOwner"]));

        // Verbatim from the manifest.json example in S3's inventory documentation.
        ParquetReportFormat.Instance.FileSchema(schema.Output).Should().Be(
            "message s3.inventory { required binary bucket (UTF8); required binary key (UTF8); optional binary version_id (UTF8); " +
            "optional boolean is_latest; optional boolean is_delete_marker; optional int64 size; " +
            "optional int64 last_modified_date (TIMESTAMP_MILLIS); optional binary e_tag (UTF8); optional binary storage_class (UTF8); " +
            "optional boolean is_multipart_uploaded; optional binary replication_status (UTF8); optional binary encryption_status (UTF8); " +
            "optional int64 object_lock_retain_until_date (TIMESTAMP_MILLIS); optional binary object_lock_mode (UTF8); " +
            "optional binary object_lock_legal_hold_status (UTF8); optional binary intelligent_tiering_access_tier (UTF8); " +
            "optional binary bucket_key_status (UTF8); optional binary checksum_algorithm (UTF8); " +
            "optional binary object_access_control_list (UTF8); optional binary object_owner (UTF8);}");
    }

    [Fact]
    public void FileSchema_NamesTheCosMessage_WithTheAppidRequired()
    {
        var schema = ReportSchema.For(ReportRows.Configuration("cos", fields: CosFields));

        ParquetReportFormat.Instance.FileSchema(schema.Output).Should().Be(
            "message cos.inventory { required binary appid (UTF8); required binary bucket (UTF8); required binary key (UTF8); " +
            "optional int64 size; optional int64 last_modified_date (TIMESTAMP_MILLIS); optional binary e_tag (UTF8); " +
            "optional binary storage_class (UTF8); optional boolean is_multipart_uploaded; optional binary replication_status (UTF8); " +
            "optional binary tag (UTF8); optional binary crc64 (UTF8); optional binary x_cos_meta_color (UTF8);}");
    }

    [Fact]
    public async Task Part_ReadsBack_EveryColumnTypeWithNulls()
    {
        var schema = CosSchema();
        var rows = Enumerable.Range(0, 2_000).Select(Row).ToArray();

        var file = ParquetTestReader.Open(await WriteAsync(schema, rows));

        file.RowCount.Should().Be(2_000);
        foreach (var column in schema.Columns)
        {
            file.Column(column.ColumnarName).Should().Equal(rows.Select(r => Expected(column, r)), $"column {column.ColumnarName}");
        }

        file.Column("key")[7].Should().Be("photos/000007.jpg");
        file.Column("size")[3].Should().BeNull("a delete marker has no size");
        file.Column("last_modified_date")[5].Should().Be(Epoch.AddSeconds(5).ToUnixTimeMilliseconds());
        file.Column("x_cos_meta_color")[9].Should().Be("red");
        file.Column("x_cos_meta_color")[10].Should().BeNull();
    }

    [Fact]
    public async Task Part_DescribesEachColumn_WithPhysicalConvertedAndLogicalTypes()
    {
        var file = ParquetTestReader.Open(await WriteAsync(CosSchema(), [Row(1)]));

        file.MessageName.Should().Be("cos.inventory");
        file.Metadata.Int(1).Should().Be(2, "the footer says format version 2 (RLE_DICTIONARY pages)");
        file.Metadata.String(6).Should().StartWith("coffer version 0.1.0");
        file.Metadata.Structs(7).Should().HaveCount(file.Leaves.Count).And.OnlyContain(o => o.Has(1), "every column uses TYPE_ORDER");

        var leaves = file.Leaves.ToDictionary(l => l.Name);
        leaves.Keys.Should().Equal("appid", "bucket", "key", "version_id", "is_latest", "is_delete_marker", "size", "last_modified_date",
            "e_tag", "storage_class", "is_multipart_uploaded", "replication_status", "tag", "crc64", "x_cos_meta_color");
        leaves["appid"].Should().BeEquivalentTo(new { Type = TypeByteArray, Repetition = 0, ConvertedType = 0 });
        leaves["key"].Repetition.Should().Be(0, "the key is required");
        leaves["e_tag"].Should().BeEquivalentTo(new { Type = TypeByteArray, Repetition = 1, ConvertedType = 0 });
        leaves["e_tag"].LogicalType!.Has(1).Should().BeTrue("strings carry the STRING logical type");
        leaves["size"].Should().BeEquivalentTo(new { Type = TypeInt64, Repetition = 1, ConvertedType = (int?)null, LogicalType = (ThriftStruct?)null });
        leaves["is_latest"].Should().BeEquivalentTo(new { Type = TypeBoolean, Repetition = 1, ConvertedType = (int?)null });

        var timestamp = leaves["last_modified_date"];
        timestamp.Should().BeEquivalentTo(new { Type = TypeInt64, Repetition = 1, ConvertedType = 9 }, "TIMESTAMP_MILLIS");
        var logical = timestamp.LogicalType!.Struct(8);
        logical.Bool(1).Should().BeTrue("isAdjustedToUTC");
        logical.Struct(2).Has(1).Should().BeTrue("the unit is MILLIS");
    }

    [Fact]
    public async Task Part_SplitsRowGroupsAndPages_WhenTheyReachTheirLimits()
    {
        var schema = CosSchema();
        var rows = Enumerable.Range(0, 5_000).Select(Row).ToArray();
        var options = new ParquetOptions { RowGroupBytes = 96 << 10, PageBytes = 4 << 10, PageRows = 300 };

        var file = ParquetTestReader.Open(await WriteAsync(schema, rows, options));

        file.RowGroups.Should().HaveCountGreaterThan(3);
        file.RowGroups.Sum(g => g.Long(3)).Should().Be(5_000);
        file.RowGroups.Select(g => g.Int(7)).Should().Equal(Enumerable.Range(0, file.RowGroups.Count), "row groups carry their ordinal");
        foreach (var (group, index) in file.RowGroups.Select((g, i) => (g, i)))
        {
            var key = file.ReadChunk(index, file.ColumnIndex("key"));
            key.Pages.Should().HaveCountGreaterThan(1, "4 KiB pages of keys");
            key.Values.Should().HaveCount((int)group.Long(3));
            group.Long(5).Should().Be(file.Chunk(index, 0).Long(11), "a row group starts at its first column's dictionary page");
        }

        foreach (var column in schema.Columns)
        {
            file.Column(column.ColumnarName).Should().Equal(rows.Select(r => Expected(column, r)), $"column {column.ColumnarName}");
        }
    }

    [Fact]
    public async Task Part_CutsRowGroupsOfAFewMiB_WithTheDefaultOptions_AndReadsBackWhole()
    {
        var schema = CosSchema();
        var rows = Enumerable.Range(0, 200_000).Select(Row).ToArray();

        var file = ParquetTestReader.Open(await WriteAsync(schema, rows));

        // About 26 MB of plain values: a writer holds one row group's pages, so the default bound keeps that to a few MB.
        file.RowGroups.Should().HaveCountGreaterThan(2);
        file.RowGroups.Sum(g => g.Long(3)).Should().Be(200_000);
        file.RowGroups.Should().OnlyContain(g => g.Long(2) <= (new ParquetOptions().RowGroupBytes * 3 / 2), "uncompressed bytes of a row group");
        foreach (var column in schema.Columns)
        {
            file.Column(column.ColumnarName).Should().Equal(rows.Select(r => Expected(column, r)), $"column {column.ColumnarName}");
        }
    }

    [Fact]
    public async Task Part_DictionaryEncodesRepetitiveStrings_WithTheDictionaryPageFirst()
    {
        var schema = CosSchema();
        var rows = Enumerable.Range(0, 50_000).Select(Row).ToArray();

        var file = ParquetTestReader.Open(await WriteAsync(schema, rows));

        var column = file.ColumnIndex("storage_class");
        var chunk = file.Chunk(0, column);
        chunk.Long(11).Should().BeLessThan(chunk.Long(9), "the dictionary page precedes the data pages");
        chunk.List(2).Should().Contain(8L, "RLE_DICTIONARY").And.Contain(0L, "the dictionary page is PLAIN");
        var read = file.ReadChunk(0, column);
        read.Pages[0].Should().BeEquivalentTo(new { PageType = 2, ValueCount = 2 }, "two storage classes");
        read.Pages.Skip(1).Should().OnlyContain(p => p.PageType == 0 && p.Encoding == 8).And.HaveCount(3, "20,000 rows a page at most");
        chunk.Structs(13).Select(s => (s.Int(1), s.Int(2), s.Int(3))).Should().Equal((2, 0, 1), (0, 8, 3));

        var appid = file.ReadChunk(0, file.ColumnIndex("appid"));
        appid.Pages[0].ValueCount.Should().Be(1);
        appid.Pages.Skip(1).Sum(p => p.CompressedSize).Should().BeLessThan(100, "one repeated value is a run per page");

        var key = file.ReadChunk(0, file.ColumnIndex("key"));
        key.Pages.Should().OnlyContain(p => p.PageType == 0 && p.Encoding == 0, "keys are unique: PLAIN from the start");
    }

    [Fact]
    public async Task Part_FallsBackToPlain_WhenTheDictionaryOutgrowsItsLimit()
    {
        var schema = ReportSchema.For(ReportRows.Configuration("cos", fields: ["Tag"]));
        var rows = Enumerable.Range(0, 3_000).Select(i => Row(i) with { Tags = [new("serial", i.ToString("D8"))] }).ToArray();
        var options = new ParquetOptions { DictionaryBytes = 4 << 10, PageRows = 100 };

        var file = ParquetTestReader.Open(await WriteAsync(schema, rows, options));

        var tag = file.ReadChunk(0, file.ColumnIndex("tag"));
        tag.Pages[0].PageType.Should().Be(2);
        var encodings = tag.Pages.Skip(1).Select(p => p.Encoding).ToArray();
        encodings.Should().StartWith([8, 8]).And.EndWith([0, 0]);
        encodings.SkipWhile(e => e == 8).Should().OnlyContain(e => e == 0, "once PLAIN, the rest of the chunk stays PLAIN");
        tag.Values.Should().Equal(rows.Select(r => (object?)$"serial={r.Tags[0].Value}"));
        file.Chunk(0, file.ColumnIndex("tag")).List(2).Should().Contain([0L, 8L]);
    }

    [Fact]
    public async Task Part_PacksDictionaryIndices_WiderThanAByte()
    {
        var schema = ReportSchema.For(ReportRows.Configuration("cos", fields: ["Tag"]));
        var rows = Enumerable.Range(0, 5_000).Select(i => Row(i) with { Tags = i % 13 == 0 ? [] : [new("n", (i * 3 % 700).ToString())] }).ToArray();

        var file = ParquetTestReader.Open(await WriteAsync(schema, rows));

        var tag = file.ReadChunk(0, file.ColumnIndex("tag"));
        tag.Pages.Select(p => p.Encoding).Should().Equal(0, 8);
        tag.Pages[0].ValueCount.Should().Be(700, "10-bit indices");
        tag.Values.Should().Equal(rows.Select(r => r.Tags.Count == 0 ? null : (object)$"n={r.Tags[0].Value}"));
    }

    [Fact]
    public async Task Part_WritesChunkStatistics_InEachTypesOrder()
    {
        var schema = CosSchema();
        // In UTF-16 order U+1D11E (a surrogate pair) sorts before U+FF21; in UTF-8 byte order, Parquet's, after it.
        string[] keys = ["b", "Ａ", "𝄞", "a"];
        var rows = keys.Select((key, i) => Row(i + 1) with { Key = key, Size = 10 - i, IsMultipartUploaded = false }).ToArray();

        var file = ParquetTestReader.Open(await WriteAsync(schema, rows));

        Statistics(file, "key").Should().Be(("a", "𝄞", 0L));
        Statistics(file, "appid").Should().Be(("1250000000", "1250000000", 0L));
        var size = file.Chunk(0, file.ColumnIndex("size")).Struct(12);
        (BitConverter.ToInt64(size.Binary(6)), BitConverter.ToInt64(size.Binary(5)), size.Long(3)).Should().Be((7L, 10L, 1L), "row 3 is a delete marker");
        size.Binary(2).Should().Equal(size.Binary(6), "the deprecated signed min agrees for INT64");
        var modified = file.Chunk(0, file.ColumnIndex("last_modified_date")).Struct(12);
        BitConverter.ToInt64(modified.Binary(6)).Should().Be(Epoch.AddSeconds(1).ToUnixTimeMilliseconds());
        BitConverter.ToInt64(modified.Binary(5)).Should().Be(Epoch.AddSeconds(4).ToUnixTimeMilliseconds());
        var multipart = file.Chunk(0, file.ColumnIndex("is_multipart_uploaded")).Struct(12);
        (multipart.Binary(6)[0], multipart.Binary(5)[0], multipart.Long(3)).Should().Be(((byte)0, (byte)0, 1L));
        var replication = file.Chunk(0, file.ColumnIndex("replication_status")).Struct(12);
        replication.Long(3).Should().Be(4, "every value is null");
        replication.Has(5).Should().BeFalse("no bounds without values");
        file.Chunk(0, file.ColumnIndex("key")).Struct(12).Has(1).Should().BeFalse("signed byte order would be wrong for strings");
    }

    [Fact]
    public async Task Part_KeepsUnicodeKeys_AsUtf8()
    {
        string[] keys = ["dir/腾讯云", "emoji/😀.png", "combining/e\u0301", "space and+plus%", "\u0001control"];
        var rows = keys.Select((key, i) => Row(i) with { Key = key }).ToArray();

        var file = ParquetTestReader.Open(await WriteAsync(CosSchema(), rows));

        file.Column("key").Should().Equal(keys, "keys are stored raw, not URL-encoded as in CSV");
    }

    [Fact]
    public async Task Part_WithNoRows_IsAValidFileThatStillHasTheSchema()
    {
        var bytes = await WriteAsync(CosSchema(), []);

        var file = ParquetTestReader.Open(bytes);

        file.RowCount.Should().Be(0);
        file.RowGroups.Should().BeEmpty();
        file.Leaves.Should().HaveCount(CosSchema().Columns.Count);
    }

    [Theory]
    [InlineData(ParquetCompression.Snappy, 1)]
    [InlineData(ParquetCompression.Gzip, 2)]
    [InlineData(ParquetCompression.Uncompressed, 0)]
    public async Task Part_CompressesPages_WithTheChosenCodec(ParquetCompression compression, int codec)
    {
        var schema = CosSchema();
        var rows = Enumerable.Range(0, 3_000).Select(Row).ToArray();

        var file = ParquetTestReader.Open(await WriteAsync(schema, rows, new ParquetOptions { Compression = compression }));

        Enumerable.Range(0, schema.Columns.Count).Select(c => file.Chunk(0, c).Int(4)).Should().OnlyContain(c => c == codec);
        file.Column("e_tag").Should().Equal(rows.Select(r => Expected(schema.Columns.Single(c => c.ColumnarName == "e_tag"), r)));
        var key = file.Chunk(0, file.ColumnIndex("key"));
        if (compression == ParquetCompression.Uncompressed)
        {
            key.Long(7).Should().Be(key.Long(6));
        }
        else
        {
            key.Long(7).Should().BeLessThan(key.Long(6) / 2, "keys with a shared prefix compress well");
        }
    }

    [Fact]
    public async Task Part_CountsUncompressedBytes_AsThePlainSizeOfItsValues()
    {
        var schema = ReportSchema.For(ReportRows.Configuration("cos", fields: ["Size", "IsMultipartUploaded"]));
        var format = ParquetReportFormat.Instance;
        await using var part = format.CreatePart(new MemoryStream(), schema.Output);

        await part.WriteRowsAsync(schema, Context, [Row(1) with { Key = "abc" }, Row(3) with { Key = "de" }]);

        // Strings take a 4-byte length and their UTF-8; INT64 8 bytes; BOOLEAN 1; nulls nothing (row 3 is a delete marker).
        var first = (4 + 10) + (4 + 6) + (4 + 3) + 8 + 1;
        var second = (4 + 10) + (4 + 6) + (4 + 2);
        part.UncompressedBytes.Should().Be(first + second);
        part.Rows.Should().Be(2);
        await part.CompleteAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Part_SendsEachRowGroupOut_BeforeThePartCompletes()
    {
        var output = new WatchedStream(100 << 10);
        var options = new ParquetOptions { RowGroupBytes = 64 << 10 };
        await using var part = new ParquetReportFormat(options).CreatePart(output, CosSchema().Output);

        await part.WriteRowsAsync(CosSchema(), Context, Enumerable.Range(0, 5_000).Select(Row));

        // About 750 KB of values: ten row groups or so have gone out while the part is still open.
        await output.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        await part.CompleteAsync(CancellationToken.None);
        ParquetTestReader.Open(output.ToArray()).RowCount.Should().Be(5_000);
    }

    [Fact]
    public async Task Part_FailsTheWriter_WhenTheOutputFails()
    {
        var output = new FailingStream();
        var options = new ParquetOptions { RowGroupBytes = 1 << 10 };
        await using var part = new ParquetReportFormat(options).CreatePart(output, CosSchema().Output);

        var write = async () =>
        {
            await part.WriteRowsAsync(CosSchema(), Context, Enumerable.Range(0, 100_000).Select(Row));
            await part.CompleteAsync(CancellationToken.None);
        };

        await write.Should().ThrowAsync<IOException>().WithMessage("disk on fire");
    }

    private static ReportSchema CosSchema() =>
        ReportSchema.For(ReportRows.Configuration("cos", versions: IncludedVersions.All, fields: CosFields));

    private static ObjectInfo Row(int i) => new()
    {
        Bucket = "source-1250000000",
        Key = $"photos/{i:D6}.jpg",
        VersionId = $"MTg0NDUxOTk{i:D8}",
        IsLatest = i % 3 != 2,
        IsDeleteMarker = i % 7 == 3,
        Size = i * 1000L,
        ETag = $"{i * 2654435761L:x32}",
        Crc64 = i % 5 == 0 ? null : (ulong)i * 0x9E3779B97F4A7C15,
        StorageClass = i % 4 == 0 ? "STANDARD_IA" : "STANDARD",
        IsMultipartUploaded = i % 2 == 0,
        LastModified = Epoch.AddSeconds(i),
        ReplicationStatus = i % 11 == 0 ? "COMPLETED" : null,
        Tags = i % 6 == 0 ? [new("team", $"t{i % 4}")] : [],
        UserMetadata = i % 9 == 0 ? [new("color", "red")] : [],
    };

    /// <summary>What the file should hold for a column, as the reader returns it.</summary>
    private static object? Expected(ReportColumn column, ObjectInfo row) => column.Type switch
    {
        ColumnType.String => ReportValues.Text(column, row, Context),
        ColumnType.Int64 => ReportValues.Int64(column, row),
        ColumnType.Boolean => ReportValues.Boolean(column, row),
        _ => ReportValues.Timestamp(column, row, Context)?.ToUnixTimeMilliseconds(),
    };

    private static (string? Min, string? Max, long Nulls) Statistics(ParquetTestReader file, string column)
    {
        var statistics = file.Chunk(0, file.ColumnIndex(column)).Struct(12);
        return (Encoding.UTF8.GetString(statistics.Binary(6)), Encoding.UTF8.GetString(statistics.Binary(5)), statistics.Long(3));
    }

    private static async Task<byte[]> WriteAsync(ReportSchema schema, IEnumerable<ObjectInfo> rows, ParquetOptions? options = null)
    {
        var format = options is null ? ParquetReportFormat.Instance : new ParquetReportFormat(options);
        var output = new MemoryStream();
        await using (var part = format.CreatePart(output, schema.Output))
        {
            await part.WriteRowsAsync(schema, Context, rows);

            await part.CompleteAsync(CancellationToken.None);
        }

        return output.ToArray();
    }

    /// <summary>Says when at least a given number of bytes has been written.</summary>
    private sealed class WatchedStream(long threshold) : MemoryStream
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await base.WriteAsync(buffer, cancellationToken);
            if (Length >= threshold)
            {
                _reached.TrySetResult();
            }
        }
    }

    private sealed class FailingStream : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            Length > 0 ? throw new IOException("disk on fire") : base.WriteAsync(buffer, cancellationToken);
    }
}
