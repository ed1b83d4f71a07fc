using System.IO.Compression;
using System.Text;
using Coffer.Reports.Csv;
using Coffer.Reports.Orc;
using Coffer.Reports.Parquet;
using Coffer.Testing;
using Coffer.Testing.Reports;
using DuckDB.NET.Data;

namespace Coffer.Reports.Tests;

/// <summary>
/// The writers' contract with nothing but column batches: typed values in (nulls, empty strings, keys in several
/// scripts, every type), bytes out that independent readers (DuckDB for CSV and Parquet, the test-side ORC reader) read
/// back as they went in; and parts that stop where a batch lets them.
/// </summary>
public sealed class ColumnBatchContractTests
{
    private static readonly ColumnSchema Schema = new("test.rows",
    [
        new("Key", "key", ColumnType.String) { CsvText = CsvText.UrlEncoded, Required = true, MostlyUnique = true },
        new("Name", "name", ColumnType.String),
        new("Size", "size", ColumnType.Int64),
        new("Flag", "flag", ColumnType.Boolean),
        new("Time", "time", ColumnType.Timestamp),
    ]);

    /// <summary>
    /// Key, name, size, flag, time: every type, with nulls, an empty string and text CSV must quote or encode. (Not a time
    /// in the last second before 1970 with a fraction: ORC's readers take a second off those, which no writer can undo.)
    /// </summary>
    private static readonly (string Key, string? Name, long? Size, bool? Flag, DateTimeOffset? Time)[] Rows =
    [
        ("plain.txt", "say \"hi\", twice", 0, true, new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero)),
        ("目录/腾讯云 😀/é+%.bin", "", null, null, null),
        ("", null, long.MaxValue, false, DateTimeOffset.UnixEpoch),
        ("a/b", "蓝", long.MinValue, true, new DateTimeOffset(1969, 12, 31, 23, 59, 58, 999, TimeSpan.Zero)),
    ];

    private static readonly IReportFormat[] Formats = [CsvReportFormat.Instance, OrcReportFormat.Instance, ParquetReportFormat.Instance];

    [Fact]
    public async Task Csv_WritesEveryTypeNullsAndEmptyStrings_AsQuotedCells()
    {
        var text = Encoding.UTF8.GetString(Gunzip(await WriteAsync(CsvReportFormat.Instance, Batch())));

        text.Should().Be(
            "\"plain.txt\",\"say \"\"hi\"\", twice\",\"0\",\"true\",\"2026-01-02T03:04:05.678Z\"\n" +
            "\"%E7%9B%AE%E5%BD%95%2F%E8%85%BE%E8%AE%AF%E4%BA%91%20%F0%9F%98%80%2F%C3%A9%2B%25.bin\",\"\",\"\",\"\",\"\"\n" +
            "\"\",\"\",\"9223372036854775807\",\"false\",\"1970-01-01T00:00:00.000Z\"\n" +
            "\"a%2Fb\",\"蓝\",\"-9223372036854775808\",\"true\",\"1969-12-31T23:59:58.999Z\"\n");
        CsvReportFormat.Instance.FileSchema(Schema).Should().Be("Key, Name, Size, Flag, Time");
    }

    [Fact]
    public async Task Csv_ReadByDuckDb_HoldsTheBatchValues()
    {
        using var folder = new TempDirectory();
        var path = folder.Combine("rows.csv.gz");
        await File.WriteAllBytesAsync(path, await WriteAsync(CsvReportFormat.Instance, Batch()));

        var rows = Query($"SELECT url_decode(key), name, size, flag, time FROM read_csv('{path}', header = false, quote = '\"', escape = '\"', " +
            "columns = {'key': 'VARCHAR', 'name': 'VARCHAR', 'size': 'BIGINT', 'flag': 'BOOLEAN', 'time': 'TIMESTAMP'})");

        // DuckDB reads a quoted empty cell as NULL (allow_quoted_nulls): the empty key comes back so.
        rows.Select(r => r[0] ?? "").Should().Equal(Rows.Select(r => (object)r.Key));
        rows.Select(r => r[2]).Should().Equal(Rows.Select(r => (object?)r.Size));
        rows.Select(r => r[3]).Should().Equal(Rows.Select(r => (object?)r.Flag));
        rows.Select(r => r[4]).Should().Equal(Rows.Select(r => (object?)r.Time?.UtcDateTime));
        rows[0][1].Should().Be("say \"hi\", twice");
        rows[3][1].Should().Be("蓝");
    }

    [Fact]
    public async Task Parquet_ReadByDuckDb_HoldsNullsEmptyStringsAndEveryType()
    {
        using var folder = new TempDirectory();
        var path = folder.Combine("rows.parquet");
        await File.WriteAllBytesAsync(path, await WriteAsync(ParquetReportFormat.Instance, Batch()));

        var rows = Query($"SELECT key, name, size, flag, time FROM read_parquet('{path}')");

        rows.Should().HaveCount(Rows.Length);
        for (var i = 0; i < Rows.Length; i++)
        {
            rows[i].Should().Equal(Rows[i].Key, Rows[i].Name, Rows[i].Size, Rows[i].Flag, Rows[i].Time?.UtcDateTime);
        }
    }

    [Fact]
    public async Task Orc_ReadBack_HoldsNullsEmptyStringsAndEveryType()
    {
        var file = OrcFileReader.Read(await WriteAsync(OrcReportFormat.Instance, Batch()));

        file.Rows.Should().HaveCount(Rows.Length);
        for (var i = 0; i < Rows.Length; i++)
        {
            file.Rows[i].Should().Equal(Rows[i].Key, Rows[i].Name, Rows[i].Size, Rows[i].Flag, Rows[i].Time);
        }
    }

    [Fact]
    public async Task Write_TakesSeveralBatches_AsOnePartOfAllTheirRows()
    {
        foreach (var format in Formats)
        {
            var output = new MemoryStream();
            await using (var part = format.CreatePart(output, Schema))
            {
                var batch = Batch();
                await part.WriteAsync(batch, CancellationToken.None);
                await part.WriteAsync(Batch(batch), CancellationToken.None);
                part.Rows.Should().Be(2 * Rows.Length, format.FileFormat);
                await part.CompleteAsync(CancellationToken.None);
            }

            List<object?> keys = format switch
            {
                OrcReportFormat => OrcFileReader.Read(output.ToArray()).Rows.Select(r => r[0]).ToList(),
                ParquetReportFormat => ParquetTestReader.Open(output.ToArray()).Column("key").ToList(),
                _ => [.. Encoding.UTF8.GetString(Gunzip(output.ToArray())).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (object?)l.Split(',')[0])],
            };
            keys.Should().HaveCount(2 * Rows.Length, format.FileFormat);
        }
    }

    [Fact]
    public async Task Write_StopsBeforeTheFirstRowAPartMayEndBefore_OnceThePartHasReachedItsBound()
    {
        foreach (var format in Formats)
        {
            var batch = Batch();
            batch.TieToPrevious(1);
            await using var part = format.CreatePart(new MemoryStream(), Schema);

            // Row 0 reaches a bound of 1 byte; row 1 is tied to it, so the part stops before row 2.
            (await part.WriteAsync(batch, 0, 1, CancellationToken.None)).Should().Be(2, format.FileFormat);
            part.Rows.Should().Be(2, format.FileFormat);
            var bytes = part.UncompressedBytes;

            // The part is past its bound: it stops at once, before row 2, which a part may end before.
            (await part.WriteAsync(batch, 2, 1, CancellationToken.None)).Should().Be(2, format.FileFormat);
            part.UncompressedBytes.Should().Be(bytes, format.FileFormat);

            // Without a bound it takes the rest.
            (await part.WriteAsync(batch, 2, long.MaxValue, CancellationToken.None)).Should().Be(Rows.Length, format.FileFormat);
            part.Rows.Should().Be(Rows.Length, format.FileFormat);
        }
    }

    [Fact]
    public async Task Write_TakesTheFirstRowOfAnEmptyPart_WhateverTheBound()
    {
        foreach (var format in Formats)
        {
            await using var part = format.CreatePart(new MemoryStream(), Schema);

            (await part.WriteAsync(Batch(), 0, 0, CancellationToken.None)).Should().Be(1, format.FileFormat);
        }
    }

    [Fact]
    public async Task Parquet_RefusesANull_InARequiredColumn()
    {
        var batch = new ColumnBatch(Schema, 1);
        batch[0].AddNull();
        batch[1].Add("x");
        batch[2].Add(1L);
        batch[3].Add(true);
        batch[4].Add(DateTimeOffset.UnixEpoch);
        batch.Seal();
        await using var part = ParquetReportFormat.Instance.CreatePart(new MemoryStream(), Schema);

        var write = async () => await part.WriteAsync(batch, CancellationToken.None);

        await write.Should().ThrowAsync<InvalidOperationException>().WithMessage("*required column key*");
    }

    [Fact]
    public void Seal_Refuses_ColumnsOfDifferentLengths()
    {
        var batch = new ColumnBatch(Schema, 4);
        batch[0].Add("k");

        var seal = batch.Seal;

        seal.Should().Throw<InvalidOperationException>().WithMessage("*every column needs one value a row*");
    }

    [Fact]
    public void Vector_KeepsItsValues_AcrossAClear_WithoutGrowing()
    {
        var vector = new ColumnVector(ColumnType.String, 2);
        vector.Add(new string('x', 1_000));
        vector.AddNull();
        vector.Utf8(0).Length.Should().Be(1_000);
        vector.IsNull(1).Should().BeTrue();
        vector.Utf8(1).IsEmpty.Should().BeTrue();

        vector.Clear();
        vector.Add("é");
        vector.Add("");

        vector.Count.Should().Be(2);
        vector.HasNulls.Should().BeFalse();
        Encoding.UTF8.GetString(vector.Utf8(0)).Should().Be("é");
        vector.IsNull(1).Should().BeFalse();
        vector.Utf8(1).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Vector_HoldsASharedValue_InEveryRowUntilCleared()
    {
        var vector = new ColumnVector(ColumnType.String, 4);
        var bucket = "bench-1250000000"u8.ToArray();
        vector.AddShared(bucket);
        vector.AddShared(bucket);

        vector.Count.Should().Be(2);
        vector.Shared.Should().BeSameAs(bucket);
        vector.Utf8(0).ToArray().Should().Equal(bucket);
        vector.Utf8(1).ToArray().Should().Equal(bucket);
        vector.IsNull(1).Should().BeFalse();

        vector.Clear();
        vector.Add("a");
        vector.Add("bc");
        vector.Shared.Should().BeNull();
        Encoding.UTF8.GetString(vector.Utf8(0)).Should().Be("a");
        Encoding.UTF8.GetString(vector.Utf8(1)).Should().Be("bc");
    }

    [Fact]
    public void Vector_Refuses_ASharedValueMixedWithOthers()
    {
        var shared = new ColumnVector(ColumnType.String, 4);
        shared.AddShared("a"u8.ToArray());
        var copied = new ColumnVector(ColumnType.String, 4);
        copied.AddUtf8("a"u8);

        var mixes = new Action[]
        {
            () => shared.AddShared("a"u8.ToArray()),
            () => shared.AddUtf8("a"u8),
            () => shared.Add("a"),
            shared.AddNull,
            () => copied.AddShared("a"u8.ToArray()),
            () => new ColumnVector(ColumnType.Int64, 4).AddShared("1"u8.ToArray()),
        };

        foreach (var mix in mixes)
        {
            mix.Should().Throw<InvalidOperationException>().WithMessage("*shared value*");
        }
    }

    [Fact]
    public async Task Write_WritesASharedValue_AsTheSameValueCopiedIntoEachRow()
    {
        var schema = new ColumnSchema("test.shared",
        [
            new("Bucket", "bucket", ColumnType.String) { Required = true },
            new("Key", "key", ColumnType.String) { CsvText = CsvText.UrlEncoded, Required = true, MostlyUnique = true },
        ]);
        foreach (var format in Formats)
        {
            byte[][] parts = [await WritePartAsync(share: true), await WritePartAsync(share: false)];
            parts[0].Should().Equal(parts[1], format.FileFormat);

            async Task<byte[]> WritePartAsync(bool share)
            {
                var output = new MemoryStream();
                await using (var part = format.CreatePart(output, schema))
                {
                    var batch = new ColumnBatch(schema, Rows.Length);
                    foreach (var bucket in new[] { "bench-1250000000", "say \"hi\", 目", "" })
                    {
                        batch.Clear();
                        var utf8 = Encoding.UTF8.GetBytes(bucket);
                        foreach (var row in Rows)
                        {
                            if (share)
                            {
                                batch[0].AddShared(utf8);
                            }
                            else
                            {
                                batch[0].AddUtf8(utf8);
                            }

                            batch[1].Add(row.Key);
                        }

                        batch.Seal();
                        await part.WriteAsync(batch, CancellationToken.None);
                    }

                    await part.CompleteAsync(CancellationToken.None);
                }

                return output.ToArray();
            }
        }
    }

    /// <summary>The rows above as a batch (filled into <paramref name="reuse"/> when given, as writers' callers reuse theirs).</summary>
    private static ColumnBatch Batch(ColumnBatch? reuse = null)
    {
        var batch = reuse ?? new ColumnBatch(Schema, Rows.Length);
        batch.Clear();
        foreach (var row in Rows)
        {
            batch[0].Add(row.Key);
            batch[1].Add(row.Name);
            batch[2].Add(row.Size);
            batch[3].Add(row.Flag);
            batch[4].Add(row.Time);
        }

        batch.Seal();
        return batch;
    }

    private static async Task<byte[]> WriteAsync(IReportFormat format, ColumnBatch batch)
    {
        var output = new MemoryStream();
        await using (var part = format.CreatePart(output, Schema))
        {
            await part.WriteAsync(batch, CancellationToken.None);
            await part.CompleteAsync(CancellationToken.None);
        }

        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }

    private static List<object?[]> Query(string sql)
    {
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
