using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Coffer.Testing;
using DuckDB.NET.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Coffer.WebConsole.Tests;

/// <summary>
/// The console in a real browser (Debian's chromium, driven by Playwright): sign in, fill the configuration form, run it
/// and watch the run go live, then the dashboard's numbers against DuckDB's over the same delivered report; and a
/// sub-account the API denies. Screenshots go to artifacts/console/ at the repository root.
/// </summary>
public sealed class BrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly string _source = TestServer.BucketName("shop");
    private readonly string _reports = TestServer.BucketName("reports");
    private ConsoleFixture _fixture = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        File.Exists(Chromium).Should().BeTrue("the test command installs Debian's chromium (scripts/test.sh)");
        _fixture = await ConsoleFixture.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _fixture.DisposeAsync();
    }

    [Fact]
    public async Task SignIn_ConfigureInTheForm_RunLive_AndTheDashboardEqualsDuckDbOverTheReport()
    {
        await SeedAsync();
        var page = await NewPageAsync();
        await SignInAsync(page, TestAccounts.Owner.SecretId, TestAccounts.Owner.SecretKey);
        (await page.TextContentAsync("[data-testid=who]")).Should().Contain("APPID 1250000000");
        await ShotAsync(page, "1-signed-in");

        // The form, in the S3 dialect: destination, format, optional fields.
        await page.GotoAsync($"{_fixture.ConsoleAddress}#/b/{_source}/inventory");
        await page.ClickAsync("text=New configuration");
        await page.SelectOptionAsync("select[name=dialect]", "s3");
        await page.FillAsync("input[name=id]", "daily");
        await page.FillAsync("input[name=destination]", $"arn:aws:s3:::{_reports}");
        await page.FillAsync("input[name=prefix]", "inv");
        await page.CheckAsync("input[name=field-IsMultipartUploaded]");
        await page.CheckAsync("input[name=field-EncryptionStatus]");
        await ShotAsync(page, "2-configuration-form");
        await page.ClickAsync("text=Save configuration");
        await page.WaitForSelectorAsync("[data-testid=configurations] tr[data-id=daily]");

        // Run now: the row appears queued or running, and turns Succeeded without a reload.
        await page.ClickAsync("[data-testid=configurations] tr[data-id=daily] >> text=Run now");
        var first = await page.WaitForSelectorAsync("[data-testid=runs] tbody tr");
        (await first!.GetAttributeAsync("data-state")).Should().BeOneOf("Queued", "Running", "Succeeded");
        await page.WaitForSelectorAsync("[data-testid=runs] tr[data-state=Succeeded]", new() { Timeout = 30_000 });
        (await page.TextContentAsync("[data-testid=runs] tr[data-state=Succeeded] td.rows")).Should().Be("6");
        await ShotAsync(page, "3-run-succeeded");

        await page.ClickAsync("[data-testid=dashboard-link]");
        await page.WaitForSelectorAsync("[data-testid=dashboard]");
        await page.WaitForSelectorAsync("[data-testid=growth] tr");
        await ShotAsync(page, "4-dashboard");

        using var duck = await ReportInDuckDbAsync();
        (await Attribute(page, "[data-testid=total-objects]", "data-value")).Should().Be(Scalar(duck, "SELECT count(*) FROM r"));
        (await Attribute(page, "[data-testid=total-bytes]", "data-value")).Should().Be(Scalar(duck, "SELECT sum(Size) FROM r"));
        (await Slices(page, "storage-classes")).Should().BeEquivalentTo(Rows(duck, "SELECT StorageClass, count(*), sum(Size) FROM r GROUP BY 1"));
        (await Slices(page, "prefixes")).Should().BeEquivalentTo(Rows(duck,
            "SELECT CASE WHEN strpos(k, '/') > 0 THEN substr(k, 1, strpos(k, '/')) ELSE '' END AS p, count(*), sum(Size) FROM r GROUP BY 1"));
        (await Slices(page, "sizes")).Where(s => s[1] != "0").Should().BeEquivalentTo(Rows(duck, $"SELECT {SizeBucket}, count(*), sum(Size) FROM r GROUP BY 1"));
        (await Slices(page, "ages")).Where(s => s[1] != "0").Should().BeEquivalentTo(Rows(duck,
            $"SELECT {AgeBucket}, count(*), sum(Size) FROM r GROUP BY 1"));
        (await Slices(page, "encryption")).Should().BeEquivalentTo(Rows(duck, "SELECT EncryptionStatus, count(*), sum(Size) FROM r GROUP BY 1"));
        (await Slices(page, "multipart")).Where(s => s[0] == "multipart").Should().BeEquivalentTo(Rows(duck,
            "SELECT 'multipart', count(*), coalesce(sum(Size), 0) FROM r WHERE IsMultipartUploaded"));
        (await page.EvalOnSelectorAllAsync<string[][]>("[data-testid=largest] tr", "rows => rows.map(r => [r.dataset.key, r.dataset.size])"))
            .Should().Equal(Rows(duck, "SELECT k, Size FROM r ORDER BY Size DESC, k LIMIT 20"), (a, b) => a.SequenceEqual(b));
        (await page.EvalOnSelectorAllAsync<int>("canvas", "cs => cs.filter(c => c.width > 0).length")).Should().Be(7, "a chart per panel but the largest objects");

        // Drill down into img/.
        await page.ClickAsync("[data-testid=prefixes] tr[data-name='img/'] a");
        await page.WaitForSelectorAsync("[data-testid=prefix-children]");
        (await Slices(page, "prefix-children")).Should().BeEquivalentTo(Rows(duck,
            "SELECT 'img/' || substr(k, 5, strpos(substr(k, 5), '/')), count(*), sum(Size) FROM r WHERE k LIKE 'img/%' GROUP BY 1"));
        await ShotAsync(page, "5-drill-down");
    }

    [Fact]
    public async Task TheForm_WritesEveryCosField_ShowsTheApisErrors_AndEditsInPlace()
    {
        await SeedAsync();
        var page = await NewPageAsync();
        await SignInAsync(page, TestAccounts.Owner.SecretId, TestAccounts.Owner.SecretKey);
        await page.GotoAsync($"{_fixture.ConsoleAddress}#/b/{_source}/inventory");

        await page.ClickAsync("text=New configuration");
        await page.FillAsync("input[name=id]", "monthly");
        await page.FillAsync("input[name=destination]", $"qcs::cos:ap-guangzhou::{_reports}");
        await page.FillAsync("input[name=accountId]", TestAccounts.Owner.Uin);
        await page.FillAsync("input[name=prefix]", "cos");
        await page.SelectOptionAsync("select[name=format]", "Parquet");
        await page.SelectOptionAsync("select[name=encryption]", "SSE-COS");
        await page.SelectOptionAsync("select[name=frequency]", "Monthly");
        await page.FillAsync("input[name=monthlyDate]", "15");
        await page.SelectOptionAsync("select[name=versions]", "All");
        await page.FillAsync("input[name=filterPrefix]", "img/");
        await page.FillAsync("textarea[name=filterTags]", "team=data\nstage=raw");
        await page.FillAsync("input[name=filterStorageClass]", "STANDARD");
        await page.FillAsync("input[name=periodStart]", "1700000000");
        await page.FillAsync("input[name=periodEnd]", "1900000000");
        await page.CheckAsync("input[name=field-Crc64]");
        await page.FillAsync("input[name=metadata]", "color");

        // The API's own rules answer through the form.
        await page.ClickAsync("text=Save configuration");
        (await (await page.WaitForSelectorAsync("[data-testid=error]"))!.TextContentAsync())
            .Should().Be("InvalidArgument: A configuration that filters on tags must list Tag among its optional fields.");
        await page.CheckAsync("input[name=field-Tag]");
        await page.ClickAsync("text=Save configuration");
        await page.WaitForSelectorAsync("[data-testid=configurations] tr[data-id=monthly]");

        var stored = await _fixture.Api.SendAsync(_fixture.Api.Request(HttpMethod.Get, _source, query: "inventory&id=monthly"));
        var xml = System.Xml.Linq.XDocument.Parse(await stored.Content.ReadAsStringAsync()).Root!;
        var destination = xml.Element("Destination")!.Element("COSBucketDestination")!;
        (destination.Element("Format")!.Value, destination.Element("AccountId")!.Value, destination.Element("Prefix")!.Value)
            .Should().Be(("Parquet", TestAccounts.Owner.Uin, "cos"));
        destination.Element("Encryption")!.Element("SSE-COS").Should().NotBeNull();
        (xml.Element("Schedule")!.Element("Frequency")!.Value, xml.Element("Schedule")!.Element("MonthlyDate")!.Value).Should().Be(("Monthly", "15"));
        xml.Element("IncludedObjectVersions")!.Value.Should().Be("All");
        var and = xml.Element("Filter")!.Element("And")!;
        and.Element("Prefix")!.Value.Should().Be("img/");
        and.Elements("Tag").Select(t => $"{t.Element("Key")!.Value}={t.Element("Value")!.Value}").Should().Equal("team=data", "stage=raw");
        and.Element("StorageClass")!.Value.Should().Be("STANDARD");
        xml.Element("Filter")!.Element("Period")!.Element("StartTime")!.Value.Should().Be("1700000000");
        xml.Element("OptionalFields")!.Elements("Field").Select(f => f.Value).Should().Contain(["Tag", "Crc64", "x-cos-meta-color"]);

        // Edit: the form comes back filled in from the stored configuration.
        await page.ClickAsync("[data-testid=configurations] tr[data-id=monthly] >> text=Edit");
        (await page.InputValueAsync("input[name=filterStorageClass]")).Should().Be("STANDARD");
        (await page.InputValueAsync("textarea[name=filterTags]")).Should().Be("team=data\nstage=raw");
        (await page.IsCheckedAsync("input[name=field-Crc64]")).Should().BeTrue();
        await page.SelectOptionAsync("select[name=frequency]", "Weekly");
        await page.ClickAsync("text=Save configuration");
        await page.WaitForSelectorAsync("[data-testid=configurations] tr[data-id=monthly] >> text=Weekly");
        await ShotAsync(page, "7-cos-configuration-edited");
    }

    [Fact]
    public async Task TheTagEditor_SavesEachTagAsItWas_AnEqualsSignInAKeyAndSpacesAroundAValue_AndAddsOne()
    {
        await SeedAsync();
        var api = _fixture.Api;
        (await api.SendAsync(api.Request(HttpMethod.Put, _source, "top.txt", "tagging", new StringContent(
            "<Tagging><TagSet><Tag><Key>a=b</Key><Value>c</Value></Tag><Tag><Key>k</Key><Value> padded </Value></Tag></TagSet></Tagging>"))))
            .EnsureSuccessStatusCode();
        var page = await NewPageAsync();
        await SignInAsync(page, TestAccounts.Owner.SecretId, TestAccounts.Owner.SecretKey);
        await page.GotoAsync($"{_fixture.ConsoleAddress}#/b/{_source}");
        await page.ClickAsync("[data-testid=objects] tr[data-key='top.txt'] >> text=tags");
        await page.WaitForSelectorAsync("[data-testid=tags] input[name=tag-key]");

        await page.ClickAsync("[data-testid=tags] >> text=Save tags");
        await page.WaitForSelectorAsync("[data-testid=tags-saved]");
        (await TagsOfAsync("top.txt")).Should().Equal(("a=b", "c"), ("k", " padded "));

        await page.ClickAsync("[data-testid=tags] >> text=Add tag");
        await page.FillAsync("[data-testid=tags] tr:nth-child(3) input[name=tag-key]", "team");
        await page.FillAsync("[data-testid=tags] tr:nth-child(3) input[name=tag-value]", "x=y");
        await page.ClickAsync("[data-testid=tags] >> text=Save tags");
        await page.WaitForSelectorAsync("[data-testid=tags-saved]");
        (await TagsOfAsync("top.txt")).Should().Equal(("a=b", "c"), ("k", " padded "), ("team", "x=y"));
    }

    [Fact]
    public async Task ASubAccount_IsDeniedWhatItsPolicyDoesNotAllow()
    {
        await SeedAsync();
        var identities = _fixture.Api.Server.Services.GetRequiredService<Model.Accounts.IdentityDirectory>();
        var sub = await identities.CreateSubAccountAsync(TestAccounts.Owner.AppId, "lister", null,
            Encoding.UTF8.GetBytes("""{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetService"],"resource":["*"]}]}"""));
        var page = await NewPageAsync();
        await SignInAsync(page, sub.SecretId, sub.SecretKey);
        await page.WaitForSelectorAsync($"[data-testid=buckets] >> text={_source}");

        await page.GotoAsync($"{_fixture.ConsoleAddress}#/b/{_source}");
        (await (await page.WaitForSelectorAsync("[data-testid=error]"))!.TextContentAsync()).Should().StartWith("AccessDenied:");
        await ShotAsync(page, "6-sub-account-denied");
        await page.GotoAsync($"{_fixture.ConsoleAddress}#/b/{_source}/inventory");
        (await (await page.WaitForSelectorAsync("[data-testid=error]"))!.TextContentAsync()).Should().StartWith("AccessDenied:");
    }

    [Fact]
    public async Task TheJobsPage_ShowsEachJobsProgress_FollowsItLiveToTheEnd_AndCancels()
    {
        await SeedAsync();
        var jobs = _fixture.Api.Server.Services.GetRequiredService<Model.Batch.BatchJobs>();
        var tasks = await PutJobObjectsAsync(5);
        var running = await CreateSuspendedJobAsync(jobs, tasks, "console-run");
        var cancelled = await CreateSuspendedJobAsync(jobs, tasks, "console-cancel");
        var page = await NewPageAsync();
        await SignInAsync(page, TestAccounts.Owner.SecretId, TestAccounts.Owner.SecretKey);

        await page.ClickAsync("[data-testid=jobs-link]");
        var row = $"[data-testid=jobs] tr[data-job='{running}']";
        await page.WaitForSelectorAsync($"{row}[data-status=Suspended]", new() { Timeout = 30_000 });
        (await page.TextContentAsync($"{row} .tasks")).Should().Be("0/5");
        (await page.TextContentAsync($"{row} td:nth-child(2)")).Should().Be("PutObjectTagging");
        await ShotAsync(page, "8-batch-jobs-suspended");

        // Confirmed through the job API: the page follows the job to its end without a reload.
        await jobs.UpdateStatusAsync(TestAccounts.Owner.AppId, running, "Ready", null);
        await page.WaitForSelectorAsync($"{row}[data-status=Complete]", new() { Timeout = 30_000 });
        (await page.TextContentAsync($"{row} .tasks")).Should().Be("5/5");
        (await page.GetAttributeAsync($"{row} progress", "value")).Should().Be("5");
        (await page.TextContentAsync($"{row} >> a")).Should().Be("completion report");

        var other = $"[data-testid=jobs] tr[data-job='{cancelled}']";
        await page.ClickAsync($"{other} >> text=Cancel");
        await page.WaitForSelectorAsync($"{other}[data-status=Cancelled]");
        await ShotAsync(page, "9-batch-jobs-ended");
        jobs.Get(TestAccounts.Owner.AppId, cancelled).Status.Should().Be("Cancelled");
        jobs.Get(TestAccounts.Owner.AppId, cancelled).TasksSucceeded.Should().Be(0);
    }

    private async Task<Model.Batch.BatchManifest> PutJobObjectsAsync(int count)
    {
        var csv = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            (await _fixture.Api.PutObjectAsync(_source, $"jobs/{i}.txt", Encoding.UTF8.GetBytes($"object {i}"))).EnsureSuccessStatusCode();
            csv.Append(CultureInfo.InvariantCulture, $"{_source},jobs/{i}.txt\n");
        }

        var put = await _fixture.Api.PutObjectAsync(_source, "jobs/manifest.csv", Encoding.UTF8.GetBytes(csv.ToString()));
        put.EnsureSuccessStatusCode();
        return new Model.Batch.BatchManifest
        {
            Format = Model.Batch.ManifestFormats.S3Csv,
            Fields = ["Bucket", "Key"],
            Bucket = _source,
            Key = "jobs/manifest.csv",
            ETag = put.Headers.ETag!.Tag,
        };
    }

    private async Task<string> CreateSuspendedJobAsync(Model.Batch.BatchJobs jobs, Model.Batch.BatchManifest manifest, string token)
    {
        var owner = TestAccounts.Owner;
        var jobId = await jobs.CreateAsync(new Model.Batch.CreateBatchJobRequest
        {
            Account = owner.AppId,
            ClientToken = token,
            Priority = 10,
            Spec = new Model.Batch.BatchJobSpec
            {
                Dialect = Model.Batch.BatchDialect.S3,
                ConfirmationRequired = true,
                Operation = new Model.Batch.BatchOperation { Kind = Model.Batch.BatchOperationKind.PutObjectTagging, Tags = [new("console", "yes")] },
                Manifest = manifest,
                Report = new Model.Batch.BatchReport { Enabled = true, Bucket = _reports, Prefix = "jobs" },
                Creator = new Model.Batch.BatchCreator(owner.AppId, owner.Uin, owner.SecretId),
            },
        });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (jobs.Get(owner.AppId, jobId).Status != "Suspended")
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the worker prepares the job and suspends it until it is confirmed");
            await Task.Delay(50);
        }

        return jobId;
    }

    private const string SizeBucket =
        "CASE WHEN Size = 0 THEN '0 B' WHEN Size < 1024 THEN '1 B-1 KiB' WHEN Size < 65536 THEN '1-64 KiB' WHEN Size < 1048576 THEN '64 KiB-1 MiB' " +
        "WHEN Size < 16777216 THEN '1-16 MiB' WHEN Size < 134217728 THEN '16-128 MiB' WHEN Size < 1073741824 THEN '128 MiB-1 GiB' ELSE '>= 1 GiB' END";

    private const string AgeBucket =
        "CASE WHEN d < 1 THEN '< 1 day' WHEN d < 7 THEN '1-7 days' WHEN d < 30 THEN '7-30 days' WHEN d < 90 THEN '30-90 days' " +
        "WHEN d < 365 THEN '90-365 days' ELSE '>= 1 year' END";

    private async Task SeedAsync()
    {
        var api = _fixture.Api;
        await api.CreateBucketAsync(_source);
        await api.CreateBucketAsync(_reports);
        await api.PutObjectAsync(_source, "img/a/1.jpg", new byte[1500]);
        await api.PutObjectAsync(_source, "img/a/2.jpg", new byte[70_000], [new("x-cos-storage-class", "STANDARD_IA")]);
        await api.PutObjectAsync(_source, "img/b/3.png", new byte[100]);
        await api.PutObjectAsync(_source, "docs/readme.txt", []);
        await api.PutObjectAsync(_source, "top.txt", "hello"u8.ToArray(), [new("x-cos-server-side-encryption", "AES256")]);
        await api.PutMultipartObjectAsync(_source, "big/part.bin", new byte[5 << 20], new byte[1024]);
    }

    private async Task<(string Key, string Value)[]> TagsOfAsync(string key)
    {
        var tagging = XDocument.Parse(await (await _fixture.Api.SendAsync(_fixture.Api.Request(HttpMethod.Get, _source, key, "tagging"))).Content.ReadAsStringAsync());
        return [.. tagging.Descendants("Tag").Select(t => (t.Element("Key")!.Value, t.Element("Value")!.Value))];
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1100 } });
        return await context.NewPageAsync();
    }

    private async Task SignInAsync(IPage page, string secretId, string secretKey)
    {
        await page.GotoAsync(_fixture.ConsoleAddress.ToString());
        await page.FillAsync("input[name=secretId]", secretId);
        await page.FillAsync("input[name=secretKey]", secretKey);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=who]");
    }

    /// <summary>The delivered report's rows in DuckDB as table <c>r</c>, with the decoded key as <c>k</c> and the age in days at the snapshot as <c>d</c>.</summary>
    private async Task<DuckDBConnection> ReportInDuckDbAsync()
    {
        var list = await _fixture.Api.Client.SendAsync(_fixture.Api.Request(HttpMethod.Get, _reports, query: "prefix=inv/"));
        var keys = System.Xml.Linq.XDocument.Parse(await list.Content.ReadAsStringAsync()).Root!.Elements("Contents").Select(c => c.Element("Key")!.Value).ToList();
        var manifestKey = keys.Single(k => k.EndsWith("/manifest.json", StringComparison.Ordinal));
        var manifest = JsonDocument.Parse(await Download(manifestKey)).RootElement;
        var folder = Directory.CreateTempSubdirectory("coffer-browser-report-");
        var paths = new List<string>();
        foreach (var file in manifest.GetProperty("files").EnumerateArray())
        {
            var path = Path.Combine(folder.FullName, $"{paths.Count}.csv.gz");
            await File.WriteAllBytesAsync(path, await Download(file.GetProperty("key").GetString()!));
            paths.Add(path);
        }

        var columns = manifest.GetProperty("fileSchema").GetString()!.Split(',', StringSplitOptions.TrimEntries)
            .Select(c => $"'{c}': '{(c == "Size" ? "BIGINT" : c == "IsMultipartUploaded" ? "BOOLEAN" : "VARCHAR")}'");
        var scan = long.Parse(manifest.GetProperty("creationTimestamp").GetString()!, CultureInfo.InvariantCulture);
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText =
            $"CREATE TABLE r AS SELECT *, url_decode(Key) AS k, floor(({scan} / 1000.0 - epoch(CAST(LastModifiedDate AS TIMESTAMPTZ))) / 86400) AS d " +
            $"FROM read_csv([{string.Join(", ", paths.Select(p => $"'{p}'"))}], header = false, compression = 'gzip', auto_detect = false, columns = {{{string.Join(", ", columns)}}})";
        create.ExecuteNonQuery();
        folder.Delete(recursive: true);
        return connection;
    }

    private async Task<byte[]> Download(string key)
    {
        var response = await _fixture.Api.SendAsync(_fixture.Api.Request(HttpMethod.Get, _reports, key));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static string Scalar(DuckDBConnection connection, string sql) => Rows(connection, sql).Single()[0];

    private static List<string[]> Rows(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "")]);
        }

        return rows;
    }

    private static Task<string?> Attribute(IPage page, string selector, string name) => page.GetAttributeAsync(selector, name);

    /// <summary>A dashboard table's rows as [name, objects, bytes], read from the attributes it renders.</summary>
    private static async Task<List<string[]>> Slices(IPage page, string testId) =>
        [.. await page.EvalOnSelectorAllAsync<string[][]>($"[data-testid={testId}] tbody tr", "rows => rows.map(r => [r.dataset.name, r.dataset.objects, r.dataset.bytes])")];

    private static async Task ShotAsync(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryRoot(), "artifacts", "console");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Coffer.slnx")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? AppContext.BaseDirectory;
    }
}
