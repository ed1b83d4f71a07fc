using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Coffer.Testing;

namespace Coffer.Host.Tests;

/// <summary>
/// kill -9 in the middle of many small PUTs at once: the writes the server groups into shared commits (inline bodies
/// below the threshold, blob files above it). Every PUT it answered must be whole after the restart; a PUT still in
/// flight may be there or not, but never partly.
/// </summary>
public sealed class GroupCommitCrashTests : IDisposable
{
    private const int Writers = 32;
    private const int AcknowledgedBeforeKill = 400;

    // A kill that cuts off no PUT proves less (a starved test process can let the server answer everything first), so
    // bursts run until one does, each checked after its restart all the same.
    private const int MaxBursts = 3;

    // Mostly small objects (kept inline), some just over the inline threshold (blob files), as a mixed burst would be.
    private static readonly int[] Sizes = [1024, 1024, 1024, 4096, 1024, 1024, 16 * 1024, 1024, 70 * 1024];

    private readonly TempDirectory _data = new("group-crash");

    [Fact]
    public async Task KillDuringBurstOfSmallPuts_KeepsEveryAcknowledgedObjectWhole_AndNoPartialOne()
    {
        var bursts = new List<BurstCounts>();
        while (bursts.Count < MaxBursts && bursts.All(burst => burst.CutOff == 0))
        {
            bursts.Add(await KillDuringBurstThenCheckAsync(CosTestClient.BucketName($"burst{bursts.Count + 1}")));
        }

        bursts.Should().Contain(burst => burst.CutOff > 0,
            $"a kill must cut off a PUT sent before it in one of {MaxBursts} bursts (" +
            string.Join("; ", bursts.Select(burst => $"{burst.Sent} sent, {burst.Acknowledged} answered, {burst.CutOff} cut off")) + ")");
    }

    public void Dispose() => _data.Dispose();

    /// <summary>
    /// Starts the server, sends PUTs from <see cref="Writers"/> writers until <see cref="AcknowledgedBeforeKill"/> are
    /// answered, kills it, and checks what a restart finds in <paramref name="bucket"/>; counts the PUTs sent before
    /// the kill that were never answered.
    /// </summary>
    private async Task<BurstCounts> KillDuringBurstThenCheckAsync(string bucket)
    {
        var sent = new ConcurrentDictionary<string, byte[]>();
        var acknowledged = new ConcurrentDictionary<string, string>();
        var cutOff = 0;
        await using (var coffer = await CofferProcess.StartAsync(_data.Path))
        {
            using var client = new CosTestClient(coffer.BaseAddress, TimeProvider.System);
            await client.CreateBucketAsync(bucket);
            // SIGKILL at once when the time comes: walking the process tree first (KillAsync) takes long enough for the burst to drain.
            using var server = Process.GetProcessById(coffer.ProcessId);
            var killing = 0;
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            var writers = Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
            {
                for (var n = 0; ; n++)
                {
                    var key = $"w{writer:00}/{n:00000}";
                    var body = RandomNumberGenerator.GetBytes(Sizes[(writer + n) % Sizes.Length]);
                    sent[key] = body;
                    var sentBeforeKill = Volatile.Read(ref killing) == 0;
                    try
                    {
                        var response = await client.PutObjectAsync(bucket, key, body);
                        acknowledged[key] = response.Headers.ETag!.Tag;
                        if (acknowledged.Count >= AcknowledgedBeforeKill)
                        {
                            enough.TrySetResult();
                        }
                    }
                    catch (HttpRequestException error) when (error.StatusCode is null && Volatile.Read(ref killing) == 1)
                    {
                        // Each writer goes on until the server is gone; a PUT sent before the kill and never answered was
                        // cut off. An error status is no cut-off: it fails the test, whenever it comes.
                        if (sentBeforeKill)
                        {
                            Interlocked.Increment(ref cutOff);
                        }

                        return;
                    }
                }
            })).ToArray();

            await enough.Task.WaitAsync(TimeSpan.FromMinutes(3));
            Volatile.Write(ref killing, 1);
            server.Kill();
            await coffer.KillAsync();
            await Task.WhenAll(writers);
        }

        await using (var restarted = await CofferProcess.StartAsync(_data.Path))
        {
            using var client = new CosTestClient(restarted.BaseAddress, TimeProvider.System);
            var found = 0;
            foreach (var (key, body) in sent)
            {
                var get = await client.SendAsync(client.Request(HttpMethod.Get, bucket, key));
                if (acknowledged.TryGetValue(key, out var etag))
                {
                    get.StatusCode.Should().Be(HttpStatusCode.OK, $"{key} was acknowledged before the kill");
                    get.Headers.ETag!.Tag.Should().Be(etag);
                }
                else if (get.StatusCode == HttpStatusCode.NotFound)
                {
                    continue;
                }

                get.StatusCode.Should().Be(HttpStatusCode.OK);
                (await get.Content.ReadAsByteArrayAsync()).Should().Equal(body, $"{key} must be whole or absent");
                found++;
            }

            found.Should().BeGreaterThanOrEqualTo(acknowledged.Count);
            (await client.ListKeysAsync(bucket)).Should().HaveCount(found, "the listing holds exactly the objects that read back");
        }

        return new BurstCounts(sent.Count, acknowledged.Count, cutOff);
    }

    private sealed record BurstCounts(int Sent, int Acknowledged, int CutOff);
}
