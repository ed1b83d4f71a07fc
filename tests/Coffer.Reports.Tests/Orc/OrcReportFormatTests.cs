using System.Text;
using Coffer.Inventory.Reports;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;
using Coffer.Reports.Orc;
using Coffer.Testing.Reports;
using static Coffer.Testing.Reports.OrcFileReader;

namespace Coffer.Reports.Tests.Orc;

/// <summary>ORC parts read back with the test reader and checked against the specification.</summary>
public sealed class OrcReportFormatTests
{
    [Fact]
    public void ReportFormats_ForOrc_NameTheFileAsAwsDoes()
    {
        var format = ReportFormats.For(InventoryFormat.Orc);

        format.Should().BeSameAs(OrcReportFormat.Instance);
        format.FileFormat.Should().Be("ORC");
        format.Extension.Should().Be(".orc");
        format.ContentType.Should().Be("application/octet-stream");
    }

    [Fact]
    public void FileSchema_IsAHiveStruct_OfTheColumnarNamesAndTypes()
    {
        var cos = OrcTestData.Schema(IncludedVersions.Current, InventoryDialect.Cos, "Size", "LastModifiedDate", "ETag", "IsMultipartUploaded");
        var s3 = OrcTestData.Schema(IncludedVersions.All, InventoryDialect.S3, "Size", "StorageClass", "ObjectLockRetainUntilDate");

        OrcReportFormat.Instance.FileSchema(cos.Output).Should().Be(
            "struct<appid:string,bucket:string,key:string,size:bigint,last_modified_date:timestamp,e_tag:string,is_multipart_uploaded:boolean>");
        OrcReportFormat.Instance.FileSchema(s3.Output).Should().Be(
            "struct<bucket:string,key:string,version_id:string,is_latest:boolean,is_delete_marker:boolean,size:bigint,storage_class:string," +
            "object_lock_retain_until_date:timestamp>");
    }

    [Fact]
    public async Task Write_EndsWithThePostScript_AndStartsWithTheMagic()
    {
        var bytes = await OrcTestData.WriteAsync(OrcTestData.Schema(), OrcTestData.Rows(100));

        Encoding.ASCII.GetString(bytes, 0, 3).Should().Be("ORC");
        var file = Read(bytes);
        var postScript = file.PostScript;
        bytes[^1].Should().BeLessThan(byte.MaxValue);
        postScript.String(8000).Should().Be("ORC");
        postScript.UInt64(2).Should().Be(1, "ZLIB");
        postScript.UInt64(3).Should().Be(256 * 1024);
        postScript.Repeated(4).Should().Equal(0UL, 12UL);
        postScript.IsPacked(4).Should().BeTrue();
        postScript.UInt64(6).Should().Be(6, "the first writer version for writers other than ORC Java");
        var footerLength = (int)postScript.UInt64(1);
        var metadataLength = (int)postScript.UInt64(5);
        var contentLength = (long)file.Footer.UInt64(2);
        (contentLength + metadataLength + footerLength + bytes[^1] + 1).Should().Be(bytes.Length, "content, metadata, footer, postscript and its length make the file");
        file.Footer.UInt64(1).Should().Be(3, "the header is the magic");
        file.Footer.UInt64(8).Should().Be(10_000);
        file.Footer.UInt64(9).Should().NotBeInRange(0, 5, "Coffer is none of the registered writers");
        file.Footer.String(12).Should().Be(typeof(OrcReportFormat).Assembly.GetName().Version!.ToString(3), "Coffer's version");
        file.Footer.UInt64(11).Should().Be(2, "proleptic Gregorian, as .NET's calendar is");
        file.Stripes.Single().WriterTimezone.Should().Be("UTC");
    }

    [Fact]
    public async Task Write_DescribesTheSchema_AsAFlattenedTypeTree()
    {
        var schema = OrcTestData.Schema();

        var file = Read(await OrcTestData.WriteAsync(schema, OrcTestData.Rows(10)));

        file.Types.Should().HaveCount(schema.Columns.Count + 1);
        file.Types[0].Kind.Should().Be(StructKind);
        file.Types[0].Subtypes.Should().Equal(Enumerable.Range(1, schema.Columns.Count).Select(i => (ulong)i));
        file.Types[0].FieldNames.Should().Equal(schema.Columns.Select(c => c.ColumnarName));
        file.Types.Skip(1).Select(t => t.Kind).Should().Equal(schema.Columns.Select(c => c.Type switch
        {
            ColumnType.String => StringKind,
            ColumnType.Int64 => LongKind,
            ColumnType.Boolean => BooleanKind,
            _ => TimestampKind,
        }));
        file.Types.Skip(1).Should().OnlyContain(t => t.Subtypes.Count == 0 && t.FieldNames.Count == 0);
    }

    [Fact]
    public async Task Write_ReadsBackEveryValue_WithAbsentValuesAsNulls()
    {
        var schema = OrcTestData.Schema();
        var rows = OrcTestData.Rows(2_500).ToList();

        var file = Read(await OrcTestData.WriteAsync(schema, rows));

        file.ShouldHoldRows(schema, rows);
        file.Rows.Should().Contain(r => r[schema.Columns.ToList().FindIndex(c => c.Kind == ColumnKind.Size)] == null, "delete markers have no size");
        var stripe = file.Stripes.Single();
        var present = stripe.Streams.Where(s => s.Kind == Present).Select(s => schema.Columns[s.Column - 1].ColumnarName);
        present.Should().BeEquivalentTo(["size", "e_tag", "storage_class", "is_multipart_uploaded", "replication_status", "tag", "crc64", "x_cos_meta_color"],
            "only columns with an absent value have a PRESENT stream");
    }

    [Fact]
    public async Task Write_SplitsStripesAtTheRowBound_AndLaysThemOutBackToBack()
    {
        var schema = OrcTestData.Schema();
        var rows = OrcTestData.Rows(100_000).ToList();

        var bytes = await OrcTestData.WriteAsync(schema, rows, new OrcWriterOptions { StripeRows = 30_000 });
        var file = Read(bytes);

        file.Stripes.Select(s => s.Rows).Should().Equal(30_000, 30_000, 30_000, 10_000);
        file.Footer.UInt64(6).Should().Be(100_000);
        var offset = 3L;
        foreach (var stripe in file.Stripes)
        {
            stripe.Offset.Should().Be(offset);
            offset += stripe.IndexLength + stripe.DataLength + stripe.FooterLength;
        }

        ((long)file.Footer.UInt64(2)).Should().Be(offset, "the content is the header and the stripes");
        file.ShouldHoldRows(schema, rows);
        file.SubEncodingsSeen.Distinct().Should().BeEquivalentTo([0, 1, 3], "short repeats, direct and delta runs all occur");
    }

    [Fact]
    public async Task Write_CutsStripesOfAFewMiB_WithTheDefaultOptions_AndReadsBackWhole()
    {
        var schema = OrcTestData.Schema();
        var rows = OrcTestData.Rows(150_000).ToList();

        var file = Read(await OrcTestData.WriteAsync(schema, rows));

        // About 20 MB of values before encoding: a writer holds one stripe, so the default bound keeps that to a few MB.
        file.Stripes.Should().HaveCountGreaterThan(1);
        file.Stripes.Sum(s => s.Rows).Should().Be(150_000);
        file.Stripes.Should().OnlyContain(s => s.IndexLength + s.DataLength + s.FooterLength < new OrcWriterOptions().StripeBytes);
        file.ShouldHoldRows(schema, rows);
    }

    [Fact]
    public async Task Write_RecordsStatistics_ForTheFileEachStripeAndEachRowGroup()
    {
        var schema = OrcTestData.Schema();
        var rows = OrcTestData.Rows(45_000).ToList();

        var file = Read(await OrcTestData.WriteAsync(schema, rows, new OrcWriterOptions { StripeRows = 20_000 }));

        file.Statistics.Should().HaveCount(schema.Columns.Count + 1);
        file.Statistics[0].Count.Should().Be(45_000);
        file.Statistics[0].HasNull.Should().BeFalse();
        file.StripeStatistics.Should().HaveCount(3);
        var first = 0;
        for (var s = 0; s < file.Stripes.Count; s++)
        {
            var stripe = file.Stripes[s];
            file.StripeStatistics[s][0].Count.Should().Be((ulong)stripe.Rows);
            stripe.RowIndexes.Keys.Should().BeEquivalentTo(Enumerable.Range(0, schema.Columns.Count + 1), "every column has a row index");
            stripe.RowIndexes[0].Select(e => e.Statistics.Count).Should().Equal(
                Enumerable.Range(0, (int)((stripe.Rows + 9_999) / 10_000)).Select(g => (ulong)Math.Min(10_000, stripe.Rows - (g * 10_000))));
            stripe.RowIndexes[0].Should().OnlyContain(e => e.Positions.Count == 0, "the root struct has no streams");
            for (var c = 0; c < schema.Columns.Count; c++)
            {
                var type = schema.Columns[c].Type;
                var name = schema.Columns[c].ColumnarName;
                var values = file.Rows.Select(r => r[c]).ToArray();
                file.Statistics[c + 1].ShouldDescribe(type, values, $"file statistics of {name}");
                file.StripeStatistics[s][c + 1].ShouldDescribe(type, values[first..(first + (int)stripe.Rows)], $"stripe {s} statistics of {name}");
                var entries = stripe.RowIndexes[c + 1];
                for (var g = 0; g < entries.Count; g++)
                {
                    var start = first + (g * 10_000);
                    entries[g].Statistics.ShouldDescribe(type, values[start..Math.Min(start + 10_000, first + (int)stripe.Rows)],
                        $"stripe {s} row group {g} statistics of {name}");
                }
            }

            first += (int)stripe.Rows;
        }
    }

    [Fact]
    public async Task Write_SplitsStripesAtTheByteBound_CountingValueBytes()
    {
        var schema = OrcTestData.Schema(IncludedVersions.Current, InventoryDialect.Cos, "Size", "LastModifiedDate", "IsMultipartUploaded");
        var rows = Enumerable.Range(0, 1_000).Select(i => new ObjectInfo
        {
            Bucket = "source-1250000000",
            Key = $"key-{i:D6}",
            VersionId = ObjectInfo.NullVersionId,
            StorageClass = "STANDARD",
            LastModified = DateTimeOffset.UnixEpoch,
        }).ToList();

        // appid 10 + bucket 6 + key 10 bytes of text, 8 for the size, 12 for the time, 1 for the flag.
        const int rowBytes = 10 + 6 + 10 + 8 + 12 + 1;
        var output = new MemoryStream();
        await using (var part = new OrcReportFormat(new OrcWriterOptions { StripeBytes = 100 * rowBytes }).CreatePart(output, schema.Output))
        {
            await part.WriteRowsAsync(schema, OrcTestData.Context, rows);

            part.UncompressedBytes.Should().Be(1_000 * rowBytes);
            part.Rows.Should().Be(1_000);
            await part.CompleteAsync(CancellationToken.None);
        }

        var file = Read(output.ToArray());
        file.Stripes.Should().HaveCount(10).And.OnlyContain(s => s.Rows == 100);
        file.ShouldHoldRows(schema, rows);
    }

    [Fact]
    public async Task Write_ChoosesADictionary_ForRepeatingColumns_AndDirectEncoding_ForDistinctOnes()
    {
        var schema = OrcTestData.Schema();
        var file = Read(await OrcTestData.WriteAsync(schema, OrcTestData.Rows(25_000), new OrcWriterOptions { StripeRows = 12_000 }));

        foreach (var stripe in file.Stripes)
        {
            var encodings = schema.Columns.Select((c, i) => (c.ColumnarName, Kind: stripe.Encodings[i + 1].Kind)).ToDictionary();
            stripe.Encodings[0].Kind.Should().Be(DirectEncoding, "the root struct");
            foreach (var name in new[] { "appid", "bucket", "storage_class", "replication_status", "tag", "x_cos_meta_color" })
            {
                encodings[name].Should().Be(DictionaryV2Encoding, name);
            }

            foreach (var name in new[] { "key", "version_id", "e_tag", "crc64", "size", "last_modified_date" })
            {
                encodings[name].Should().Be(DirectV2Encoding, name);
            }

            encodings["is_latest"].Should().Be(DirectEncoding);
            stripe.Dictionaries[1].Should().Equal("1250000000");
            stripe.Dictionaries[10].Should().Equal("ARCHIVE", "INTELLIGENT_TIERING", "STANDARD", "STANDARD_IA");
            stripe.Encodings[10].DictionarySize.Should().Be(4);
            stripe.Streams.Where(s => s.Kind == DictionaryData).Select(s => s.Column).Should().BeEquivalentTo(
                Enumerable.Range(1, schema.Columns.Count).Where(c => stripe.Encodings[c].Kind == DictionaryV2Encoding));
        }
    }

    [Fact]
    public async Task Write_SortsDictionaries_AndStringStatistics_InUtf8ByteOrder()
    {
        // UTF-16 puts U+1F600 (a surrogate pair) before U+FF5A; UTF-8 and code points put it after.
        string[] values = ["b", "😀", "ｚ", "a", "\uFFFD", "z"];
        var schema = OrcTestData.Schema(IncludedVersions.Current, InventoryDialect.Cos, "x-cos-meta-m");
        var rows = Enumerable.Range(0, 60).Select(i => new ObjectInfo
        {
            Bucket = "source-1250000000",
            Key = values[i % values.Length] + i.ToString("D2"),
            VersionId = ObjectInfo.NullVersionId,
            StorageClass = "STANDARD",
            UserMetadata = [new("m", values[i % values.Length])],
        }).ToList();

        var file = Read(await OrcTestData.WriteAsync(schema, rows));

        file.Stripes.Single().Dictionaries[4].Should().Equal("a", "b", "z", "ｚ", "\uFFFD", "😀");
        file.Statistics[3].StringMinimum.Should().Be("a03");
        file.Statistics[3].StringMaximum.Should().Be("😀55");
        file.Statistics[4].StringMaximum.Should().Be("😀");
        file.ShouldHoldRows(schema, rows);
    }

    [Fact]
    public async Task Write_KeepsLargeStrings_WhichStraddleCompressionChunks()
    {
        var schema = OrcTestData.Schema(IncludedVersions.Current, InventoryDialect.Cos, "Tag", "x-cos-meta-big");
        var random = new Random(3);
        var rows = Enumerable.Range(0, 300).Select(i => new ObjectInfo
        {
            Bucket = "source-1250000000",
            Key = $"{i:D4}/" + new string((char)('a' + (i % 26)), 1000) + "é",
            VersionId = ObjectInfo.NullVersionId,
            StorageClass = "STANDARD",
            Tags = i % 3 == 0 ? [new("k", new string('v', 3000 + i))] : [],
            UserMetadata = i % 50 == 7 ? [new("big", string.Concat(Enumerable.Range(0, 40_000).Select(_ => (char)random.Next(0x4e00, 0x9fff))))] : [],
        }).ToList();

        // Small chunks and row groups: streams span many chunks and row groups start inside them.
        var file = Read(await OrcTestData.WriteAsync(schema, rows, new OrcWriterOptions { CompressionBlockSize = 4096, RowIndexStride = 7 }));

        file.PostScript.UInt64(3).Should().Be(4096);
        file.ShouldHoldRows(schema, rows);
        file.Stripes.Single().RowIndexes[3].Should().HaveCount(43);
        file.Statistics[5].StringSum.Should().Be(6 * 40_000 * 3, "six values of 40,000 three-byte characters");
    }

    [Fact]
    public async Task Write_KeepsUnicodeKeys_AsTheyAre()
    {
        string[] keys = ["目录/腾讯云/文件.txt", "emoji/😀😃/x", "a b+c%.txt", "\u00e9t\u00e9", "ключ", "🇨🇳"];
        var schema = OrcTestData.Schema(IncludedVersions.Current, InventoryDialect.Cos, "Size");
        var rows = keys.Select(k => new ObjectInfo { Bucket = "source-1250000000", Key = k, VersionId = "null", StorageClass = "STANDARD" }).ToList();

        var file = Read(await OrcTestData.WriteAsync(schema, rows));

        file.Rows.Select(r => r[2]).Should().Equal(keys, "ORC keeps keys as they are: only CSV URL-encodes them");
    }

    [Fact]
    public async Task Write_KeepsTimestampsToTheTick_BeforeAndAfterTheOrcEpoch()
    {
        DateTimeOffset[] times =
        [
            new(2015, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new(2014, 12, 31, 23, 59, 59, 999, TimeSpan.Zero),
            new(2026, 11, 22, 8, 0, 0, 123, TimeSpan.FromHours(8)),
            new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero).AddTicks(1),
            DateTimeOffset.UnixEpoch,
            new(1969, 12, 31, 23, 59, 58, 500, TimeSpan.Zero),
            new DateTimeOffset(1960, 6, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(-1),
            new(1901, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new(2262, 4, 11, 23, 47, 16, 854, TimeSpan.Zero),
            new(9999, 12, 31, 23, 59, 59, 999, TimeSpan.Zero),
        ];
        var schema = OrcTestData.Schema(IncludedVersions.Current, InventoryDialect.Cos, "LastModifiedDate");
        var rows = times.Select((t, i) => new ObjectInfo
        {
            Bucket = "source-1250000000",
            Key = $"k{i}",
            VersionId = "null",
            StorageClass = "STANDARD",
            LastModified = t,
        }).ToList();

        var file = Read(await OrcTestData.WriteAsync(schema, rows));

        file.Rows.Select(r => ((DateTimeOffset)r[3]!).UtcTicks).Should().Equal(times.Select(t => t.UtcTicks));
        file.Statistics[4].ShouldDescribe(ColumnType.Timestamp, times.Cast<object?>().ToArray(), "timestamp statistics");
    }

    [Fact]
    public async Task Write_WithNoRows_IsAFileWithNoStripes()
    {
        var schema = OrcTestData.Schema();

        var bytes = await OrcTestData.WriteAsync(schema, []);
        var file = Read(bytes);

        file.Stripes.Should().BeEmpty();
        file.Rows.Should().BeEmpty();
        file.Footer.UInt64(6).Should().Be(0);
        file.Footer.UInt64(2).Should().Be(3, "the content is only the magic");
        file.Types.Should().HaveCount(schema.Columns.Count + 1);
        file.Statistics.Should().HaveCount(schema.Columns.Count + 1).And.OnlyContain(s => s.Count == 0 && !s.HasNull);
        file.StripeStatistics.Should().BeEmpty();
    }

    [Fact]
    public async Task Write_SendsEachStripeOut_BeforeThePartCompletes()
    {
        var schema = OrcTestData.Schema();
        var output = new MemoryStream();
        await using var part = new OrcReportFormat(new OrcWriterOptions { StripeRows = 5_000 }).CreatePart(output, schema.Output);
        var written = new List<long>();
        foreach (var (row, i) in OrcTestData.Rows(20_000).Select((r, i) => (r, i)))
        {
            await part.WriteRowAsync(schema, OrcTestData.Context, row);
            if ((i + 1) % 5_000 == 0)
            {
                written.Add(output.Length);
            }
        }

        written.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems("every stripe goes out as soon as it is full");
        written[0].Should().BeGreaterThan(3);
        await part.CompleteAsync(CancellationToken.None);
        Read(output.ToArray()).Stripes.Should().HaveCount(4);
    }

    [Fact]
    public async Task Write_ReadsBackTheS3Schema_WithEveryOptionalField()
    {
        var schema = OrcTestData.Schema(IncludedVersions.All, InventoryDialect.S3, OrcTestData.AllS3Fields);
        var rows = OrcTestData.Rows(12_000, seed: 5).ToList();

        var file = Read(await OrcTestData.WriteAsync(schema, rows));

        file.ShouldHoldRows(schema, rows);
        for (var c = 0; c < schema.Columns.Count; c++)
        {
            file.Statistics[c + 1].ShouldDescribe(schema.Columns[c].Type, file.Rows.Select(r => r[c]).ToArray(), schema.Columns[c].ColumnarName);
        }

        var lockDate = schema.Columns.ToList().FindIndex(c => c.Kind == ColumnKind.ObjectLockRetainUntilDate);
        file.Rows.Should().OnlyContain(r => r[lockDate] == null, "Coffer has no object lock");
        file.Stripes.Single().Streams.Where(s => s.Column == lockDate + 1 && s.Kind != RowIndex).Select(s => (s.Kind, Empty: s.Length == 0))
            .Should().Equal([(Present, false), (Data, true), (Secondary, true)], "a column without values keeps its value streams, empty");
    }

    [Fact]
    public async Task Write_IndexesATrailingRowGroupWithoutValues_AtTheEndOfItsStreams()
    {
        var schema = OrcTestData.Schema(IncludedVersions.All, InventoryDialect.Cos, "Size", "ETag", "StorageClass", "IsMultipartUploaded");
        var rows = OrcTestData.Rows(40, seed: 9).Select((r, i) => r with { IsDeleteMarker = i >= 30 }).ToList();

        var bytes = await OrcTestData.WriteAsync(schema, rows, new OrcWriterOptions { RowIndexStride = 10 });
        var file = Read(bytes);

        file.ShouldHoldRows(schema, rows);
        var size = schema.Columns.ToList().FindIndex(c => c.Kind == ColumnKind.Size) + 1;
        var data = file.Stripes.Single().Streams.Single(s => s.Column == size && s.Kind == Data);
        var values = OrcDecompression.Decompress(bytes.AsSpan((int)data.Offset, (int)data.Length), 256 << 10);
        var lastEntry = file.Stripes.Single().RowIndexes[size][^1];
        lastEntry.Statistics.Count.Should().Be(0);
        lastEntry.Positions.Skip(4).Should().Equal([0UL, (ulong)values.Length, 0UL], "its values would start past everything in the one chunk");
    }

    [Fact]
    public async Task Write_StoresAllNullColumns_AsPresentStreamsOnly()
    {
        var schema = OrcTestData.Schema(IncludedVersions.All, InventoryDialect.Cos, "Size", "ETag", "IsMultipartUploaded", "LastModifiedDate", "ReplicationStatus");
        var rows = Enumerable.Range(0, 30).Select(i => new ObjectInfo
        {
            Bucket = "source-1250000000",
            Key = $"k{i}",
            VersionId = $"v{i}",
            IsDeleteMarker = true,
            StorageClass = "STANDARD",
        }).ToList();

        var file = Read(await OrcTestData.WriteAsync(schema, rows));

        file.ShouldHoldRows(schema, rows);
        foreach (var name in new[] { "size", "e_tag", "is_multipart_uploaded", "replication_status" })
        {
            var column = schema.Columns.ToList().FindIndex(c => c.ColumnarName == name);
            file.Rows.Should().OnlyContain(r => r[column] == null, name);
            file.Statistics[column + 1].ShouldDescribe(schema.Columns[column].Type, new object?[30], name);
        }
    }
}
