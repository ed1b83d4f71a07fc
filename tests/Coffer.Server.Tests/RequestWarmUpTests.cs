using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Coffer.Composition;
using Coffer.Protocol.Routing;
using Coffer.Server.Configuration;
using Coffer.Server.Pipeline;
using Coffer.Server.WarmUp;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Tests;

/// <summary>
/// The start-up warm-up of the request path: it serves requests to a throw-away server in a folder of its own, checks
/// every answer, and leaves nothing behind.
/// </summary>
[Collection(WarmUpCollection.Name)]
public sealed class RequestWarmUpTests
{
    /// <summary>What one round sends: 16 connections, each 30 sequences of 8 requests and, in 3 of them, 7 more.</summary>
    private const int RequestsPerRound = 16 * ((30 * 8) + (3 * 7));

    private static string[] OwnFolders() =>
        Directory.GetDirectories(Path.GetTempPath(), Path.GetFileName(WarmUpSupport.FolderPrefix) + Environment.ProcessId + "-*");

    [Fact]
    public async Task RunAsync_GetsEveryRequestAnsweredAsExpected_AndDeletesItsFolder()
    {
        // Any answer other than the one a request expects (a refused signature, a missing object) ends it with an error.
        var result = await RequestWarmUp.RunAsync("ap-guangzhou", HostResolver.DefaultSuffixes);

        Assert.Equal((long)result.Rounds * RequestsPerRound, result.Requests);
        Assert.Empty(OwnFolders());
    }

    [Theory]
    [InlineData("us-east-1")]
    [InlineData("ap-beijing")]
    public async Task RunAsync_SignsForTheServersRegion_WhateverItIs(string region)
    {
        // SigV4 scopes name the region; a server of another region refuses them (AuthorizationHeaderMalformed).

        var result = await RequestWarmUp.RunAsync(region, HostResolver.DefaultSuffixes, maxRounds: 1);

        Assert.Equal(RequestsPerRound, result.Requests);
    }

    [Fact]
    public async Task RunAsync_DeletesItsFolder_WhenCancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => RequestWarmUp.RunAsync("ap-guangzhou", HostResolver.DefaultSuffixes, cancellationToken: cancel.Token));

        Assert.Empty(OwnFolders());
    }

    [Fact]
    public async Task Server_WarmsUpItsRequestPathInTheBackground_WhenAsked_AndKeepsItsDataAndMetricsApart()
    {
        using var data = new TempDirectory("warm-up");
        await using var server = CofferServer.Create(new CofferServerOptions
        {
            DataDirectory = data.Path,
            Listen = "127.0.0.1:0",
            Accounts = [TestAccounts.Owner],
            LogLevel = LogLevel.Warning,
            WarmUpRequests = true,
        });
        // By name, as the console's exporter selects meters (no other test runs beside this collection's).
        var counted = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meters) =>
        {
            if (instrument.Meter.Name == RequestMetrics.MeterName && instrument.Name == "coffer.requests")
            {
                meters.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref counted, value));
        listener.Start();
        await server.StartAsync();
        using var client = new CosTestClient(server.BaseAddress, TimeProvider.System);

        // Serving already, while the warm-up runs.
        using (var response = await client.SendAsync(client.Request(HttpMethod.Get, null)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var result = await server.Services.GetRequiredService<WarmUpOutcome>().Requests.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(result.Requests > 0);
        Assert.Empty(OwnFolders());
        using var buckets = await client.SendAsync(client.Request(HttpMethod.Get, null));
        Assert.DoesNotContain("warm-up", await buckets.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // A request is counted once its answer has gone: wait for the second, then for anything more to show.
        var waited = Stopwatch.StartNew();
        while (Interlocked.Read(ref counted) < 2 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        await Task.Delay(200);
        Assert.Equal(2, Interlocked.Read(ref counted));
    }

    [Fact]
    public void ConfigFile_ReadsRequestWarmUp_AsUnsetUnlessGiven()
    {
        using var folder = new TempDirectory("config");
        var unset = folder.Combine("unset.json");
        var off = folder.Combine("off.json");
        File.WriteAllText(unset, "{}");
        File.WriteAllText(off, """{ "requestWarmUp": false }""");

        Assert.Null(CofferConfigFile.Load(unset).RequestWarmUp);
        Assert.False(CofferConfigFile.Load(off).RequestWarmUp);
        Assert.False(new CofferServerOptions { DataDirectory = folder.Path, Accounts = [] }.WarmUpRequests);
    }
}
