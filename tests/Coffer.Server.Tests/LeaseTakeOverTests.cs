using System.Net;
using System.Xml.Linq;
using Coffer.Model.Inventory;
using Coffer.Storage;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// A run left Running by a process that died: a server that starts on the data folder holds its lock, so it knows that
/// process is gone and takes the run over at once instead of waiting out the lease.
/// </summary>
public sealed class LeaseTakeOverTests : IDisposable
{
    private readonly TempDirectory _data = new("lease");
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
    private readonly string _source = TestServer.BucketName("leasesrc");
    private readonly string _destination = TestServer.BucketName("leasedst");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task RestartedServer_TakesOverARunLeasedByTheDeadProcess_BeforeTheLeaseEnds()
    {
        string jobId;
        await using (var first = await TestServer.StartAsync(_time, inventory: new InventoryServiceOptions { RunWorker = false }, data: _data))
        {
            await first.CreateBucketAsync(_source);
            await first.CreateBucketAsync(_destination);
            await first.PutObjectAsync(_source, "a.txt", [1, 2, 3]);
            var post = await first.SendAsync(first.Request(HttpMethod.Post, _source, query: "inventory&id=once", content: new StringContent(
                "<InventoryConfiguration><Id>once</Id><Destination><COSBucketDestination><Format>CSV</Format>" +
                $"<Bucket>qcs::cos:ap-guangzhou::{_destination}</Bucket></COSBucketDestination></Destination>" +
                "<IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field></OptionalFields></InventoryConfiguration>")));
            post.StatusCode.Should().Be(HttpStatusCode.OK);
            jobId = XDocument.Parse(await post.Content.ReadAsStringAsync()).Root!.Element("JobId")!.Value;

            // What a runner that then died leaves: the run Running, leased for two more minutes to an owner that is gone.
            var engine = first.Server.Services.GetRequiredService<StorageEngine>();
            var claimed = await new InventoryRuns(engine.Metadata, _time).ClaimAsync(jobId, "dead-host/4242/abc", TimeSpan.FromMinutes(2));
            claimed.Should().NotBeNull();
        }

        // The clock does not move: only the knowledge that the old owner is gone can free the run.
        await using var second = await TestServer.StartAsync(_time, inventory: new InventoryServiceOptions { PollInterval = TimeSpan.FromMilliseconds(50) },
            data: _data);
        var state = "";
        for (var attempt = 0; attempt < 200 && state is not ("Succeeded" or "Failed"); attempt++)
        {
            await Task.Delay(50);
            var run = await second.SendAsync(second.Request(HttpMethod.Get, _source, query: $"inventory-run&job-id={jobId}"));
            state = XDocument.Parse(await run.Content.ReadAsStringAsync()).Root!.Element("State")!.Value;
        }

        state.Should().Be("Succeeded", "the restarted server owns the data folder, so the dead process's lease does not hold it back");
    }
}
