using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Common;
using Coffer.Storage;
using Coffer.Storage.Records;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>The run status sub-resources (<c>?inventory-run</c>, <c>?inventory-runs</c>): Coffer's own, in the COS dialect.</summary>
public sealed class InventoryRunApiTests : IAsyncLifetime
{
    private readonly string _source = TestServer.BucketName("runsrc");
    private readonly string _destination = TestServer.BucketName("rundst");
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(_time);
        await _server.CreateBucketAsync(_source);
        await _server.CreateBucketAsync(_destination);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GetRun_DescribesAFinishedRun_WithItsCountsTimesAndManifest()
    {
        await _server.PutObjectAsync(_source, "a.txt", Encoding.UTF8.GetBytes("hello"));
        await _server.PutObjectAsync(_source, "logs/b.txt", Encoding.UTF8.GetBytes("hi"));
        var jobId = await PostAsync("once", prefix: "logs/");

        var run = await WaitForEndAsync(jobId);
        run.Elements().Select(e => e.Name.LocalName).Should().Equal(
            "JobId", "Id", "Trigger", "State", "Format", "DestinationBucket", "QueuedTime", "StartTime", "EndTime",
            "ObjectsScanned", "BytesScanned", "ObjectsMatched", "BytesMatched", "FilesWritten", "ManifestKey");
        run.Element("JobId")!.Value.Should().Be(jobId);
        run.Element("Id")!.Value.Should().Be("once");
        run.Element("Trigger")!.Value.Should().Be("OneTime");
        run.Element("State")!.Value.Should().Be("Succeeded");
        run.Element("Format")!.Value.Should().Be("CSV");
        run.Element("DestinationBucket")!.Value.Should().Be(_destination);
        run.Element("QueuedTime")!.Value.Should().Be("2026-11-22T08:00:00.000Z");
        run.Element("ObjectsScanned")!.Value.Should().Be("1", "the prefix is the scan's key range");
        run.Element("BytesScanned")!.Value.Should().Be("2");
        run.Element("ObjectsMatched")!.Value.Should().Be("1");
        run.Element("FilesWritten")!.Value.Should().Be("1");
        var manifestKey = run.Element("ManifestKey")!.Value;
        manifestKey.Should().Be("reports/1250000000/runsrc/once/20261122/manifest.json");
        (await _server.SendAsync(_server.Request(HttpMethod.Get, _destination, manifestKey))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task GetRun_ShowsAFailedRun_WithTheErrorCodeInTheRequestsDialect()
    {
        var jobId = await PostAsync("failing");
        await WaitForEndAsync(jobId);
        // How a run fails is the engine's business (its own tests); this one is about what the API says of one.
        var engine = _server.Server.Services.GetRequiredService<StorageEngine>();
        await engine.Metadata.WriteAsync(writer =>
        {
            writer.Runs.Update(writer.Runs.Get(jobId)! with
            {
                State = InventoryRunStates.Failed,
                ManifestKey = null,
                ErrorCode = nameof(ErrorCode.NoSuchInventoryRun),
                ErrorMessage = "gone",
            });
            return 0;
        });

        var run = await GetRunAsync(jobId);
        run.Element("State")!.Value.Should().Be("Failed");
        run.Element("Error")!.Element("Code")!.Value.Should().Be("NoSuchInventoryJob", "the stored code is shown as the error table names it");
        run.Element("Error")!.Element("Message")!.Value.Should().Be("gone");
        run.Element("ManifestKey").Should().BeNull();
    }

    [Fact]
    public async Task ListRuns_PagesMostRecentFirst_WithMarkers_AndFiltersById()
    {
        var jobs = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            jobs.Add(await PostAsync(i % 2 == 0 ? $"even{i}" : $"odd{i}"));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var first = await ListAsync("max-runs=2");
        first.Elements("InventoryRun").Select(r => r.Element("JobId")!.Value).Should().Equal(jobs[4], jobs[3]);
        first.Element("IsTruncated")!.Value.Should().Be("true");
        first.Element("NextMarker")!.Value.Should().Be(jobs[3]);

        var second = await ListAsync($"max-runs=2&marker={jobs[3]}");
        second.Elements("InventoryRun").Select(r => r.Element("JobId")!.Value).Should().Equal(jobs[2], jobs[1]);
        second.Element("Marker")!.Value.Should().Be(jobs[3]);

        var last = await ListAsync($"max-runs=2&marker={jobs[1]}");
        last.Elements("InventoryRun").Select(r => r.Element("JobId")!.Value).Should().Equal(jobs[0]);
        last.Element("IsTruncated")!.Value.Should().Be("false");
        last.Element("NextMarker").Should().BeNull();

        var one = await ListAsync("id=odd3");
        one.Elements("InventoryRun").Select(r => r.Element("JobId")!.Value).Should().Equal(jobs[3]);
    }

    [Theory]
    [InlineData("inventory-run&job-id=nosuchjob", HttpStatusCode.NotFound, "NoSuchInventoryJob")]
    [InlineData("inventory-run", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("inventory-runs&marker=nosuchjob", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("inventory-runs&max-runs=-1", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("inventory-runs&max-runs=0", HttpStatusCode.BadRequest, "InvalidArgument")]
    public async Task RunRequests_AnswerTheDocumentedErrors(string query, HttpStatusCode status, string code)
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _source, query: query));
        await response.ShouldBeErrorAsync(status, code);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("abc")]
    [InlineData("5000")]
    public async Task ListRuns_RefusesAMaxRunsBelowOneOrNotANumber_InOneMessage_AndTakesOneAboveAThousand(string maxRuns)
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _source, query: "inventory-runs&max-runs=" + maxRuns));

        if (maxRuns == "5000")
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK, "more than 1000 lists 1000, as max-keys does");
        }
        else
        {
            var error = await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
            error.Element("Message")!.Value.Should().Be("max-runs must be an integer of 1 or more.");
        }
    }

    [Fact]
    public async Task ListRuns_OfABucketMadeAgainUnderADeletedOnesName_ShowsNoneOfTheOldRuns()
    {
        // The new bucket is the last one made, so an id handed out again would be the deleted one's.
        var reborn = TestServer.BucketName("reborn");
        await _server.CreateBucketAsync(reborn);
        var body = "<InventoryConfiguration><Id>old</Id><Destination><COSBucketDestination><Format>CSV</Format>" +
            $"<Bucket>qcs::cos:ap-guangzhou::{_destination}</Bucket></COSBucketDestination></Destination>" +
            "<IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field></OptionalFields></InventoryConfiguration>";
        (await _server.SendAsync(_server.Request(HttpMethod.Post, reborn, query: "inventory&id=old", content: new StringContent(body)))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await RunsOfAsync(reborn)).Should().ContainSingle("the old bucket's run");
        (await _server.SendAsync(_server.Request(HttpMethod.Delete, reborn))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await _server.CreateBucketAsync(reborn);

        (await RunsOfAsync(reborn)).Should().BeEmpty();
    }

    private async Task<List<XElement>> RunsOfAsync(string bucket)
    {
        var runs = await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, query: "inventory-runs"));
        var text = await runs.Content.ReadAsStringAsync();
        runs.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return XDocument.Parse(text).Root!.Elements("InventoryRun").ToList();
    }

    [Fact]
    public async Task GetRun_IsNotFound_FromAnotherBucket()
    {
        var jobId = await PostAsync("mine");
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _destination, query: $"inventory-run&job-id={jobId}"));
        await response.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchInventoryJob");
    }

    private async Task<string> PostAsync(string id, string prefix = "")
    {
        var filter = prefix.Length == 0 ? "" : $"<Filter><Prefix>{prefix}</Prefix></Filter>";
        var body = $"<InventoryConfiguration><Id>{id}</Id><Destination><COSBucketDestination><Format>CSV</Format>" +
            $"<Bucket>qcs::cos:ap-guangzhou::{_destination}</Bucket><Prefix>reports</Prefix></COSBucketDestination></Destination>{filter}" +
            "<IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field></OptionalFields></InventoryConfiguration>";
        var response = await _server.SendAsync(_server.Request(HttpMethod.Post, _source, query: $"inventory&id={id}", content: new StringContent(body)));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Element("JobId")!.Value;
    }

    private async Task<XElement> GetRunAsync(string jobId)
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _source, query: $"inventory-run&job-id={jobId}"));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/xml");
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        root.Name.LocalName.Should().Be("InventoryRun");
        return root;
    }

    private async Task<XElement> WaitForEndAsync(string jobId)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var run = await GetRunAsync(jobId);
            if (run.Element("State")!.Value is "Succeeded" or "Failed")
            {
                return run;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Run {jobId} did not end.");
    }

    private async Task<XElement> ListAsync(string query)
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _source, query: $"inventory-runs&{query}"));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        root.Name.LocalName.Should().Be("ListInventoryRunsResult");
        return root;
    }
}
