using Coffer.Common;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Benchmarks;

/// <summary>
/// Writes object metadata straight into the engine, without blobs, to build large buckets quickly. Values vary the way a
/// real bucket's do, so reports compress and compare realistically: every object has its own ETag and modification
/// time (to the millisecond), one in ten was uploaded in parts, and one in ten is in a class other than STANDARD.
/// </summary>
internal static class Seeding
{
    private static readonly DateTimeOffset FirstWrite = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes <paramref name="count"/> objects, numbered from <paramref name="first"/> (their keys and values follow the number).</summary>
    public static void SeedObjects(StorageEngine engine, string bucketName, int count, int first = 0)
    {
        // The reader is closed before writing: an open read snapshot would keep SQLite from checkpointing the WAL, which
        // then grows with every batch and slows each write.
        long bucketId;
        using (var reader = engine.Metadata.OpenSnapshot())
        {
            bucketId = reader.Buckets.Get(bucketName)!.Id;
        }

        const int batch = 10_000;
        for (var start = first; start < first + count; start += batch)
        {
            var from = start;
            engine.Metadata.WriteAsync(writer =>
            {
                var rows = new List<ObjectVersionRecord>(batch);
                for (var i = from; i < Math.Min(from + batch, first + count); i++)
                {
                    var multipart = i % 10 == 9;
                    var written = FirstWrite.AddMilliseconds(i * 1_001L);
                    rows.Add(new ObjectVersionRecord
                    {
                        BucketId = bucketId,
                        Key = $"dir-{i % 100:D2}/object-{i:D9}.bin",
                        VersionId = ObjectVersionRecord.NullVersionId,
                        IsLatest = true,
                        Size = 1024 + i,
                        ETag = multipart ? $"{ETagOf(i)}-{2 + i % 7}" : ETagOf(i),
                        Crc64 = Mix((ulong)i),
                        StorageClass = (i % 20) switch { 3 => "STANDARD_IA", 7 => "ARCHIVE", _ => StorageClass.Standard },
                        IsMultipartUploaded = multipart,
                        CreatedAt = written,
                        LastModified = written,
                    });
                }

                writer.Versions.InsertMany(rows);
                return 0;
            }).GetAwaiter().GetResult();
        }
    }

    /// <summary>32 hex digits that look like an MD5 and differ for every object.</summary>
    internal static string ETagOf(int i) => $"{Mix((ulong)i):x16}{Mix((ulong)i + 0x9E3779B97F4A7C15):x16}";

    /// <summary>The SplitMix64 finaliser: a cheap bijection that scatters consecutive numbers.</summary>
    internal static ulong Mix(ulong value)
    {
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EB;
        return value ^ (value >> 31);
    }
}
