using System.Diagnostics;
using System.Net;
using Coffer.Composition;
using Coffer.Protocol.Routing;
using Coffer.Server.Configuration;
using Coffer.Server.WarmUp;
using Coffer.Testing;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Tests;

/// <summary>
/// The start-up warm-up of the request path: it serves requests to a throw-away server in a folder of its own, checks
/// every answer, and leaves nothing behind.
/// </summary>
[Collection(WarmUpCollection.Name)]
public sealed class RequestWarmUpTests
{
    /// <summary>What one round sends: 16 connections, each 30 sequences of 8 requests and, in 3 of them, 6 more.</summary>
    private const int RequestsPerRound = 16 * ((30 * 8) + (3 * 6));

    private static string[] OwnFolders() =>
        Directory.GetDirectories(Path.GetTempPath(), Path.GetFileName(WarmUpSupport.FolderPrefix) + Environment.ProcessId + "-*");

    [Fact]
    public async Task RunAsync_SendsWholeRoundsThatAreAllAnsweredAsExpected_AndDeletesItsFolder()
    {
        // Any answer other than the one a request expects (a refused signature, a missing object) ends it with an error.
        var result = await RequestWarmUp.RunAsync("ap-guangzhou", HostResolver.DefaultSuffixes);

        Assert.InRange(result.Rounds, 1, 8);
        Assert.Equal((long)result.Rounds * RequestsPerRound, result.Requests);
        Assert.Empty(OwnFolders());
    }

    [Fact]
    public async Task RunAsync_SignsForTheNodesRegion()
    {
        // SigV4 scopes name the region; a server of another region refuses them (AuthorizationHeaderMalformed).

        var result = await RequestWarmUp.RunAsync("us-east-1", HostResolver.DefaultSuffixes);

        Assert.Equal((long)result.Rounds * RequestsPerRound, result.Requests);
    }

    [Fact]
    public async Task RunAsync_DeletesItsFolder_WhenCancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RequestWarmUp.RunAsync("ap-guangzhou", HostResolver.DefaultSuffixes, cancel.Token));

        Assert.Empty(OwnFolders());
    }

    [Fact]
    public async Task Server_WarmsUpItsRequestPathInTheBackground_WhenAsked_AndKeepsItsOwnDataApart()
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
        await server.StartAsync();
        var client = new CosTestClient(server.BaseAddress, TimeProvider.System);

        // Serving already, while the warm-up's folder comes and goes.
        using (var response = await client.SendAsync(client.Request(HttpMethod.Get, null)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var waited = Stopwatch.StartNew();
        var seen = false;
        while (waited.Elapsed < TimeSpan.FromSeconds(120) && (!seen || OwnFolders().Length > 0))
        {
            seen |= OwnFolders().Length > 0;
            await Task.Delay(5);
        }

        Assert.True(seen);
        Assert.Empty(OwnFolders());
        using var buckets = await client.SendAsync(client.Request(HttpMethod.Get, null));
        Assert.DoesNotContain("warm-up", await buckets.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigFile_WarmsUpTheRequestPathUnlessTurnedOff()
    {
        var folder = new TempDirectory("config");
        try
        {
            var on = folder.Combine("on.json");
            var off = folder.Combine("off.json");
            File.WriteAllText(on, "{}");
            File.WriteAllText(off, """{ "requestWarmUp": false }""");

            Assert.Null(CofferConfigFile.Load(on).RequestWarmUp);
            Assert.False(CofferConfigFile.Load(off).RequestWarmUp);
            Assert.False(new CofferServerOptions { DataDirectory = folder.Path, Accounts = [] }.WarmUpRequests);
        }
        finally
        {
            folder.Dispose();
        }
    }
}

/// <summary>The warm-ups' tests share the process's warm-up folders: they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class WarmUpCollection
{
    public const string Name = "warm-up folders";
}
