using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Coffer.Testing;

namespace Coffer.Host.Tests;

/// <summary>Nodes sharing a PostgreSQL database: every request works through any node, and what one node writes the others see at once.</summary>
public sealed class ClusterTests
{
    [Fact]
    public async Task AnyNode_SeesWhatAnotherWrote_AtOnce()
    {
        await using var cluster = await CofferCluster.StartAsync(3);
        using var a = cluster.Client(0);
        using var b = cluster.Client(1);
        using var c = cluster.Client(2);
        var bucket = CosTestClient.BucketName("shared");
        await a.CreateBucketAsync(bucket);

        var body = RandomNumberGenerator.GetBytes(200_000);
        var put = await a.PutObjectAsync(bucket, "dir/file.bin", body);
        var head = await b.SendAsync(b.Request(HttpMethod.Head, bucket, "dir/file.bin"));
        head.StatusCode.Should().Be(HttpStatusCode.OK);
        head.Headers.ETag!.Tag.Should().Be(put.Headers.ETag!.Tag);
        (await (await c.SendAsync(c.Request(HttpMethod.Get, bucket, "dir/file.bin"))).Content.ReadAsByteArrayAsync()).Should().Equal(body);
        (await ListAsync(c, bucket, "prefix=dir/")).Should().Contain("<Key>dir/file.bin</Key>");

        // Versioning switched on through one node governs writes through the others.
        (await b.SendAsync(b.Request(HttpMethod.Put, bucket, query: "versioning",
            content: new StringContent("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")))).EnsureSuccessStatusCode();
        await a.PutObjectAsync(bucket, "dir/file.bin", [1, 2, 3]);
        await c.SendAsync(c.Request(HttpMethod.Delete, bucket, "dir/file.bin"));
        var versions = XDocument.Parse(await ListAsync(b, bucket, "versions"));
        versions.Root!.Elements("Version").Should().HaveCount(2);
        versions.Root!.Elements("DeleteMarker").Should().ContainSingle().Which.Element("IsLatest")!.Value.Should().Be("true");

        // A multipart upload started on one node, its parts sent through the other two, completed on the first.
        var parts = new[] { RandomNumberGenerator.GetBytes(5 << 20), RandomNumberGenerator.GetBytes(1000) };
        var initiate = await a.SendAsync(a.Request(HttpMethod.Post, bucket, "big", "uploads"));
        var uploadId = XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!.Element("UploadId")!.Value;
        var completion = new StringBuilder("<CompleteMultipartUpload>");
        for (var i = 0; i < parts.Length; i++)
        {
            var node = i == 0 ? b : c;
            var part = await node.SendAsync(node.Request(HttpMethod.Put, bucket, "big", $"partNumber={i + 1}&uploadId={uploadId}", new ByteArrayContent(parts[i])));
            part.StatusCode.Should().Be(HttpStatusCode.OK);
            completion.Append($"<Part><PartNumber>{i + 1}</PartNumber><ETag>{part.Headers.ETag!.Tag}</ETag></Part>");
        }

        (await a.SendAsync(a.Request(HttpMethod.Post, bucket, "big", $"uploadId={uploadId}",
            new StringContent(completion.Append("</CompleteMultipartUpload>").ToString())))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await b.SendAsync(b.Request(HttpMethod.Get, bucket, "big"))).Content.ReadAsByteArrayAsync()).Should().Equal([.. parts[0], .. parts[1]]);

        // Bucket settings changed through one node take effect on the others with the next request.
        (await c.SendAsync(c.Request(HttpMethod.Put, bucket, query: "acl", headers: [new("x-cos-acl", "public-read")]))).EnsureSuccessStatusCode();
        (await a.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.Nodes[0].BaseAddress, "big")) { Headers = { Host = CosTestClient.VirtualHost(bucket) } }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await b.SendAsync(b.Request(HttpMethod.Put, bucket, query: "acl", headers: [new("x-cos-acl", "private")]))).EnsureSuccessStatusCode();
        (await c.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.Nodes[2].BaseAddress, "big")) { Headers = { Host = CosTestClient.VirtualHost(bucket) } }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AKeyIssuedBesideTheCluster_WorksOnEveryNode_AndDiesEverywhereWhenDeleted()
    {
        await using var cluster = await CofferCluster.StartAsync(2);
        var (code, output) = await CofferProcess.RunToEndAsync("admin", "tempkey", "create", "--data", cluster.DataDirectory, "--metadata", cluster.MetadataUrl);
        code.Should().Be(0, output);
        var json = System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("Credentials");
        var secretId = json.GetProperty("TmpSecretId").GetString()!;
        var temporary = new Coffer.Model.Accounts.Account(TestAccounts.Owner.AppId, TestAccounts.Owner.Uin, secretId, json.GetProperty("TmpSecretKey").GetString()!, "temp");
        var token = json.GetProperty("Token").GetString()!;

        foreach (var node in new[] { 0, 1 })
        {
            using var client = cluster.Client(node);
            var listed = await client.SendAsync(client.Request(HttpMethod.Get, null, account: temporary, headers: [new("x-cos-security-token", token)]));
            listed.StatusCode.Should().Be(HttpStatusCode.OK, $"node {node} knows the new key");
        }

        (await CofferProcess.RunToEndAsync("admin", "key", "delete", "--secret-id", secretId, "--data", cluster.DataDirectory, "--metadata", cluster.MetadataUrl))
            .ExitCode.Should().Be(0);
        foreach (var node in new[] { 0, 1 })
        {
            using var client = cluster.Client(node);
            var refused = await client.SendAsync(client.Request(HttpMethod.Get, null, account: temporary, headers: [new("x-cos-security-token", token)]));
            refused.StatusCode.Should().Be(HttpStatusCode.Forbidden, $"node {node} forgot the deleted key");
        }
    }

    [Fact]
    public async Task AScheduledInventory_OnThreeNodes_RunsOncePerOccurrence()
    {
        // Every node's scheduler sees the same occurrence come due a minute from now (after three nodes have started and the
        // configuration is made, even on a busy machine); one run must be queued for it.
        var due = DateTime.UtcNow.AddSeconds(60);
        await using var cluster = await CofferCluster.StartAsync(3,
            $$"""{ "inventory": { "timeOfDay": "{{due:HH:mm:ss}}", "pollMilliseconds": 100, "leaseSeconds": 5 } }""");
        using var a = cluster.Client(0);
        var source = CosTestClient.BucketName("sched");
        var destination = CosTestClient.BucketName("schedout");
        await a.CreateBucketAsync(source);
        await a.CreateBucketAsync(destination);
        for (var i = 0; i < 20; i++)
        {
            await a.PutObjectAsync(source, $"o{i}", [(byte)i]);
        }

        (await a.SendAsync(a.Request(HttpMethod.Put, source, query: "inventory&id=daily", content: new StringContent(
            "<InventoryConfiguration><Id>daily</Id><IsEnabled>true</IsEnabled><Destination><COSBucketDestination><Format>CSV</Format>" +
            $"<Bucket>qcs::cos:ap-guangzhou::{destination}</Bucket></COSBucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule>" +
            "<IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field></OptionalFields></InventoryConfiguration>"))))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        DateTime.UtcNow.Should().BeBefore(due, "the configuration must exist before its first occurrence");

        XElement[] runs = [];
        var deadline = due.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            runs = XDocument.Parse(await ListAsync(a, source, "inventory-runs")).Root!.Elements("InventoryRun").ToArray();
            if (runs.Length > 0 && runs.All(r => r.Element("State")!.Value == "Succeeded") && DateTime.UtcNow > due.AddSeconds(3))
            {
                break;
            }

            await Task.Delay(200);
        }

        runs.Should().ContainSingle("three schedulers saw one occurrence").Which.Element("State")!.Value.Should().Be("Succeeded");
        var reports = XDocument.Parse(await ListAsync(a, destination, "")).Root!.Elements("Contents").Select(c => c.Element("Key")!.Value).ToArray();
        reports.Count(k => k.EndsWith("manifest.json", StringComparison.Ordinal)).Should().Be(1);
        reports.Count(k => k.EndsWith("manifest.checksum", StringComparison.Ordinal)).Should().Be(1);
    }

    [Theory]
    [InlineData("serve", 1)]
    [InlineData("admin", 2)]
    public async Task Command_SaysInOneLine_WhenTheDatabaseCannotBeReached(string command, int exitCode)
    {
        using var data = new TempDirectory("unreachable");
        var port = FreePort.Next();

        var (code, output) = await CofferProcess.RunToEndAsync(WithMetadata(command, data.Path, $"postgres://coffer:secret@127.0.0.1:{port}/coffer"));

        code.Should().Be(exitCode, output);
        output.Trim().Should().StartWith($"coffer: PostgreSQL coffer@127.0.0.1:{port}/coffer cannot be reached");
        output.Trim().Split('\n').Should().ContainSingle("one line, no stack trace");
        output.Should().NotContain("secret");
    }

    [Theory]
    [InlineData("serve", 1)]
    [InlineData("admin", 2)]
    public async Task Command_SaysInOneLine_WhenTheDatabaseServerRefusesIt(string command, int exitCode)
    {
        using var data = new TempDirectory("refused");
        var url = PostgresTestCluster.AdminUrl;
        var missing = url[..url.LastIndexOf('/')] + "/t_missing";

        var (code, output) = await CofferProcess.RunToEndAsync(WithMetadata(command, data.Path, missing));

        code.Should().Be(exitCode, output);
        output.Should().Be($"coffer: PostgreSQL postgres@{new Uri(url).Authority}/t_missing refused: 3D000: database \"t_missing\" does not exist\n");
    }

    [Theory]
    [InlineData("serve", 1, "foo", "coffer: --metadata: 'foo' is neither 'sqlite' nor postgres://USER[:PASSWORD]@HOST:PORT/DB.")]
    [InlineData("admin", 2, "postgres://coffer:secret@db:port/coffer?Password=other", "coffer: --metadata: 'postgres://coffer:***@db:port/coffer?Password=***' is not postgres://USER[:PASSWORD]@HOST:PORT/DB.")]
    [InlineData("serve", 1, "postgres://coffer@db/", "coffer: --metadata: 'postgres://coffer@db/' names no user or no database: postgres://USER[:PASSWORD]@HOST:PORT/DB.")]
    [InlineData("admin", 2, "", "coffer: --metadata: '' is neither 'sqlite' nor postgres://USER[:PASSWORD]@HOST:PORT/DB.")]
    public async Task Command_SaysInOneLine_WhenTheMetadataUrlIsMalformed_AndCreatesNothing(string command, int exitCode, string metadata, string expected)
    {
        using var data = new TempDirectory("malformed");
        var folder = data.Combine("node");

        var (code, output) = await CofferProcess.RunToEndAsync(WithMetadata(command, folder, metadata));

        code.Should().Be(exitCode, output);
        output.Should().Be(expected + "\n");
        Directory.Exists(folder).Should().BeFalse();
    }

    [Theory]
    [InlineData("serve", 1)]
    [InlineData("admin", 2)]
    public async Task Command_TakesTheConfigurationFilesMetadata_WhenTheVariableIsSetToNothing(string command, int exitCode)
    {
        using var data = new TempDirectory("blank-variable");
        var folder = data.Combine("node");
        var config = data.Combine("coffer.json");
        File.WriteAllText(config, """{ "metadata": "foo" }""");
        string[] arguments = command == "serve"
            ? ["serve", "--data", folder, "--listen", "127.0.0.1:0", "--config", config]
            : ["admin", "subaccount", "list", "--data", folder, "--config", config];

        var (code, output, error) = await CofferProcess.RunAsync(arguments, new Dictionary<string, string> { ["COFFER_METADATA"] = "" });

        code.Should().Be(exitCode, output + error);
        (output + error).Should().Be("coffer: the configuration file's \"metadata\": 'foo' is neither 'sqlite' nor postgres://USER[:PASSWORD]@HOST:PORT/DB.\n");
        Directory.Exists(folder).Should().BeFalse();
    }

    /// <summary>The arguments of a command that opens the metadata store: serve on any free port, or an admin listing.</summary>
    private static string[] WithMetadata(string command, string dataFolder, string metadata) => command == "serve"
        ? ["serve", "--data", dataFolder, "--listen", "127.0.0.1:0", "--metadata", metadata]
        : ["admin", "subaccount", "list", "--data", dataFolder, "--metadata", metadata];

    private static async Task<string> ListAsync(CosTestClient client, string bucket, string query)
    {
        var response = await client.SendAsync(client.Request(HttpMethod.Get, bucket, query: query));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }
}
