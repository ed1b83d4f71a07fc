using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using Coffer.Storage;
using Coffer.Testing;
using DuckDB.NET.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// Incremental and diff reports (the <c>CofferReport</c> extension) through the HTTP API, on both metadata engines, read
/// back by DuckDB, an independent Parquet reader: the chain full(N) + changes (N, M] = full(M) holds row for row after
/// overwrites, deletes and re-creates, and a diff equals what comparing the two full reports gives.
/// </summary>
public sealed class JournalReportApiTests
{
    private static readonly string[] Fields = ["size", "last_modified_date", "e_tag"];

    private readonly string _source = TestServer.BucketName("journalsrc");
    private readonly string _destination = TestServer.BucketName("journaldst");

    [Theory]
    [InlineData("sqlite", "Current")]
    [InlineData("sqlite", "All")]
    [InlineData("postgres", "Current")]
    [InlineData("postgres", "All")]
    public async Task IncrementalAndDiff_ChainExactly_WithTheFullReports(string engineName, string versions)
    {
        using ITestEngine engine = engineName == "sqlite" ? new SqliteTestEngine() : new PostgresTestEngine();
        await using var server = await TestServer.StartAsync(
            inventory: new InventoryServiceOptions { PollInterval = TimeSpan.FromMilliseconds(50) }, metadata: engine.Location);
        await server.CreateBucketAsync(_source);
        await server.CreateBucketAsync(_destination);
        var allVersions = versions == "All";
        if (allVersions)
        {
            var versioning = await server.SendAsync(server.Request(HttpMethod.Put, _source, query: "versioning",
                content: new StringContent("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")));
            versioning.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        foreach (var key in new[] { "a.txt", "b.txt", "c.txt", "d/e.txt", "h.txt" })
        {
            await PutAsync(server, key, key);
        }

        var full1 = await RunAsync(server, "full1", versions, "");

        // Between the two full reports: an overwrite, a delete, a delete and re-create, a new key, a key created and
        // deleted, a key overwritten twice (and with versions, an older version deleted for good).
        await PutAsync(server, "a.txt", "a, longer now");
        await DeleteAsync(server, "b.txt");
        await DeleteAsync(server, "c.txt");
        await PutAsync(server, "c.txt", "c.txt");
        await PutAsync(server, "f.txt", "new");
        await PutAsync(server, "g.txt", "short-lived");
        await DeleteAsync(server, "g.txt");
        var middle = await PutAsync(server, "d/e.txt", "second");
        await PutAsync(server, "d/e.txt", "third!");
        if (allVersions)
        {
            await DeleteAsync(server, "d/e.txt", middle);
        }

        var incremental = await RunAsync(server, "inc", versions, $"<CofferReport><Type>Incremental</Type><FromJobId>{full1}</FromJobId></CofferReport>");
        var full2 = await RunAsync(server, "full2", versions, "");
        var diff = await RunAsync(server, "diff", versions, $"<CofferReport><Type>Diff</Type><FromJobId>{full1}</FromJobId><ToJobId>{full2}</ToJobId></CofferReport>");

        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        var manifests = new Dictionary<string, JsonElement>();
        foreach (var (table, jobId) in new[] { ("full1", full1), ("inc", incremental), ("full2", full2), ("diff", diff) })
        {
            manifests[table] = await LoadAsync(server, duck, table, jobId);
        }

        var ids = allVersions ? "key, version_id" : "key";
        var columns = allVersions ? [.. Fields, "is_latest", "is_delete_marker"] : Fields;
        var all = $"appid, bucket, {ids}, {string.Join(", ", columns)}";

        // The manifests place the reports in the journal: the incremental one starts where full1 was taken and ends where full2 was.
        Sequence(manifests["inc"], "fromSequence").Should().Be(Sequence(manifests["full1"], "snapshotSequence"));
        Sequence(manifests["inc"], "toSequence").Should().BeLessThanOrEqualTo(Sequence(manifests["full2"], "snapshotSequence"));
        manifests["inc"].GetProperty("reportType").GetString().Should().Be("Incremental");
        manifests["diff"].GetProperty("reportType").GetString().Should().Be("Diff");

        // Replayed in sequence order on full1, the incremental rows give full2: the last row of each object wins, Deleted removes it.
        // With versions, a row per change of a version; without, a row per key that changed (a, b, c, d/e, f: an overwrite
        // is one Updated row, and g, created and deleted, none).
        if (allVersions)
        {
            Count(duck, "SELECT count(*) FROM inc").Should().BeGreaterThan(8);
        }
        else
        {
            Count(duck, "SELECT count(*) FROM inc").Should().Be(5);
        }
        Execute(duck, $"""
            CREATE TABLE replayed AS
            SELECT {all} FROM full1 f ANTI JOIN inc i USING ({ids})
            UNION ALL
            SELECT {all} FROM inc QUALIFY row_number() OVER (PARTITION BY {ids} ORDER BY sequence DESC) = 1 AND operation <> 'Deleted'
            """);
        Count(duck, "SELECT count(*) FROM full2").Should().Be(Count(duck, "SELECT count(*) FROM replayed"));
        Count(duck, $"SELECT count(*) FROM (SELECT {all} FROM replayed EXCEPT ALL SELECT {all} FROM full2)").Should().Be(0);
        Count(duck, $"SELECT count(*) FROM (SELECT {all} FROM full2 EXCEPT ALL SELECT {all} FROM replayed)").Should().Be(0);

        // The diff, row by row, is the full outer join of the two full reports where a reported value differs.
        var differs = string.Join(" OR ", columns.Select(c => $"a.{c} IS DISTINCT FROM b.{c}"));
        var sides = string.Join(", ", columns.Select(c => $"a.{c} AS before_{c}, b.{c} AS after_{c}"));
        var idPick = string.Join(", ", ids.Split(", ").Select(c => $"coalesce(a.{c}, b.{c}) AS {c}"));
        Execute(duck, $"""
            CREATE TABLE expected AS
            SELECT {idPick}, CASE WHEN a.key IS NULL THEN 'Added' WHEN b.key IS NULL THEN 'Removed' ELSE 'Changed' END AS change, {sides}
            FROM full1 a FULL OUTER JOIN full2 b USING ({ids})
            WHERE a.key IS NULL OR b.key IS NULL OR {differs}
            """);
        var diffColumns = $"{ids}, change, {string.Join(", ", columns.Select(c => $"before_{c}, after_{c}"))}";
        Count(duck, "SELECT count(*) FROM expected").Should().BeGreaterThan(4);
        Count(duck, "SELECT count(*) FROM diff").Should().Be(Count(duck, "SELECT count(*) FROM expected"));
        Count(duck, $"SELECT count(*) FROM (SELECT {diffColumns} FROM diff EXCEPT ALL SELECT {diffColumns} FROM expected)").Should().Be(0);
        Count(duck, $"SELECT count(*) FROM (SELECT {diffColumns} FROM expected EXCEPT ALL SELECT {diffColumns} FROM diff)").Should().Be(0);
        // A key created and deleted between the runs: in neither current report; with versions, its version and delete marker are added.
        Count(duck, "SELECT count(*) FROM diff WHERE key = 'g.txt'").Should().Be(allVersions ? 2 : 0);
    }

    [Theory]
    [InlineData("never")]
    [InlineData("Enabled")]
    [InlineData("Suspended")]
    public async Task CurrentVersionsIncremental_GivesEachChangedKeyOneRow_AnOverwriteUpdated(string versioning)
    {
        using var engine = new SqliteTestEngine();
        await using var server = await TestServer.StartAsync(
            inventory: new InventoryServiceOptions { PollInterval = TimeSpan.FromMilliseconds(50) }, metadata: engine.Location);
        await server.CreateBucketAsync(_source);
        await server.CreateBucketAsync(_destination);
        if (versioning != "never")
        {
            (await server.SendAsync(server.Request(HttpMethod.Put, _source, query: "versioning",
                content: new StringContent($"<VersioningConfiguration><Status>{versioning}</Status></VersioningConfiguration>")))).EnsureSuccessStatusCode();
        }

        foreach (var key in new[] { "a", "b", "c" })
        {
            await PutAsync(server, key, key);
        }

        var full = await RunAsync(server, "full", "Current", "");
        await PutAsync(server, "a", "a, longer");
        await DeleteAsync(server, "b");
        await PutAsync(server, "d", "d");
        var incremental = await RunAsync(server, "inc", "Current", $"<CofferReport><Type>Incremental</Type><FromJobId>{full}</FromJobId></CofferReport>");

        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        await LoadAsync(server, duck, "inc", incremental);
        using var command = duck.CreateCommand();
        command.CommandText = "SELECT key || ' ' || operation FROM inc ORDER BY key";
        var rows = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add(reader.GetString(0));
            }
        }

        rows.Should().Equal("a Updated", "b Deleted", "d Created");
    }

    [Fact]
    public async Task Incremental_AfterItsConfigurationChangedWhatItReports_StartsAgainFromAFullReport()
    {
        using var engine = new SqliteTestEngine();
        await using var server = await TestServer.StartAsync(
            inventory: new InventoryServiceOptions { PollInterval = TimeSpan.FromMilliseconds(50) }, metadata: engine.Location);
        await server.CreateBucketAsync(_source);
        await server.CreateBucketAsync(_destination);
        await PutAsync(server, "k/a", "a");
        await PutAsync(server, "outside", "there all along");
        string Periodic(string filter) => Configuration("chain", "Current", "<CofferReport><Type>Incremental</Type></CofferReport>")
            .Replace("<Destination>", $"<IsEnabled>true</IsEnabled><Schedule><Frequency>Daily</Frequency></Schedule>{filter}<Destination>");
        async Task PutConfigurationAsync(string body) =>
            (await server.SendAsync(server.Request(HttpMethod.Put, _source, query: "inventory&id=chain", content: new StringContent(body)))).EnsureSuccessStatusCode();

        await PutConfigurationAsync(Periodic("<Filter><Prefix>k/</Prefix></Filter>"));
        (await ReportTypeAsync(server, await RunNowAsync(server, "chain"))).Should().Be("Full", "the first run has nothing to start from");
        await PutAsync(server, "k/b", "b");
        (await ReportTypeAsync(server, await RunNowAsync(server, "chain"))).Should().Be("Incremental");

        // Widened to the whole bucket: replayed on the k/ report, an increment would never show "outside".
        await PutConfigurationAsync(Periodic(""));
        await PutAsync(server, "k/c", "c");
        var widened = await RunNowAsync(server, "chain");
        (await ReportTypeAsync(server, widened)).Should().Be("Full");
        await PutAsync(server, "k/d", "d");
        (await ReportTypeAsync(server, await RunNowAsync(server, "chain"))).Should().Be("Incremental", "the full report of the new definition is the base");
    }

    [Fact]
    public async Task CofferReport_NamingNoSucceededRunOfTheBucket_OrADiffBackwards_IsRefusedWhenStored_NotRunToFail()
    {
        using var engine = new SqliteTestEngine();
        await using var server = await TestServer.StartAsync(
            inventory: new InventoryServiceOptions { PollInterval = TimeSpan.FromMilliseconds(50) }, metadata: engine.Location);
        await server.CreateBucketAsync(_source);
        await server.CreateBucketAsync(_destination);
        await PutAsync(server, "a.txt", "a");
        var full1 = await RunAsync(server, "full1", "Current", "");
        await PutAsync(server, "b.txt", "b");
        var full2 = await RunAsync(server, "full2", "Current", "");

        foreach (var report in new[]
        {
            "<CofferReport><Type>Incremental</Type><FromJobId>nosuchjob</FromJobId></CofferReport>",
            $"<CofferReport><Type>Diff</Type><FromJobId>{full1}</FromJobId><ToJobId>nosuchjob</ToJobId></CofferReport>",
            $"<CofferReport><Type>Diff</Type><FromJobId>{full2}</FromJobId><ToJobId>{full1}</ToJobId></CofferReport>",
        })
        {
            var posted = await server.SendAsync(server.Request(HttpMethod.Post, _source, query: "inventory&id=refused",
                content: new StringContent(Configuration("refused", "Current", report))));
            await posted.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        }

        var periodic = Configuration("periodic", "Current", "<CofferReport><Type>Incremental</Type><FromJobId>nosuchjob</FromJobId></CofferReport>")
            .Replace("<Destination>", "<IsEnabled>true</IsEnabled><Schedule><Frequency>Daily</Frequency></Schedule><Destination>");
        await (await server.SendAsync(server.Request(HttpMethod.Put, _source, query: "inventory&id=periodic", content: new StringContent(periodic))))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        var runs = await (await server.SendAsync(server.Request(HttpMethod.Get, _source, query: "inventory-runs"))).Content.ReadAsStringAsync();
        runs.Should().NotContain("refused").And.NotContain("periodic");

        // Forward, the same two runs make a diff.
        await RunAsync(server, "forward", "Current", $"<CofferReport><Type>Diff</Type><FromJobId>{full1}</FromJobId><ToJobId>{full2}</ToJobId></CofferReport>");
    }

    [Fact]
    public async Task Incremental_FromARunThePurgeLeftBehind_FailsWithInvalidArgument_RatherThanMissChanges()
    {
        using var engine = new SqliteTestEngine();
        await using var server = await TestServer.StartAsync(
            inventory: new InventoryServiceOptions { PollInterval = TimeSpan.FromMilliseconds(50) }, metadata: engine.Location,
            journalRetention: TimeSpan.FromSeconds(1));
        await server.CreateBucketAsync(_source);
        await server.CreateBucketAsync(_destination);
        await PutAsync(server, "a.txt", "a");
        var full = await RunAsync(server, "full", "Current", "");
        await PutAsync(server, "b.txt", "b");

        // The purge service (every tenth of the retention) removes the changes and the mark older than a second.
        var metadata = server.Server.Services.GetRequiredService<StorageEngine>().Metadata;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (ReadMark(metadata, full) is not null)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the purge should have removed the run's mark by now");
            await Task.Delay(100);
        }

        var act = () => RunAsync(server, "inc", "Current", $"<CofferReport><Type>Incremental</Type><FromJobId>{full}</FromJobId></CofferReport>");
        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message
            .Should().Contain("InvalidArgument").And.Contain("no longer reaches back");
    }

    private static JournalMark? ReadMark(IMetadataStore metadata, string jobId)
    {
        using var reader = metadata.OpenSnapshot();
        return reader.Journal.GetMark(jobId);
    }

    private async Task<string?> PutAsync(TestServer server, string key, string body)
    {
        var response = await server.PutObjectAsync(_source, key, System.Text.Encoding.UTF8.GetBytes(body));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return response.Headers.TryGetValues("x-cos-version-id", out var values) ? values.Single() : null;
    }

    private async Task DeleteAsync(TestServer server, string key, string? versionId = null)
    {
        var response = await server.SendAsync(server.Request(HttpMethod.Delete, _source, key, query: versionId is null ? "" : $"versionId={versionId}"));
        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    /// <summary>A Parquet configuration of the source's Size, LastModifiedDate and ETag, with <paramref name="report"/> inside.</summary>
    private string Configuration(string id, string versions, string report) =>
        $"<InventoryConfiguration><Id>{id}</Id><Destination><COSBucketDestination><Format>Parquet</Format>" +
        $"<Bucket>qcs::cos:{TestServer.Region}::{_destination}</Bucket><Prefix>reports</Prefix></COSBucketDestination></Destination>" +
        $"<IncludedObjectVersions>{versions}</IncludedObjectVersions><OptionalFields><Field>Size</Field><Field>LastModifiedDate</Field>" +
        $"<Field>ETag</Field></OptionalFields>{report}</InventoryConfiguration>";

    /// <summary>POSTs a one-time Parquet job with id <paramref name="id"/> and waits for it to succeed; its job id.</summary>
    private async Task<string> RunAsync(TestServer server, string id, string versions, string report) =>
        await SucceededAsync(server, await server.SendAsync(server.Request(HttpMethod.Post, _source, query: $"inventory&id={id}",
            content: new StringContent(Configuration(id, versions, report)))));

    /// <summary>Runs a periodic configuration now and waits for the run to succeed; its job id.</summary>
    private async Task<string> RunNowAsync(TestServer server, string id) =>
        await SucceededAsync(server, await server.SendAsync(server.Request(HttpMethod.Post, _source, query: $"inventory-run&id={id}")));

    /// <summary>Waits for the run a request queued to succeed; its job id. A failed run throws, with its status.</summary>
    private async Task<string> SucceededAsync(TestServer server, HttpResponseMessage queued)
    {
        queued.StatusCode.Should().Be(HttpStatusCode.OK, await queued.Content.ReadAsStringAsync());
        var jobId = XDocument.Parse(await queued.Content.ReadAsStringAsync()).Root!.Element("JobId")!.Value;
        for (var attempt = 0; attempt < 1200; attempt++)
        {
            var run = await RunStatusAsync(server, jobId);
            switch (run.Element("State")!.Value)
            {
                case "Succeeded":
                    return jobId;
                case "Failed":
                    throw new InvalidOperationException($"Run {jobId} failed: {run}");
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Run {jobId} did not end.");
    }

    private async Task<XElement> RunStatusAsync(TestServer server, string jobId) =>
        XDocument.Parse(await (await server.SendAsync(server.Request(HttpMethod.Get, _source, query: $"inventory-run&job-id={jobId}")))
            .Content.ReadAsStringAsync()).Root!;

    private async Task<string> ReportTypeAsync(TestServer server, string jobId)
    {
        var run = await RunStatusAsync(server, jobId);
        return JsonDocument.Parse(await DownloadAsync(server, run.Element("ManifestKey")!.Value)).RootElement.GetProperty("reportType").GetString()!;
    }

    /// <summary>Downloads a run's report files into DuckDB as <paramref name="table"/>; its manifest.</summary>
    private async Task<JsonElement> LoadAsync(TestServer server, DuckDBConnection duck, string table, string jobId)
    {
        var run = await RunStatusAsync(server, jobId);
        var manifest = JsonDocument.Parse(await DownloadAsync(server, run.Element("ManifestKey")!.Value)).RootElement.Clone();
        using var folder = new TempDirectory("journal-report");
        var paths = new List<string>();
        foreach (var file in manifest.GetProperty("files").EnumerateArray())
        {
            var path = folder.Combine($"{paths.Count}.parquet");
            await File.WriteAllBytesAsync(path, await DownloadAsync(server, file.GetProperty("key").GetString()!));
            paths.Add(path);
        }

        Execute(duck, $"CREATE TABLE {table} AS SELECT * FROM read_parquet([{string.Join(", ", paths.Select(p => $"'{p}'"))}])");
        return manifest;
    }

    private async Task<byte[]> DownloadAsync(TestServer server, string key)
    {
        var response = await server.SendAsync(server.Request(HttpMethod.Get, _destination, key));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static long Sequence(JsonElement manifest, string name) => long.Parse(manifest.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private static void Execute(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Count(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
