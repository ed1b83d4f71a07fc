using System.Net;
using System.Security.Cryptography;
using Coffer.Testing;

namespace Coffer.Host.Tests;

public sealed class CrashRecoveryTests : IDisposable
{
    private readonly TempDirectory _data = new("crash");

    [Fact]
    public async Task KillDuringPut_LeavesNoPartialObject_AndKeepsThePreviousVersion()
    {
        var bucket = CosTestClient.BucketName("crash");
        var original = RandomNumberGenerator.GetBytes(100_000);
        string originalETag;
        await using (var coffer = await CofferProcess.StartAsync(_data.Path))
        {
            using var client = new CosTestClient(coffer.BaseAddress, TimeProvider.System);
            await client.CreateBucketAsync(bucket);
            originalETag = (await client.PutObjectAsync(bucket, "replaced", original)).Headers.ETag!.Tag;

            // Two uploads that never finish: a new key, and a new version of an existing key.
            using var stall = new CancellationTokenSource();
            var uploads = new[] { "fresh", "replaced" }.Select(key => StartStalledUploadAsync(client, bucket, key, stall.Token)).ToArray();
            await WaitForTemporaryBytesAsync(2);
            await coffer.KillAsync();
            await stall.CancelAsync();
            foreach (var upload in uploads)
            {
                var act = () => upload;
                await act.Should().ThrowAsync<Exception>();
            }
        }

        Directory.EnumerateFiles(_data.Combine("tmp")).Should().NotBeEmpty("the kill must land while bytes are being written");

        await using (var restarted = await CofferProcess.StartAsync(_data.Path))
        {
            using var client = new CosTestClient(restarted.BaseAddress, TimeProvider.System);
            (await client.SendAsync(client.Request(HttpMethod.Head, bucket, "fresh"))).StatusCode.Should().Be(HttpStatusCode.NotFound);

            var kept = await client.SendAsync(client.Request(HttpMethod.Get, bucket, "replaced"));
            kept.StatusCode.Should().Be(HttpStatusCode.OK);
            kept.Headers.ETag!.Tag.Should().Be(originalETag);
            (await kept.Content.ReadAsByteArrayAsync()).Should().Equal(original);

            var list = await (await client.SendAsync(client.Request(HttpMethod.Get, bucket))).Content.ReadAsStringAsync();
            list.Should().Contain("<Key>replaced</Key>").And.NotContain("<Key>fresh</Key>");
        }

        Directory.EnumerateFiles(_data.Combine("tmp")).Should().BeEmpty();
        Directory.EnumerateFiles(_data.Combine("blobs"), "*", SearchOption.AllDirectories).Should().ContainSingle();
    }

    public void Dispose() => _data.Dispose();

    /// <summary>Sends 4 MiB of a 64 MiB body, then stalls until <paramref name="stall"/> is cancelled.</summary>
    private static async Task StartStalledUploadAsync(CosTestClient client, string bucket, string key, CancellationToken stall)
    {
        var body = new GeneratedStream(64L << 20)
        {
            BeforeRead = produced => produced >= 4 << 20 ? Task.Delay(Timeout.Infinite, stall) : Task.CompletedTask,
        };
        var content = new StreamContent(body, 64 * 1024);
        content.Headers.ContentLength = body.Length;
        await client.SendAsync(client.Request(HttpMethod.Put, bucket, key, content: content));
    }

    private async Task WaitForTemporaryBytesAsync(int files)
    {
        var temp = _data.Combine("tmp");
        for (var i = 0; i < 400; i++)
        {
            if (Directory.Exists(temp) && Directory.EnumerateFiles(temp).Count(f => new FileInfo(f).Length > 0) >= files)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The uploads never reached the server's temporary files.");
    }
}
