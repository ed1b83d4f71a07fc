using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Coffer.WebConsole.Tests;

/// <summary>
/// What web applications do with a bucket, from a page in a real browser (Debian's chromium, driven by Playwright): a
/// form upload (POST Object, in both dialects) submitted by the browser itself, and fetch() across origins, which the
/// browser allows only after a CORS preflight the bucket's rules answer. The page comes from its own small web server,
/// on another port and so another origin than the API.
/// </summary>
public sealed class BrowserUploadTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly string _bucket = TestServer.BucketName("webapp");
    private TestServer _api = null!;
    private WebApplication _site = null!;
    private string _siteOrigin = null!;
    private string _page = "";
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private string ApiOrigin => _api.BaseAddress.GetLeftPart(UriPartial.Authority);

    public async Task InitializeAsync()
    {
        File.Exists(Chromium).Should().BeTrue("the test command installs Debian's chromium (scripts/test.sh)");
        _api = await TestServer.StartAsync();
        (await _api.CreateBucketAsync(_bucket)).EnsureSuccessStatusCode();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _site = builder.Build();
        _site.MapGet("/", () => Results.Content(_page, "text/html"));
        _site.MapGet("/done", () => Results.Content("<p id=done>uploaded</p>", "text/html"));
        await _site.StartAsync();
        _siteOrigin = _site.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

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
        await _site.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Theory]
    [InlineData("s3")]
    [InlineData("cos")]
    public async Task FormUpload_FromTheBrowser_StoresTheChosenFile_AndRedirectsBackToThePage(string dialect)
    {
        var file = RandomNumberGenerator.GetBytes(200_000);
        var conditions = new object[]
        {
            new[] { "starts-with", "$key", "uploads/" },
            new[] { "starts-with", "$success_action_redirect", _siteOrigin },
            new[] { "eq", "$Content-Type", "image/png" },
            new object[] { "content-length-range", 1, 1_000_000 },
        };
        var fields = dialect == "s3"
            ? PostForms.S3(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow, TimeSpan.FromHours(1), conditions)
            : PostForms.Cos(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow, TimeSpan.FromHours(1), conditions);
        fields.AddRange([new("key", "uploads/${filename}"), new("success_action_redirect", _siteOrigin + "/done"), new("Content-Type", "image/png")]);
        var inputs = string.Concat(fields.Select(f => $"<input type=hidden name=\"{WebUtility.HtmlEncode(f.Key)}\" value=\"{WebUtility.HtmlEncode(f.Value)}\">"));
        _page = $"<!doctype html><form method=post enctype=multipart/form-data action=\"{ApiOrigin}/{_bucket}\">{inputs}" +
            "<input type=file name=file><button type=submit>Upload</button></form>";

        var page = await NewPageAsync();
        await page.GotoAsync(_siteOrigin);
        await page.SetInputFilesAsync("input[type=file]", new FilePayload { Name = $"photo-{dialect}.png", MimeType = "image/png", Buffer = file });
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#done");

        var landed = new Uri(page.Url);
        var query = System.Web.HttpUtility.ParseQueryString(landed.Query);
        landed.GetLeftPart(UriPartial.Path).Should().Be(_siteOrigin + "/done");
        query["bucket"].Should().Be(_bucket);
        query["key"].Should().Be($"uploads/photo-{dialect}.png");
        query["etag"].Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(file))}\"");
        var get = await _api.SendAsync(_api.Request(HttpMethod.Get, _bucket, $"uploads/photo-{dialect}.png"));
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(file);
        get.Content.Headers.ContentType!.ToString().Should().Be("image/png");
    }

    [Fact]
    public async Task Fetch_WithCustomHeaders_WorksAfterThePreflight_OnlyOnABucketWhoseCorsRulesAllowThePage()
    {
        var open = TestServer.BucketName("shut");
        (await _api.CreateBucketAsync(open)).EnsureSuccessStatusCode();
        foreach (var bucket in new[] { _bucket, open })
        {
            // Anyone may write: only CORS stands between the page and the bucket.
            (await _api.SendAsync(_api.Request(HttpMethod.Put, bucket, query: "acl", headers: [new("x-cos-acl", "public-read-write")]))).EnsureSuccessStatusCode();
        }

        var cors = $"<CORSConfiguration><CORSRule><AllowedOrigin>{_siteOrigin}</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod>" +
            "<AllowedHeader>x-cos-meta-*</AllowedHeader><AllowedHeader>Content-Type</AllowedHeader><ExposeHeader>ETag</ExposeHeader></CORSRule></CORSConfiguration>";
        (await _api.SendAsync(_api.Request(HttpMethod.Put, _bucket, query: "cors", content: new StringContent(cors)))).EnsureSuccessStatusCode();
        _page = "<!doctype html><script>" +
            "async function roundTrip(url) {" +
            "  try {" +
            "    const put = await fetch(url, { method: 'PUT', headers: { 'x-cos-meta-color': 'blue', 'Content-Type': 'text/plain' }, body: 'from the page' });" +
            "    const get = await fetch(url, { headers: { 'x-cos-meta-probe': '1' } });" +
            "    const missing = await fetch(url + '-missing', { headers: { 'x-cos-meta-probe': '1' } });" +
            "    return { put: put.status, etag: put.headers.get('ETag'), get: get.status, body: await get.text(), color: get.headers.get('x-cos-meta-color')," +
            "             missing: missing.status, missingBody: await missing.text() };" +
            "  } catch (e) { return { error: String(e) }; }" +
            "}</script>";
        var page = await NewPageAsync();
        await page.GotoAsync(_siteOrigin);

        var allowed = await page.EvaluateAsync<JsonElement>("url => roundTrip(url)", $"{ApiOrigin}/{_bucket}/note.txt");
        allowed.TryGetProperty("error", out var error).Should().BeFalse(error.ToString());
        allowed.GetProperty("put").GetInt32().Should().Be(200);
        allowed.GetProperty("etag").GetString().Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData("from the page"u8))}\"", "ETag is exposed");
        allowed.GetProperty("get").GetInt32().Should().Be(200);
        allowed.GetProperty("body").GetString().Should().Be("from the page");
        allowed.GetProperty("color").ValueKind.Should().Be(JsonValueKind.Null, "the rule does not expose x-cos-meta-color");
        allowed.GetProperty("missing").GetInt32().Should().Be(404, "an error answer carries the CORS headers too, so the page can read it");
        allowed.GetProperty("missingBody").GetString().Should().Contain("<Code>NoSuchKey</Code>");

        var blocked = await page.EvaluateAsync<JsonElement>("url => roundTrip(url)", $"{ApiOrigin}/{open}/note.txt");
        blocked.GetProperty("error").GetString().Should().Be("TypeError: Failed to fetch");
        (await _api.SendAsync(_api.Request(HttpMethod.Head, open, "note.txt"))).StatusCode.Should().Be(HttpStatusCode.NotFound,
            "the refused preflight kept the PUT from being sent");
        var stored = await _api.SendAsync(_api.Request(HttpMethod.Get, _bucket, "note.txt"));
        stored.Headers.GetValues("x-cos-meta-color").Should().Equal("blue");
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync();
        return await context.NewPageAsync();
    }
}
