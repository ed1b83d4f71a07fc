using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Benchmarks;

/// <summary>Writes object metadata straight into the engine, without blobs, to build large buckets quickly.</summary>
internal static class Seeding
{
    public static void SeedObjects(StorageEngine engine, string bucketName, int count)
    {
        using var reader = engine.Metadata.OpenReader();
        var bucket = reader.GetBucket(bucketName)!;
        const int batch = 10_000;
        for (var start = 0; start < count; start += batch)
        {
            var first = start;
            engine.Metadata.WriteAsync(writer =>
            {
                for (var i = first; i < Math.Min(first + batch, count); i++)
                {
                    writer.InsertVersion(new ObjectVersionRecord
                    {
                        BucketId = bucket.Id,
                        Key = $"dir-{i % 100:D2}/object-{i:D9}.bin",
                        VersionId = ObjectVersionRecord.NullVersionId,
                        IsLatest = true,
                        Size = 1024 + i,
                        ETag = "d41d8cd98f00b204e9800998ecf8427e",
                        Crc64 = (ulong)i,
                        CreatedAt = DateTimeOffset.UnixEpoch,
                        LastModified = DateTimeOffset.UnixEpoch,
                    });
                }

                return 0;
            }).GetAwaiter().GetResult();
        }
    }
}
