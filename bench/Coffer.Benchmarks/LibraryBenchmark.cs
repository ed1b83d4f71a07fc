using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Coffer.Inventory.Reports;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;
using Coffer.Reports;
using Coffer.Reports.Parquet;
using DuckDB.NET.Data;
using ParquetNet = Parquet;
using ParquetSharpLib = ParquetSharp;

namespace Coffer.Benchmarks;

/// <summary>
/// Issue 13's library comparison on our data: rows of the report schema (S3 dialect, six optional fields, current
/// versions) with the values <c>inventory-seed</c> writes. <c>report-libraries ROWS coffer|parquet-net|parquetsharp
/// FOLDER</c> writes one Parquet file of ROWS rows with that writer (after a warm-up file of 20,000 rows), then DuckDB
/// reads it back. One writer a process, so each peak RSS is its own.
/// </summary>
internal static class LibraryBenchmark
{
    private const string Bucket = "bench-1250000000";

    /// <summary>About what our writer puts in a 64 MiB row group of these rows; the libraries take a row group at a time.</summary>
    private const int RowGroupRows = 500_000;

    private static readonly ReportContext Context = new("1250000000", Bucket, "100000000001");

    private static readonly ReportSchema Schema = ReportSchema.For(new InventoryConfiguration
    {
        Id = "libraries",
        Dialect = InventoryDialect.S3,
        IncludedObjectVersions = IncludedVersions.Current,
        OptionalFields = ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus"],
        Destination = new InventoryDestination { Bucket = "reports", BucketReference = "arn:aws:s3:::reports", Format = InventoryFormat.Parquet },
    });

    public static async Task<int> RunAsync(string[] args)
    {
        var (rows, what, folder) = (int.Parse(args[0]), args[1], args[2]);
        Directory.CreateDirectory(folder);
        Func<Stream, int, Task> write = what switch
        {
            "coffer" => WriteOursAsync,
            "parquet-net" => WriteParquetNetAsync,
            "parquetsharp" => WriteParquetSharp,
            _ => throw new ArgumentException($"unknown writer {what}"),
        };

        // A small file first, so the measured one is what a warm process does (JIT compilation is not the comparison).
        await using (var warmUp = new MemoryStream())
        {
            await write(warmUp, 20_000);
        }

        var path = Path.Combine(folder, $"{what}.parquet");
        var baseline = ResidentBytes("VmRSS:");
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await using (var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            await write(output, rows);
        }

        watch.Stop();
        var line = new
        {
            writer = what,
            rows,
            seconds = Math.Round(watch.Elapsed.TotalSeconds, 3),
            cpuSeconds = Math.Round((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds, 3),
            allocatedMegabytes = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) >> 20,
            residentBeforeMegabytes = baseline >> 20,
            peakResidentMegabytes = ResidentBytes("VmHWM:") >> 20,
            fileMegabytes = Math.Round(new FileInfo(path).Length / 1e6, 1),
            duckdb = ReadWithDuckDb(path),
        };
        Console.WriteLine(JsonSerializer.Serialize(line));
        return 0;
    }

    /// <summary>The rows, made as they are needed (as a scan hands them over), with the seeder's values.</summary>
    private static IEnumerable<ReportRow> Rows(int count)
    {
        var first = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            var multipart = i % 10 == 9;
            var written = first.AddMilliseconds(i * 1_001L);
            yield return new ObjectInfo
            {
                Bucket = Bucket,
                Key = $"dir-{i % 100:D2}/object-{i:D9}.bin",
                VersionId = ObjectInfo.NullVersionId,
                IsLatest = true,
                Size = 1024 + i,
                ETag = multipart ? $"{Seeding.ETagOf(i)}-{2 + i % 7}" : Seeding.ETagOf(i),
                Crc64 = Seeding.Mix((ulong)i),
                StorageClass = (i % 20) switch { 3 => "STANDARD_IA", 7 => "ARCHIVE", _ => "STANDARD" },
                IsMultipartUploaded = multipart,
                CreatedAt = written,
                LastModified = written,
            };
        }
    }

    private static async Task WriteOursAsync(Stream output, int rows)
    {
        await using var part = ParquetReportFormat.Instance.CreatePart(output, Schema.Output);
        var batch = new Coffer.Reports.ColumnBatch(Schema.Output, 1024);
        var pending = new List<ReportRow>(1024);
        foreach (var row in Rows(rows))
        {
            pending.Add(row);
            if (pending.Count == 1024)
            {
                ReportBatchFiller.Fill(Schema, Context, CollectionsMarshal.AsSpan(pending), batch);
                await part.WriteAsync(batch, CancellationToken.None);
                pending.Clear();
            }
        }

        ReportBatchFiller.Fill(Schema, Context, CollectionsMarshal.AsSpan(pending), batch);
        await part.WriteAsync(batch, CancellationToken.None);
        await part.CompleteAsync(CancellationToken.None);
    }

    /// <summary>One row group's values, column by column, taken through the same accessors our writer uses.</summary>
    private sealed class ColumnBatch(int capacity)
    {
        public readonly object[] Columns = [.. Schema.Columns.Select(c => c.Type switch
        {
            ColumnType.String => (object)new string?[capacity],
            ColumnType.Int64 => new long?[capacity],
            ColumnType.Boolean => new bool?[capacity],
            _ => new DateTime?[capacity],
        })];

        public int Count { get; private set; }

        public void Add(in ReportRow row)
        {
            for (var c = 0; c < Schema.Columns.Count; c++)
            {
                var column = Schema.Columns[c];
                switch (Columns[c])
                {
                    case string?[] text: text[Count] = ReportValues.Text(column, row, Context); break;
                    case long?[] int64: int64[Count] = ReportValues.Int64(column, row); break;
                    case bool?[] boolean: boolean[Count] = ReportValues.Boolean(column, row); break;
                    case DateTime?[] time: time[Count] = ReportValues.Timestamp(column, row, Context)?.UtcDateTime; break;
                }
            }

            Count++;
        }

        public void Clear() => Count = 0;
    }

    /// <summary>Fills a batch of at most <see cref="RowGroupRows"/> rows at a time and hands it to <paramref name="writeRowGroup"/>.</summary>
    private static async Task InRowGroupsAsync(int rows, Func<ColumnBatch, Task> writeRowGroup)
    {
        var batch = new ColumnBatch(Math.Min(rows, RowGroupRows));
        foreach (var row in Rows(rows))
        {
            batch.Add(row);
            if (batch.Count == RowGroupRows)
            {
                await writeRowGroup(batch);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await writeRowGroup(batch);
        }
    }

    private static async Task WriteParquetNetAsync(Stream output, int rows)
    {
        var fields = Schema.Columns.Select(c => c.Type switch
        {
            ColumnType.String => (ParquetNet.Schema.DataField)new ParquetNet.Schema.DataField<string>(c.ColumnarName, nullable: !IsRequired(c)),
            ColumnType.Int64 => new ParquetNet.Schema.DataField<long?>(c.ColumnarName),
            ColumnType.Boolean => new ParquetNet.Schema.DataField<bool?>(c.ColumnarName),
            _ => new ParquetNet.Schema.DateTimeDataField(c.ColumnarName, ParquetNet.Schema.DateTimeFormat.Timestamp, isAdjustedToUTC: true,
                unit: ParquetNet.Schema.DateTimeTimeUnit.Millis, isNullable: true),
        }).ToArray();
        var options = new ParquetNet.ParquetOptions { CompressionMethod = ParquetNet.CompressionMethod.Snappy };
        await using var writer = await ParquetNet.ParquetWriter.CreateAsync(new ParquetNet.Schema.ParquetSchema(fields), output, options);
        await InRowGroupsAsync(rows, async batch =>
        {
            using var group = writer.CreateRowGroup();
            for (var c = 0; c < fields.Length; c++)
            {
                switch (batch.Columns[c])
                {
                    case string?[] text: await group.WriteAsync(fields[c], new ArraySegment<string>(text!, 0, batch.Count)); break;
                    case long?[] int64: await group.WriteAsync(fields[c], new ReadOnlyMemory<long?>(int64, 0, batch.Count)); break;
                    case bool?[] boolean: await group.WriteAsync(fields[c], new ReadOnlyMemory<bool?>(boolean, 0, batch.Count)); break;
                    case DateTime?[] time: await group.WriteAsync(fields[c], new ReadOnlyMemory<DateTime?>(time, 0, batch.Count)); break;
                }
            }

            group.CompleteValidate();
        });
    }

    private static async Task WriteParquetSharp(Stream output, int rows)
    {
        var columns = Schema.Columns.Select(c => c.Type switch
        {
            ColumnType.String => new ParquetSharpLib.Column<string>(c.ColumnarName, ParquetSharpLib.LogicalType.String()),
            ColumnType.Int64 => new ParquetSharpLib.Column<long?>(c.ColumnarName),
            ColumnType.Boolean => new ParquetSharpLib.Column<bool?>(c.ColumnarName),
            _ => (ParquetSharpLib.Column)new ParquetSharpLib.Column<DateTime?>(c.ColumnarName,
                ParquetSharpLib.LogicalType.Timestamp(isAdjustedToUtc: true, ParquetSharpLib.TimeUnit.Millis)),
        }).ToArray();
        using var writer = new ParquetSharpLib.ParquetFileWriter(output, columns, compression: ParquetSharpLib.Compression.Snappy);
        await InRowGroupsAsync(rows, batch =>
        {
            using var group = writer.AppendRowGroup();
            for (var c = 0; c < columns.Length; c++)
            {
                using var column = group.NextColumn();
                switch (batch.Columns[c])
                {
                    case string?[] text: column.LogicalWriter<string?>().WriteBatch(text, 0, batch.Count); break;
                    case long?[] int64: column.LogicalWriter<long?>().WriteBatch(int64, 0, batch.Count); break;
                    case bool?[] boolean: column.LogicalWriter<bool?>().WriteBatch(boolean, 0, batch.Count); break;
                    case DateTime?[] time: column.LogicalWriter<DateTime?>().WriteBatch(time, 0, batch.Count); break;
                }
            }

            return Task.CompletedTask;
        });
        writer.Close();
    }

    private static bool IsRequired(ReportColumn column) => column.Kind is ColumnKind.Bucket or ColumnKind.Key;

    /// <summary>DuckDB reads the file back: rows, distinct keys, total size and the newest modification time.</summary>
    private static string ReadWithDuckDb(string path)
    {
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = "SELECT count(*), count(DISTINCT key), sum(size), max(last_modified_date), count(e_tag), " +
            $"sum(CASE WHEN is_multipart_uploaded THEN 1 ELSE 0 END) FROM read_parquet('{path}')";
        using var reader = command.ExecuteReader();
        reader.Read();
        return string.Join(' ', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static long ResidentBytes(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
