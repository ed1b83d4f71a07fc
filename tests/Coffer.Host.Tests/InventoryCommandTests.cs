using System.Text;
using System.Text.Json;
using Coffer.Testing;

namespace Coffer.Host.Tests;

/// <summary>
/// <c>coffer inventory ...</c> and <c>coffer report ...</c>: the real executable against a real server process, over
/// HTTP with the owner's key from the environment; exit codes, progress on stderr, JSON on stdout.
/// </summary>
public sealed class InventoryCommandTests() : CommandTestBase("inventory-command", Source, Destination, "a", "b", "logs/c")
{
    private const string Source = "cmdsrc-1250000000";
    private const string Destination = "cmddst-1250000000";

    protected override Task SeedAsync() => PutConfigurationAsync("nightly", enabled: true, Destination);

    [Fact]
    public async Task Run_Wait_ShowsProgressOnStderr_PrintsTheRunAsJson_AndExits0()
    {
        var (exitCode, output, error) = await CofferAsync("inventory", "run", "--bucket", Source, "--id", "nightly", "--wait", "--output", "json");

        exitCode.Should().Be(0, output + error);
        var run = JsonDocument.Parse(output).RootElement;
        run.GetProperty("State").GetString().Should().Be("Succeeded");
        run.GetProperty("ObjectsMatched").GetInt64().Should().Be(3);
        run.GetProperty("ManifestKey").GetString().Should().Be($"1250000000/cmdsrc/nightly/{DateTime.UtcNow:yyyyMMdd}/manifest.json");
        error.Should().MatchRegex(@"3 rows scanned  1 file\(s\)  [0-9.]+ MB/s  Succeeded|\[#{30}\] 100%  3/3 rows");

        var jobId = run.GetProperty("JobId").GetString();
        await WaitForServerLineAsync($"info: Coffer.Server.Inventory.InventoryRunLog[20] Inventory run bucket={Source} id=nightly job={jobId} state=Succeeded rows=3 files=1 duration=");

        // The second run measures itself against the first: a bar over 3 rows.
        var (again, _, progress) = await CofferAsync("inventory", "run", "--bucket", Source, "--id", "nightly", "--wait");
        again.Should().Be(0, progress);
        progress.Should().MatchRegex(@"\[#{30}\] 100%  3/3 rows  1 file\(s\)  [0-9.]+ MB/s  Succeeded");
    }

    [Fact]
    public async Task Run_Wait_Exits1_WhenTheRunFails()
    {
        // The destination is deleted after the configuration named it: the run cannot deliver.
        await Client.CreateBucketAsync("cmdgone-1250000000");
        await PutConfigurationAsync("gone", enabled: true, "cmdgone-1250000000");
        (await Client.SendAsync(Client.Request(HttpMethod.Delete, "cmdgone-1250000000"))).EnsureSuccessStatusCode();

        var (exitCode, output, error) = await CofferAsync("inventory", "run", "--bucket", Source, "--id", "gone", "--wait", "--output", "json");

        exitCode.Should().Be(1, output + error);
        var run = JsonDocument.Parse(output).RootElement;
        run.GetProperty("State").GetString().Should().Be("Failed");
        run.GetProperty("ErrorCode").GetString().Should().Be("NoSuchBucket");
        await WaitForServerLineAsync($"warn: Coffer.Server.Inventory.InventoryRunLog[21] Inventory run bucket={Source} id=gone job={run.GetProperty("JobId").GetString()} state=Failed rows=0 duration=");
    }

    [Theory]
    [InlineData("nosuchid", "coffer: InventoryConfigurationNotFoundError: The inventory configuration 'nosuchid' does not exist.")]
    [InlineData("disabled", "coffer: InvalidArgument: Inventory 'disabled' is disabled")]
    public async Task Run_RefusedByTheServer_IsOneLine_AndExits3(string id, string message)
    {
        await PutConfigurationAsync("disabled", enabled: false, Destination);

        var (exitCode, output, error) = await CofferAsync("inventory", "run", "--bucket", Source, "--id", id);

        exitCode.Should().Be(3, output + error);
        error.Should().StartWith(message).And.EndWith($"(bucket {Source})\n");
        error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle();
    }

    [Theory]
    [InlineData("cmdsrc", "coffer: --bucket 'cmdsrc' has no APPID suffix: buckets are named <name>-<APPID>, e.g. cmdsrc-1250000000")]
    [InlineData("Bad_Name-1250000000", "coffer: --bucket 'Bad_Name-1250000000' is not a bucket name")]
    public async Task Commands_NameTheBucketMistake_AndExit2(string bucket, string message)
    {
        var (exitCode, output, error) = await CofferAsync("inventory", "list", "--bucket", bucket);

        exitCode.Should().Be(2, output + error);
        error.Should().StartWith(message);
        error.Should().NotContain("   at ");
    }

    [Fact]
    public async Task Commands_WithoutAServer_SayWhere_AndExit4()
    {
        var (exitCode, _, error) = await CofferAsync(["inventory", "list", "--bucket", Source, "--endpoint", "http://127.0.0.1:1"]);

        exitCode.Should().Be(4);
        error.Should().StartWith("coffer: no Coffer server answers at http://127.0.0.1:1/");
    }

    [Fact]
    public async Task Commands_AtAnHttpsEndpointThatSpeaksNoTls_SayWhatFailedInOneLine_AndExit4()
    {
        var endpoint = $"https://{Server.BaseAddress.Authority}";
        var (exitCode, _, error) = await CofferAsync(["inventory", "list", "--bucket", Source, "--endpoint", endpoint]);

        exitCode.Should().Be(4, error);
        error.Should().StartWith($"coffer: no TLS connection could be made to {endpoint}/").And.EndWith("is it an http:// endpoint?\n");
        error.Trim().Should().NotContain("\n");
    }

    [Fact]
    public async Task Commands_AtTheConsolesPort_SayTheEndpointIsNotCoffersApi_AndExit3()
    {
        var console = Server.ConsoleAddress!.GetLeftPart(UriPartial.Authority);
        var (exitCode, _, error) = await CofferAsync(["inventory", "list", "--bucket", Source, "--endpoint", console]);

        exitCode.Should().Be(3, error);
        error.Should().Contain($"the server at {console} is not Coffer's API (is --endpoint its console's port?)");
    }

    [Theory]
    [InlineData("inventory list", "coffer: Option '--bucket' is required. (coffer inventory list --help lists the options)")]
    [InlineData("inventory list --bucket b-1 --timeout abc", "coffer: Cannot parse argument 'abc' for option '--timeout'")]
    [InlineData("inventory list --bucket b-1 --output xml", "coffer: Cannot parse argument 'xml' for option '--output'")]
    [InlineData("inventory get --bucket b-1", "coffer: Option '--id' is required. (coffer inventory get --help lists the options)")]
    public async Task Commands_WithAMissingOrMalformedOption_SaySoInOneLine_AndExit2(string arguments, string message)
    {
        var (exitCode, output, error) = await CofferAsync(arguments.Split(' '));

        exitCode.Should().Be(2, output + error);
        output.Should().BeEmpty();
        error.Should().StartWith(message);
        error.Trim().Should().NotContain("\n");
    }

    [Fact]
    public async Task Commands_WithoutCredentials_Exit2()
    {
        var (exitCode, _, error) = await CoffeeWithoutKeyAsync("inventory", "list", "--bucket", Source);

        exitCode.Should().Be(2);
        error.Should().StartWith("coffer: no credentials: pass --secret-id and --secret-key, or set COFFER_SECRET_ID and COFFER_SECRET_KEY");
    }

    [Fact]
    public async Task ListGetPutDelete_ManageConfigurations_AsJsonOrTables()
    {
        var file = Path.Combine(Data.Path, "weekly.xml");
        await File.WriteAllTextAsync(file, Configuration("weekly", enabled: true, Destination).Replace("Daily", "Weekly", StringComparison.Ordinal));
        (await CofferAsync("inventory", "put", "--bucket", Source, "--id", "weekly", "--config", file)).ExitCode.Should().Be(0);

        var (_, listed, _) = await CofferAsync("inventory", "list", "--bucket", Source, "--output", "json");
        JsonDocument.Parse(listed).RootElement.EnumerateArray().Select(c => c.GetProperty("Id").GetString()).Should().Equal("nightly", "weekly");
        var (_, table, _) = await CofferAsync("inventory", "list", "--bucket", Source);
        table.Split('\n')[0].Should().MatchRegex("^ID +ENABLED +FREQUENCY +FORMAT +DESTINATION +PREFIX +VERSIONS$");
        table.Should().MatchRegex(@"weekly +true +Weekly +CSV +qcs::cos:ap-guangzhou::cmddst-1250000000");

        var (_, got, _) = await CofferAsync("inventory", "get", "--bucket", Source, "--id", "weekly", "--output", "json");
        JsonDocument.Parse(got).RootElement.GetProperty("Schedule").GetProperty("Frequency").GetString().Should().Be("Weekly");

        (await CofferAsync("inventory", "delete", "--bucket", Source, "--id", "weekly")).ExitCode.Should().Be(0);
        var (gone, _, error) = await CofferAsync("inventory", "get", "--bucket", Source, "--id", "weekly");
        gone.Should().Be(3);
        error.Should().StartWith("coffer: InventoryConfigurationNotFoundError: ");

        var (bad, _, badError) = await CofferAsync("inventory", "put", "--bucket", Source, "--id", "x", "--config", "/no/such/file.xml");
        bad.Should().Be(2);
        badError.Should().Be("coffer: --config expects COS inventory XML or a file of it; '/no/such/file.xml' is neither (no such file)\n");
    }

    [Fact]
    public async Task RunsStatusAndReports_DescribeTheRun_AndQueryItsRowsWithDuckDb()
    {
        var (_, ran, _) = await CofferAsync("inventory", "run", "--bucket", Source, "--id", "nightly", "--wait", "--output", "json");
        var run = JsonDocument.Parse(ran).RootElement;
        var jobId = run.GetProperty("JobId").GetString()!;
        var manifest = run.GetProperty("ManifestKey").GetString()!;

        var (_, runs, _) = await CofferAsync("inventory", "runs", "--bucket", Source, "--output", "json");
        JsonDocument.Parse(runs).RootElement.EnumerateArray().Select(r => r.GetProperty("JobId").GetString()).Should().Equal(jobId);
        var (_, status, _) = await CofferAsync("inventory", "status", "--bucket", Source, "--job", jobId);
        status.Should().MatchRegex(@"State +Succeeded");

        var (showCode, shown, showError) = await CofferAsync("report", "show", "--bucket", Destination, "--manifest", manifest, "--output", "json");
        showCode.Should().Be(0, showError);
        var summary = JsonDocument.Parse(shown).RootElement.GetProperty("summary");
        summary.GetProperty("objects").GetInt64().Should().Be(3);
        summary.GetProperty("bytes").GetInt64().Should().Be(6);
        summary.GetProperty("prefixes").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Should().Equal("", "logs/");
        var (_, text, _) = await CofferAsync("report", "show", "--bucket", Destination, "--manifest", manifest);
        text.Should().MatchRegex(@"objects +3  \(6 B\)").And.MatchRegex(@"STANDARD +3 objects +100\.0%");

        var (queryCode, queried, queryError) = await CofferAsync("report", "query", "--bucket", Destination, "--manifest", manifest,
            "SELECT count(*) AS n, sum(Size) AS bytes FROM report", "--output", "json");
        queryCode.Should().Be(0, queryError);
        var row = JsonDocument.Parse(queried).RootElement.EnumerateArray().Single();
        (row.GetProperty("n").GetInt64(), row.GetProperty("bytes").ToString()).Should().Be((3L, "6"));

        var (badSql, _, sqlError) = await CofferAsync("report", "query", "--bucket", Destination, "--manifest", manifest, "SELECT nope FROM report");
        badSql.Should().Be(2);
        sqlError.Should().StartWith("coffer: DuckDB: ");
    }

    [Fact]
    public async Task Report_OfAnObjectThatIsNoManifest_OrWithAnEmptyQuery_SaysSoInOneLine_AndExits2()
    {
        var (_, ran, _) = await CofferAsync("inventory", "run", "--bucket", Source, "--id", "nightly", "--wait", "--output", "json");
        var manifest = JsonDocument.Parse(ran).RootElement.GetProperty("ManifestKey").GetString()!;

        var (shown, _, showError) = await CofferAsync("report", "show", "--bucket", Source, "--manifest", "a");
        var (queried, _, queryError) = await CofferAsync("report", "query", "--bucket", Destination, "--manifest", manifest, " ");

        (shown, showError).Should().Be((2, $"coffer: {Source}/a is not an inventory manifest (not JSON)\n"));
        (queried, queryError).Should().Be((2, "coffer: the query is empty; give a statement such as SELECT count(*) FROM report\n"));
    }

    [Theory]
    [InlineData("CSV")]
    [InlineData("Parquet")]
    public async Task ReportQuery_OfAReportWithNoFiles_AnswersNoRows(string format)
    {
        // A prefix nothing matches: the report is delivered with no data files, and is still a table to query.
        var id = "empty" + format.ToLowerInvariant();
        var response = await Client.SendAsync(Client.Request(HttpMethod.Put, Source, query: $"inventory&id={id}", content: new StringContent(
            Configuration(id, enabled: true, Destination, format).Replace("<IncludedObjectVersions>", "<Filter><Prefix>nothing/</Prefix></Filter><IncludedObjectVersions>"),
            Encoding.UTF8, "application/xml")));
        response.EnsureSuccessStatusCode();
        var (_, ran, _) = await CofferAsync("inventory", "run", "--bucket", Source, "--id", id, "--wait", "--output", "json");
        var manifest = JsonDocument.Parse(ran).RootElement.GetProperty("ManifestKey").GetString()!;

        var (code, queried, error) = await CofferAsync("report", "query", "--bucket", Destination, "--manifest", manifest,
            "SELECT count(*) AS n, count(" + (format == "CSV" ? "Size" : "size") + ") AS sized FROM report", "--output", "json");

        code.Should().Be(0, error);
        var row = JsonDocument.Parse(queried).RootElement.EnumerateArray().Single();
        (row.GetProperty("n").GetInt64(), row.GetProperty("sized").GetInt64()).Should().Be((0L, 0L));
    }

    private async Task WaitForServerLineAsync(string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Server.Output.Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Server.Output.Should().Contain(text);
    }

    private Task<(int ExitCode, string Output, string Error)> CoffeeWithoutKeyAsync(params string[] arguments) =>
        CofferProcess.RunAsync(arguments, new Dictionary<string, string> { ["COFFER_ENDPOINT"] = Server.BaseAddress.ToString() });

    private async Task PutConfigurationAsync(string id, bool enabled, string destination)
    {
        var response = await Client.SendAsync(Client.Request(HttpMethod.Put, Source, query: $"inventory&id={id}",
            content: new StringContent(Configuration(id, enabled, destination), Encoding.UTF8, "application/xml")));
        response.EnsureSuccessStatusCode();
    }

    private static string Configuration(string id, bool enabled, string destination, string format = "CSV") =>
        $"<InventoryConfiguration><Id>{id}</Id><IsEnabled>{(enabled ? "true" : "false")}</IsEnabled><Destination><COSBucketDestination><Format>{format}</Format>" +
        $"<AccountId>{TestAccounts.Owner.Uin}</AccountId><Bucket>qcs::cos:ap-guangzhou::{destination}</Bucket></COSBucketDestination></Destination>" +
        "<Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>Current</IncludedObjectVersions>" +
        "<OptionalFields><Field>Size</Field><Field>StorageClass</Field></OptionalFields></InventoryConfiguration>";
}
