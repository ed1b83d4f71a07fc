using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;
using Coffer.Composition;
using Coffer.Inventory.Running;
using Coffer.Model.Inventory;
using Coffer.Testing;

namespace Coffer.Host.Tests;

public sealed class InventoryCrashTests : IDisposable
{
    private const int Objects = 30_000;
    private readonly TempDirectory _data = new("inventory-crash");

    [Fact]
    public async Task KillingTheServerMidPartition_ThenRestarting_KeepsTheFinishedParts_AndReportsEveryRowExactlyOnce()
    {
        var source = CosTestClient.BucketName("crashsrc");
        var destination = CosTestClient.BucketName("crashdst");
        await SeedAsync(source, destination);

        // Three partitions scanned two at a time; small parts make each take long enough to kill mid-way; a short lease
        // lets the restarted server take the run over quickly.
        var config = _data.Combine("coffer.json");
        File.WriteAllText(config,
            """{ "inventory": { "maxPartBytes": 2048, "leaseSeconds": 2, "pollMilliseconds": 200, "partitionRows": 10000, "workers": 2 } }""");
        string jobId;
        await using (var first = await CofferProcess.StartAsync(_data.Combine("data"), true, "--config", config))
        {
            using var client = new CosTestClient(first.BaseAddress, TimeProvider.System);
            var post = await client.SendAsync(client.Request(HttpMethod.Post, source, query: "inventory&id=crash", content: new StringContent(
                "<InventoryConfiguration><Id>crash</Id><Destination><COSBucketDestination><Format>CSV</Format>" +
                $"<Bucket>qcs::cos:ap-guangzhou::{destination}</Bucket></COSBucketDestination></Destination>" +
                "<IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field></OptionalFields></InventoryConfiguration>")));
            post.StatusCode.Should().Be(HttpStatusCode.OK);
            jobId = XDocument.Parse(await post.Content.ReadAsStringAsync()).Root!.Element("JobId")!.Value;

            await WaitForAsync(async () => long.Parse((await RunAsync(client, source, jobId)).Element("FilesWritten")!.Value) >= 3);
            await first.KillAsync();
        }

        // What the killed process left, read straight from its data: the run still Running, its partitions' cursors.
        string[] kept;
        using (var engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _data.Combine("data"), Time = TimeProvider.System }))
        {
            var runs = new InventoryRuns(engine.Metadata, TimeProvider.System);
            runs.Get(source, jobId).State.Should().Be(InventoryRunState.Running, "the server was killed mid-run, not after it");
            var partitions = runs.ListPartitions(jobId);
            partitions.Should().HaveCount(3);
            var cursors = partitions.Select(p => PartitionProgress.Decode(p.Progress)).ToArray();
            partitions.Zip(cursors).Should().Contain(p => !p.First.IsDone && p.Second.Parts.Count > 0 && p.Second.LastKey != null,
                "a partition was killed mid-way, after some of its parts");
            kept = [.. cursors.SelectMany(c => c.Parts).Select(p => p.Key)];
        }

        await using (var second = await CofferProcess.StartAsync(_data.Combine("data"), true, "--config", config))
        {
            using var client = new CosTestClient(second.BaseAddress, TimeProvider.System);
            await WaitForAsync(async () => (await RunAsync(client, source, jobId)).Element("State")!.Value is "Succeeded" or "Failed");
            var run = await RunAsync(client, source, jobId);
            run.Element("State")!.Value.Should().Be("Succeeded");
            var manifestKey = run.Element("ManifestKey")!.Value;

            var manifestBytes = await GetAsync(client, destination, manifestKey);
            var checksum = await GetAsync(client, destination, manifestKey.Replace("manifest.json", "manifest.checksum"));
            System.Text.Encoding.ASCII.GetString(checksum).Should().Be(Convert.ToHexStringLower(MD5.HashData(manifestBytes)));
            var files = JsonDocument.Parse(manifestBytes).RootElement.GetProperty("files").EnumerateArray()
                .Select(f => (Key: f.GetProperty("key").GetString()!, Size: long.Parse(f.GetProperty("size").GetString()!), Md5: f.GetProperty("md5Checksum").GetString()!))
                .ToList();
            var keys = new List<string>();
            foreach (var file in files)
            {
                var part = await GetAsync(client, destination, file.Key);
                ((long)part.Length).Should().Be(file.Size);
                Convert.ToHexStringLower(MD5.HashData(part)).Should().Be(file.Md5);
                keys.AddRange(System.Text.Encoding.UTF8.GetString(Gunzip(part)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(row => row.Split("\",\"")[2]));
            }

            keys.Should().Equal(Enumerable.Range(0, Objects).Select(i => $"object-{i:D5}"), "every row exactly once, in key order");
            files.Select(f => f.Key).Should().Contain(kept, "the parts finished before the kill are kept; the restarted server resumed after them");
            var everything = await client.ListKeysAsync(destination);
            everything.Should().BeEquivalentTo(files.Select(f => f.Key).Append(manifestKey).Append(manifestKey.Replace("manifest.json", "manifest.checksum")),
                "the part the killed worker was writing is gone and there is exactly one manifest");
        }
    }

    public void Dispose() => _data.Dispose();

    private Task SeedAsync(string source, string destination) =>
        SeededBuckets.SeedAsync(new CoreOptions { DataDirectory = _data.Combine("data"), Time = TimeProvider.System }, source, destination, Objects);

    private static async Task<XElement> RunAsync(CosTestClient client, string bucket, string jobId)
    {
        var response = await client.SendAsync(client.Request(HttpMethod.Get, bucket, query: $"inventory-run&job-id={jobId}"));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
    }

    private static async Task<byte[]> GetAsync(CosTestClient client, string bucket, string key)
    {
        var response = await client.SendAsync(client.Request(HttpMethod.Get, bucket, key));
        response.StatusCode.Should().Be(HttpStatusCode.OK, key);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(data), System.IO.Compression.CompressionMode.Decompress);
        var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The inventory run did not get there in time.");
            }

            await Task.Delay(50);
        }
    }
}
