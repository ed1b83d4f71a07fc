using System.Net;
using System.Text.Json;
using Coffer.Composition;
using Coffer.Testing;

namespace Coffer.Server.Tests;

public sealed class HealthApiTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/healthz", "live")]
    [InlineData("/readyz", "ready")]
    public async Task Health_AnswersWithoutAuthentication_OnTheApiPort(string path, string status)
    {
        using var http = new HttpClient { BaseAddress = _server.BaseAddress };
        var response = await http.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("status").GetString().Should().Be(status);
    }

    [Fact]
    public async Task Readyz_Answers503_NamingTheCheck_WhenTheBlobFolderCannotBeWritten()
    {
        var tmp = Path.Combine(_server.DataDirectory, "tmp");
        Directory.Delete(tmp, recursive: true);
        File.WriteAllText(tmp, "not a folder");
        try
        {
            using var http = new HttpClient { BaseAddress = _server.BaseAddress };
            var response = await http.GetAsync("/readyz");

            response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            body.GetProperty("metadata").GetString().Should().Be("ok");
            body.GetProperty("blobs").GetString().Should().NotBe("ok");
        }
        finally
        {
            File.Delete(tmp);
            Directory.CreateDirectory(tmp);
        }
    }

    [Fact]
    public async Task Readyz_Answers503_NamingTheDatabase_WhilePostgreSqlIsDown_AndReadyOnceItIsBack()
    {
        using var postgres = new PrivatePostgres();
        await using var node = await TestServer.StartAsync(metadata: MetadataLocation.Parse(PostgresTestCluster.CreateDatabase(postgres.AdminUrl)));
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        postgres.Stop();

        var response = await http.GetAsync("/readyz");
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("metadata").GetString().Should().Contain("cannot be reached");
        body.GetProperty("blobs").GetString().Should().Be("ok");

        postgres.Resume();
        (await http.GetAsync("/readyz")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Put_OnAFullDisk_IsInsufficientStorage_StoresNothing_AndTheNextOneThatFitsIsStored()
    {
        // A data folder on a 16 MiB tmpfs of its own: the test command runs as root, as mount needs.
        using var data = new TempDirectory("full-disk");
        Run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", data.Path);
        try
        {
            await using (var node = await TestServer.StartAsync(data: data))
            {
                var bucket = TestServer.BucketName("full");
                await node.CreateBucketAsync(bucket);

                var tooBig = await node.SendAsync(node.Request(HttpMethod.Put, bucket, "big", content: new ByteArrayContent(new byte[20 << 20])));

                (await tooBig.ShouldBeErrorAsync((HttpStatusCode)507, "InsufficientStorage")).Element("Message")!.Value
                    .Should().Be("The server's disk is full: nothing more can be stored until space is freed.");
                (await node.SendAsync(node.Request(HttpMethod.Head, bucket, "big"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
                (await node.PutObjectAsync(bucket, "small", new byte[1 << 20])).StatusCode.Should().Be(HttpStatusCode.OK);
            }
        }
        finally
        {
            Run("umount", "-l", data.Path);
        }

        static void Run(string command, params string[] arguments)
        {
            using var process = System.Diagnostics.Process.Start(command, arguments);
            process.WaitForExit();
            process.ExitCode.Should().Be(0, $"{command} {string.Join(' ', arguments)}");
        }
    }

    [Fact]
    public async Task Healthz_AtABucketsVirtualHost_IsThatBucketsObject()
    {
        var bucket = TestServer.BucketName("health");
        await _server.CreateBucketAsync(bucket);
        var missing = await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, "healthz"));
        await ErrorAssertions.ShouldBeErrorAsync(missing, HttpStatusCode.NotFound, "NoSuchKey");

        await _server.PutObjectAsync(bucket, "healthz", "mine"u8.ToArray());
        var stored = await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, "healthz"));
        (await stored.Content.ReadAsStringAsync()).Should().Be("mine");
    }
}
