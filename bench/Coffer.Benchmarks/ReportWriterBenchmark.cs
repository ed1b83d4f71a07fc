using System.Diagnostics;
using System.Text.Json;
using System.Text.Unicode;
using Coffer.Inventory.Reports;
using Coffer.Model.Inventory;
using Coffer.Reports;

namespace Coffer.Benchmarks;

/// <summary>
/// The report writers alone, fed column batches straight (no store, no object model): <c>report-writers ROWS
/// csv|orc|parquet FOLDER</c> writes one part of ROWS rows of the report schema (S3 dialect, six optional fields, current
/// versions, the values <c>inventory-seed</c> writes) in batches of 1,024 rows, after a warm-up part of 20,000 rows, and
/// prints time, CPU, bytes allocated, peak RSS and the file's size; then fills the same batches again without writing them,
/// and prints that CPU and the writer's CPU a row without it. The batches are filled without allocating, so what
/// is allocated is the writer's. One format a process, so each peak RSS is its own.
/// </summary>
internal static class ReportWriterBenchmark
{
    private const int BatchRows = 1024;

    private static readonly ColumnSchema Schema = ReportSchema.For(new InventoryConfiguration
    {
        Id = "writers",
        Dialect = InventoryDialect.S3,
        IncludedObjectVersions = IncludedVersions.Current,
        OptionalFields = ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus"],
        Destination = new InventoryDestination { Bucket = "reports", BucketReference = "arn:aws:s3:::reports" },
    }).Output;

    private static readonly byte[] Bucket = "bench-1250000000"u8.ToArray();
    private static readonly byte[][] StorageClasses = ["STANDARD"u8.ToArray(), "STANDARD_IA"u8.ToArray(), "ARCHIVE"u8.ToArray()];
    private static readonly DateTimeOffset FirstWrite = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        var (rows, formatName, folder) = (int.Parse(args[0]), args[1], args[2]);
        var format = ReportFormats.For(Enum.Parse<InventoryFormat>(formatName, ignoreCase: true));
        Directory.CreateDirectory(folder);

        // A small part first, so the measured one is what a warm process does.
        await using (var warmUp = new MemoryStream())
        {
            await WriteAsync(format, warmUp, 20_000);
        }

        var path = Path.Combine(folder, "part" + format.Extension);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await using (var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            await WriteAsync(format, output, rows);
        }

        watch.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        // Filling the batches is the benchmark's own work (formatting keys and ETags): timed alone, to be taken off.
        var fillBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var fillBatch = new ColumnBatch(Schema, BatchRows);
        for (var first = 0; first < rows; first += BatchRows)
        {
            Fill(fillBatch, first, Math.Min(BatchRows, rows - first));
        }

        var fillCpu = Process.GetCurrentProcess().TotalProcessorTime - fillBefore;
        var line = new
        {
            format = format.FileFormat,
            rows,
            seconds = Math.Round(watch.Elapsed.TotalSeconds, 3),
            rowsPerSecond = (long)(rows / watch.Elapsed.TotalSeconds),
            cpuSeconds = Math.Round(cpu.TotalSeconds, 3),
            fillCpuSeconds = Math.Round(fillCpu.TotalSeconds, 3),
            writerMicrosecondsPerRow = Math.Round((cpu - fillCpu).TotalMicroseconds / rows, 3),
            allocatedMegabytes = Math.Round(allocated / 1e6, 1),
            peakResidentMegabytes = ResidentBytes("VmHWM:") >> 20,
            fileMegabytes = Math.Round(new FileInfo(path).Length / 1e6, 1),
        };
        Console.WriteLine(JsonSerializer.Serialize(line));
        File.Delete(path);
        return 0;
    }

    private static async Task WriteAsync(IReportFormat format, Stream output, int rows)
    {
        var batch = new ColumnBatch(Schema, BatchRows);
        await using var part = format.CreatePart(output, Schema);
        for (var first = 0; first < rows; first += BatchRows)
        {
            Fill(batch, first, Math.Min(BatchRows, rows - first));
            await part.WriteAsync(batch, CancellationToken.None);
        }

        await part.CompleteAsync(CancellationToken.None);
    }

    /// <summary>
    /// Rows <paramref name="first"/> on, as the seeder makes them: keys <c>dir-NN/object-NNNNNNNNN.bin</c>, sizes, times a
    /// second apart, distinct ETags (one in ten multipart), one in ten STANDARD_IA or ARCHIVE, no replication status.
    /// </summary>
    private static void Fill(ColumnBatch batch, int first, int count)
    {
        batch.Clear();
        Span<byte> text = stackalloc byte[64];
        for (var i = first; i < first + count; i++)
        {
            var multipart = i % 10 == 9;
            batch[0].AddUtf8(Bucket);
            Utf8.TryWrite(text, $"dir-{i % 100:D2}/object-{i:D9}.bin", out var keyLength);
            batch[1].AddUtf8(text[..keyLength]);
            batch[2].Add(1024L + i);
            batch[3].Add(FirstWrite.AddMilliseconds(i * 1_001L));
            var etag = multipart
                ? Utf8.TryWrite(text, $"{Seeding.Mix((ulong)i):x16}{Seeding.Mix((ulong)i + 0x9E3779B97F4A7C15):x16}-{2 + (i % 7)}", out var etagLength)
                : Utf8.TryWrite(text, $"{Seeding.Mix((ulong)i):x16}{Seeding.Mix((ulong)i + 0x9E3779B97F4A7C15):x16}", out etagLength);
            batch[4].AddUtf8(text[..etagLength]);
            batch[5].AddUtf8(StorageClasses[(i % 20) switch { 3 => 1, 7 => 2, _ => 0 }]);
            batch[6].Add(multipart);
            batch[7].AddNull();
        }

        batch.Seal();
    }

    private static long ResidentBytes(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
