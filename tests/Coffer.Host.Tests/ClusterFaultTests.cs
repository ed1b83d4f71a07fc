using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Xml.Linq;
using Coffer.Composition;
using Coffer.Testing;
using Npgsql;

namespace Coffer.Host.Tests;

/// <summary>Real faults in a cluster: a node killed with SIGKILL mid-work, and the database stopped and started again.</summary>
public sealed class ClusterFaultTests
{
    private const int SeededObjects = 30_000;

    /// <summary>The key PostgresMetadataStore takes its schema's lock under ("CofferMg").</summary>
    private const long MigrationLock = 0x436f666665724d67;

    [Fact]
    public async Task KillingANode_MidPutsCompletesAndARun_LosesNothingAcknowledged_AndASurvivorFinishesTheRun()
    {
        // Small parts make the run long; a short lease lets a survivor take it over soon after the kill.
        await using var cluster = await CofferCluster.StartAsync(1,
            """{ "inventory": { "maxPartBytes": 2048, "leaseSeconds": 2, "pollMilliseconds": 200 } }""");
        var source = CosTestClient.BucketName("faultsrc");
        var destination = CosTestClient.BucketName("faultdst");
        var writes = CosTestClient.BucketName("faultput");
        await SeedAsync(cluster, source, destination);
        using var first = cluster.Client(0);
        await first.CreateBucketAsync(writes);

        // The run starts on the only node, so the node about to die holds its lease.
        var jobId = await PostRunAsync(first, source, destination);
        await WaitForAsync(async () => long.Parse((await RunAsync(first, source, jobId)).Element("FilesWritten")!.Value) >= 3);
        await cluster.AddNodeAsync();
        using var survivor = cluster.Client(1);

        // Writers on both nodes: single PUTs and multipart uploads completed through the node that dies.
        var acknowledged = new ConcurrentDictionary<string, byte[]>();
        using var stop = new CancellationTokenSource();
        var writers = new[] { first, survivor }.SelectMany((client, node) => Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var key = $"n{node}/w{writer}/{i}";
                var parts = i % 4 == 3 ? new[] { RandomNumberGenerator.GetBytes(5 << 20), RandomNumberGenerator.GetBytes(777) } : [RandomNumberGenerator.GetBytes(3000 + i)];
                try
                {
                    if (parts.Length == 1)
                    {
                        await client.PutObjectAsync(writes, key, parts[0]);
                    }
                    else
                    {
                        await client.PutMultipartObjectAsync(writes, key, parts);
                    }

                    acknowledged[key] = parts.SelectMany(p => p).ToArray();
                }
                catch (Exception) when (node == 0)
                {
                    // The node went away: this write was never acknowledged.
                    return;
                }
            }
        }))).ToArray();

        await Task.Delay(1500);
        await cluster.Nodes[0].KillAsync();
        await Task.Delay(1000);
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        acknowledged.Keys.Should().Contain(k => k.StartsWith("n0/", StringComparison.Ordinal), "the killed node acknowledged writes before it died");

        // Every acknowledged object reads back whole through the survivor, and nothing listed is partial.
        foreach (var (key, body) in acknowledged)
        {
            var response = await survivor.SendAsync(survivor.Request(HttpMethod.Get, writes, key));
            response.StatusCode.Should().Be(HttpStatusCode.OK, key);
            (await response.Content.ReadAsByteArrayAsync()).Should().Equal(body, key);
        }

        foreach (var key in await survivor.ListKeysAsync(writes))
        {
            (await survivor.SendAsync(survivor.Request(HttpMethod.Get, writes, key))).StatusCode.Should().Be(HttpStatusCode.OK, key);
        }

        // The survivor takes the dead node's run over once its lease runs out, and delivers one whole report.
        await WaitForAsync(async () => (await RunAsync(survivor, source, jobId)).Element("State")!.Value is "Succeeded" or "Failed");
        var run = await RunAsync(survivor, source, jobId);
        run.Element("State")!.Value.Should().Be("Succeeded");
        run.Element("ObjectsMatched")!.Value.Should().Be(SeededObjects.ToString());
        var manifestKey = run.Element("ManifestKey")!.Value;
        var everything = await survivor.ListKeysAsync(destination);
        everything.Count(k => k.EndsWith("manifest.json", StringComparison.Ordinal)).Should().Be(1);
        everything.Should().Contain(manifestKey.Replace("manifest.json", "manifest.checksum"));
    }

    [Fact]
    public async Task APartitionedRun_IsScannedByEveryNode_AndReportsEveryRowOnce()
    {
        // Ten partitions, one worker per node, small parts: the node that coordinates the run cannot take them all
        // before the other node, polling, takes some.
        await using var cluster = await CofferCluster.StartAsync(2,
            """{ "inventory": { "maxPartBytes": 4096, "pollMilliseconds": 100, "partitionRows": 3000, "workers": 1 } }""");
        var source = CosTestClient.BucketName("spreadsrc");
        var destination = CosTestClient.BucketName("spreaddst");
        await SeedAsync(cluster, source, destination);
        using var client = cluster.Client(0);

        var jobId = await PostRunAsync(client, source, destination);
        await WaitForAsync(async () => (await RunAsync(client, source, jobId)).Element("State")!.Value is "Succeeded" or "Failed");

        var run = await RunAsync(cluster.Client(1), source, jobId);
        run.Element("State")!.Value.Should().Be("Succeeded");
        run.Element("ObjectsMatched")!.Value.Should().Be(SeededObjects.ToString());
        var done = $"Inventory partition job={jobId} partition=";
        cluster.Nodes.Should().AllSatisfy(node => node.Output.Should().Contain(done, "every node scanned partitions of the run"));
        cluster.Nodes.Sum(node => CountOf(node.Output, done)).Should().Be(10, "each partition was finished once");

        var manifest = System.Text.Json.JsonDocument.Parse(await (await client.SendAsync(client.Request(HttpMethod.Get, destination, run.Element("ManifestKey")!.Value)))
            .Content.ReadAsByteArrayAsync()).RootElement;
        var keys = new List<string>();
        foreach (var file in manifest.GetProperty("files").EnumerateArray())
        {
            var part = await (await client.SendAsync(client.Request(HttpMethod.Get, destination, file.GetProperty("key").GetString()!))).Content.ReadAsByteArrayAsync();
            using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(part), System.IO.Compression.CompressionMode.Decompress);
            using var reader = new StreamReader(gzip);
            keys.AddRange((await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(row => row.Split("\",\"")[2]));
        }

        keys.Should().Equal(Enumerable.Range(0, SeededObjects).Select(i => $"object-{i:D5}"), "every row exactly once, in key order");
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task AnEmbeddedServer_IsRefusedTheFolderOfARunningCluster_AndANodeTheFolderOfAnEmbeddedServer()
    {
        // Two nodes share the folder; an embedded server started on it would empty tmp/ of every node's uploads in flight.
        await using var cluster = await CofferCluster.StartAsync(2);
        var inFlight = Path.Combine(Directory.CreateDirectory(Path.Combine(cluster.DataDirectory, "tmp", "a-node")).FullName, "upload");
        await File.WriteAllTextAsync(inFlight, "part of an upload");
        var none = new Dictionary<string, string>();

        var (exitCode, output, error) = await CofferProcess.RunAsync(
            ["serve", "--data", cluster.DataDirectory, "--listen", "127.0.0.1:0", "--console", "off"], none);

        exitCode.Should().Be(1, output + error);
        (output + error).Should().Be($"coffer: the data folder {cluster.DataDirectory} is in use by another Coffer process\n");
        File.Exists(inFlight).Should().BeTrue();

        using var embedded = new TempDirectory("embedded");
        await using var running = await CofferProcess.StartAsync(
            ["--data", embedded.Path, "--listen", "127.0.0.1:0", "--console", "off"], Environment.CurrentDirectory, withRootAccount: false, none);
        (exitCode, output, error) = await CofferProcess.RunAsync(
            ["serve", "--data", embedded.Path, "--metadata", cluster.MetadataUrl, "--listen", "127.0.0.1:0", "--console", "off"], none);
        exitCode.Should().Be(1, output + error);
        (output + error).Should().Be($"coffer: the data folder {embedded.Path} is in use by another Coffer process\n");
    }

    [Fact]
    public async Task StoppingTheDatabase_AnswersServiceUnavailable_AndTheNodeReconnectsWhenItIsBack()
    {
        using var postgres = new PrivatePostgres();
        await using var cluster = await CofferCluster.StartAsync(1, "{}", PostgresTestCluster.CreateDatabase(postgres.AdminUrl));
        using var client = cluster.Client(0);
        var bucket = CosTestClient.BucketName("restart");
        await client.CreateBucketAsync(bucket);
        await client.PutObjectAsync(bucket, "before", [1]);

        // A PUT in flight when the database goes: its body still streaming, its commit still to come.
        var release = new TaskCompletionSource();
        var body = new GeneratedStream(4 << 20) { BeforeRead = produced => produced >= 1 << 20 ? release.Task : Task.CompletedTask };
        var content = new StreamContent(body, 64 * 1024);
        content.Headers.ContentLength = body.Length;
        var inFlight = client.SendAsync(client.Request(HttpMethod.Put, bucket, "in-flight", content: content));
        await Task.Delay(500);

        postgres.Stop();
        release.SetResult();
        await ExpectServiceUnavailableAsync(await inFlight);
        await ExpectServiceUnavailableAsync(await client.SendAsync(client.Request(HttpMethod.Get, bucket, "before")));

        postgres.Resume();
        HttpStatusCode status = default;
        for (var attempt = 0; attempt < 50 && status != HttpStatusCode.OK; attempt++)
        {
            status = (await client.SendAsync(client.Request(HttpMethod.Get, bucket, "before"))).StatusCode;
            await Task.Delay(100);
        }

        status.Should().Be(HttpStatusCode.OK, "the node reconnects without a restart");
        await client.PutObjectAsync(bucket, "after", [2]);
        (await client.SendAsync(client.Request(HttpMethod.Head, bucket, "in-flight"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        cluster.Nodes[0].Output.Should().NotContain("InternalError").And.NotContain("   at ");
    }

    [Fact]
    public async Task ANodePausedWhileCreatingTheSchema_HoldsUpAnotherNodesStart_NoLongerThanTheIdleLimit()
    {
        var url = PostgresTestCluster.CreateDatabase();
        using var data = new TempDirectory("paused-migration");
        CofferProcess? paused = null;
        try
        {
            // The test holds the schema's lock, so the first node waits for it; paused, that node is given the lock
            // and then sits in its transaction sending nothing, as a frozen process or VM would.
            await using (var holder = new NpgsqlConnection(PostgresTestCluster.ConnectionString(url)))
            {
                await holder.OpenAsync();
                await using (var lockIt = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLock})", holder))
                {
                    await lockIt.ExecuteScalarAsync();
                }

                paused = CofferProcess.Launch(["--data", data.Combine("paused"), "--listen", "127.0.0.1:0", "--console", "off", "--metadata", url],
                    Environment.CurrentDirectory);
                // pg_locks covers the whole cluster, where other tests' nodes may be creating their own schemas.
                const string waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted " +
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                while (Convert.ToInt64(PostgresTestCluster.Scalar(url, waiting)) == 0)
                {
                    paused.HasExited.Should().BeFalse("the node waits for the schema's lock");
                    DateTime.UtcNow.Should().BeBefore(deadline, "the node asks for the schema's lock");
                    await Task.Delay(20);
                }

                paused.Signal("STOP");
            }

            // Closing the holder hands the lock to the paused node. A second node starts once the database has ended
            // the paused one's transaction (15 s idle): its start waited for that, not for the paused node's connection
            // to die (which could take hours) or for the 60 s statement timeout that made it fail before.
            var started = Stopwatch.StartNew();
            await using var second = await CofferProcess.StartAsync(data.Combine("second"), extraArguments: ["--metadata", url]);
            started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(45));
            using var client = new CosTestClient(second.BaseAddress, TimeProvider.System);
            var bucket = CosTestClient.BucketName("afterpause");
            (await client.CreateBucketAsync(bucket)).StatusCode.Should().Be(HttpStatusCode.OK, "the second node made the whole schema");

            // Woken, the paused node finds its transaction ended: it stops, in one line, rather than serve half-started.
            paused.Signal("CONT");
            (await paused.WaitForExitAsync(TimeSpan.FromSeconds(60))).Should().Be(1);
            paused.Output.Trim().Should().StartWith("coffer: PostgreSQL").And.NotContain("\n");
        }
        finally
        {
            if (paused is not null)
            {
                await paused.DisposeAsync();
            }

            PostgresTestCluster.DropDatabase(url);
        }
    }

    private static async Task ExpectServiceUnavailableAsync(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var error = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        error.Element("Code")!.Value.Should().Be("ServiceUnavailable");
        error.Element("RequestId")!.Value.Should().NotBeEmpty();
    }

    private static Task SeedAsync(CofferCluster cluster, string source, string destination) =>
        SeededBuckets.SeedAsync(new CoreOptions { DataDirectory = cluster.DataDirectory, Metadata = MetadataLocation.Parse(cluster.MetadataUrl) },
            source, destination, SeededObjects);

    private static async Task<string> PostRunAsync(CosTestClient client, string source, string destination)
    {
        var post = await client.SendAsync(client.Request(HttpMethod.Post, source, query: "inventory&id=fault", content: new StringContent(
            "<InventoryConfiguration><Id>fault</Id><Destination><COSBucketDestination><Format>CSV</Format>" +
            $"<Bucket>qcs::cos:ap-guangzhou::{destination}</Bucket></COSBucketDestination></Destination>" +
            "<IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field></OptionalFields></InventoryConfiguration>")));
        post.StatusCode.Should().Be(HttpStatusCode.OK);
        return XDocument.Parse(await post.Content.ReadAsStringAsync()).Root!.Element("JobId")!.Value;
    }

    private static async Task<XElement> RunAsync(CosTestClient client, string bucket, string jobId)
    {
        var response = await client.SendAsync(client.Request(HttpMethod.Get, bucket, query: $"inventory-run&job-id={jobId}"));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The cluster did not get there in time.");
            }

            await Task.Delay(100);
        }
    }
}
