using Coffer.Composition;
using Coffer.Model;
using Coffer.Storage.Records;

namespace Coffer.Testing;

/// <summary>
/// Two buckets of the test owner, the first filled with empty objects inserted straight into the metadata before a server
/// starts: enough rows that an inventory run or a batch job takes seconds, far longer than a process test takes to kill
/// the server once it has seen the work begin.
/// </summary>
public static class SeededBuckets
{
    /// <summary>The key of the <paramref name="index"/>th seeded object (zero-padded so keys sort as numbers do).</summary>
    public static string Key(int index) => $"object-{index:D5}";

    /// <summary>Seeds the buckets in the store <paramref name="options"/> open; <paramref name="then"/> runs on the same store before it closes.</summary>
    public static async Task SeedAsync(CoreOptions options, string source, string second, int objects, Func<ObjectService, Task>? then = null)
    {
        using var engine = CofferCore.OpenEngine(options);
        var service = new ObjectService(engine, TimeProvider.System);
        await service.CreateBucketAsync(source, TestAccounts.Owner.AppId, "ap-guangzhou");
        await service.CreateBucketAsync(second, TestAccounts.Owner.AppId, "ap-guangzhou");
        var written = DateTimeOffset.UtcNow;
        await engine.Metadata.WriteAsync(writer =>
        {
            var bucketId = writer.Buckets.Get(source)!.Id;
            for (var i = 0; i < objects; i++)
            {
                writer.Versions.Insert(new ObjectVersionRecord
                {
                    BucketId = bucketId,
                    Key = Key(i),
                    VersionId = ObjectVersionRecord.NullVersionId,
                    IsLatest = true,
                    ETag = "d41d8cd98f00b204e9800998ecf8427e", // the MD5 of no bytes
                    Crc64 = 0,
                    CreatedAt = written,
                    LastModified = written,
                });
            }

            return 0;
        });
        if (then is not null)
        {
            await then(service);
        }
    }
}
