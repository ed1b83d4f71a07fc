using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Testing;
using Xunit.Abstractions;

namespace Coffer.Host.Tests;

public sealed class StreamingMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const long OneGiB = 1L << 30;
    private readonly TempDirectory _data = new("memory");

    [Fact]
    public async Task PutAndGetOfOneGiB_KeepServerMemoryFlat()
    {
        var bucket = CosTestClient.BucketName("big");
        await using var coffer = await CofferProcess.StartAsync(_data.Path);
        using var client = new CosTestClient(coffer.BaseAddress, TimeProvider.System);
        await client.CreateBucketAsync(bucket);
        // The start-up warm-ups (the request path's, then the inventory pipeline's, which logs last) have peaks of their
        // own: the peak is set back once they are over, so that what follows measures the bodies alone.
        var waited = Stopwatch.StartNew();
        while (!coffer.Output.Contains("Inventory: warm-up", StringComparison.Ordinal) && waited.Elapsed < TimeSpan.FromMinutes(3))
        {
            await Task.Delay(100);
        }

        coffer.Output.Should().Contain("Inventory: warm-up done");
        coffer.ResetPeakResidentBytes();

        await RoundTripAsync(client, bucket, "warm-up", 16L << 20);
        var afterWarmUp = coffer.PeakResidentBytes();
        await RoundTripAsync(client, bucket, "one-gib", OneGiB);
        var afterOneGiB = coffer.PeakResidentBytes();

        output.WriteLine($"peak RSS after 16 MiB: {afterWarmUp >> 20} MiB; after 1 GiB PUT+GET: {afterOneGiB >> 20} MiB");
        (afterOneGiB - afterWarmUp).Should().BeLessThan(64L << 20, "the body streams through fixed-size buffers");
        afterOneGiB.Should().BeLessThan(256L << 20);
    }

    public void Dispose() => _data.Dispose();

    private static async Task RoundTripAsync(CosTestClient client, string bucket, string key, long length)
    {
        var (md5, crc) = Digest(new GeneratedStream(length, seed: 7));
        var content = new StreamContent(new GeneratedStream(length, seed: 7), 1 << 20);
        content.Headers.ContentLength = length;
        var put = await client.SendAsync(client.Request(HttpMethod.Put, bucket, key, content: content));
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        put.Headers.ETag!.Tag.Should().Be($"\"{md5}\"");
        put.Headers.GetValues("x-cos-hash-crc64ecma").Single().Should().Be(crc.ToString());

        using var get = await client.SendAsync(client.Request(HttpMethod.Get, bucket, key));
        get.StatusCode.Should().Be(HttpStatusCode.OK);
        get.Content.Headers.ContentLength.Should().Be(length);
        await using var body = await get.Content.ReadAsStreamAsync();
        Digest(body).Should().Be((md5, crc));
    }

    private static (string Md5, ulong Crc) Digest(Stream stream)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var crc = new Crc64();
        var buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            md5.AppendData(buffer, 0, read);
            crc.Append(buffer.AsSpan(0, read));
        }

        return (Convert.ToHexStringLower(md5.GetHashAndReset()), crc.Value);
    }
}
