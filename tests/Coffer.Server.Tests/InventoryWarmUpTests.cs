using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Coffer.Composition;
using Coffer.Inventory.Running;
using Coffer.Server.Configuration;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>The start-up warm-up: it runs the inventory pipeline in a folder of its own and leaves nothing behind.</summary>
[Collection(WarmUpCollection.Name)]
public sealed class InventoryWarmUpTests
{
    private static string[] OwnFolders() =>
        Directory.GetDirectories(Path.GetTempPath(), Path.GetFileName(WarmUpSupport.FolderPrefix) + Environment.ProcessId + "-*");

    [Fact]
    public async Task RunAsync_RunsAnInventoryOfEachFormat_AndDeletesItsFolder_CountingNoRunInTheMetrics()
    {
        // By name, as the console's exporter selects meters (no other test runs beside this collection's).
        var counted = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meters) =>
        {
            if (instrument.Meter.Name == InventoryMetrics.MeterName)
            {
                meters.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref counted));
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref counted));
        listener.Start();

        var result = await InventoryWarmUp.RunAsync();

        Assert.True(result.Took > TimeSpan.Zero);
        Assert.Empty(OwnFolders());
        Assert.Equal(0, Interlocked.Read(ref counted));
    }

    [Fact]
    public async Task RunAsync_DeletesItsFolder_WhenCancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => InventoryWarmUp.RunAsync(cancel.Token));

        Assert.Empty(OwnFolders());
    }

    [Fact]
    public async Task RunAsync_RemovesTheFolderOfAProcessThatDied_AndKeepsThoseOfRunningOnes()
    {
        // Process ids stop well below a billion on Linux: no process has this one.
        var dead = Directory.CreateDirectory(WarmUpSupport.FolderPrefix + "999999999-left");
        await File.WriteAllTextAsync(Path.Combine(dead.FullName, "metadata.db"), "left by a killed server");
        var running = Directory.CreateDirectory($"{WarmUpSupport.FolderPrefix}{Environment.ProcessId}-busy");
        try
        {
            await InventoryWarmUp.RunAsync();

            Assert.False(Directory.Exists(dead.FullName));
            Assert.True(Directory.Exists(running.FullName));
        }
        finally
        {
            running.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Server_WarmsUpInTheBackground_AfterItStarts()
    {
        await using var server = await TestServer.StartAsync(inventory: new InventoryServiceOptions { WarmUp = true });

        // Serving already, while the warm-up's folder comes and goes.
        using var response = await server.SendAsync(server.Request(HttpMethod.Get, null));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var waited = Stopwatch.StartNew();
        var seen = false;
        while (waited.Elapsed < TimeSpan.FromSeconds(60) && (!seen || OwnFolders().Length > 0))
        {
            seen |= OwnFolders().Length > 0;
            await Task.Delay(5);
        }

        Assert.True(seen);
        Assert.Empty(OwnFolders());
    }

    [Fact]
    public void InventorySection_WarmsUpUnlessTurnedOff()
    {
        Assert.True(CofferConfigFile.InventorySection.Defaults.ToOptions().WarmUp);
        Assert.False((CofferConfigFile.InventorySection.Defaults with { WarmUp = false }).ToOptions().WarmUp);
        Assert.False(new InventoryServiceOptions().WarmUp);
    }
}
