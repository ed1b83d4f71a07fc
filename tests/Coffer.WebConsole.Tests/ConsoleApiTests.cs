using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Coffer.Model.Accounts;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.WebConsole.Tests;

/// <summary>The console's JSON API over HTTP: sessions, CSRF, the API's authorizer for sub-accounts, objects, inventory, /metrics.</summary>
public sealed partial class ConsoleApiTests : IAsyncLifetime
{
    private readonly string _bucket = TestServer.BucketName("console");
    private readonly string _other = TestServer.BucketName("private");
    private ConsoleFixture _fixture = null!;

    public async Task InitializeAsync()
    {
        _fixture = await ConsoleFixture.StartAsync();
        await _fixture.Api.CreateBucketAsync(_bucket);
        await _fixture.Api.CreateBucketAsync(_other);
    }

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task SignIn_SetsAnHttpOnlySameSiteStrictCookie_AndRefusesAWrongKey()
    {
        var (client, _) = await _fixture.SignInAsync();
        var wrong = await client.PostAsJsonAsync("/api/session", new { TestAccounts.Owner.SecretId, secretKey = "not-the-key" });
        wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        wrong.Headers.Contains("Set-Cookie").Should().BeFalse();
        (await client.GetAsync("/api/buckets")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        (await client.PostAsync("/api/session", new StringContent("secretId=x", Encoding.UTF8, "application/x-www-form-urlencoded")))
            .StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a form post from another site is not JSON");
        (await client.PostAsync("/api/session", new StringContent("{not json", Encoding.UTF8, "application/json"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var right = await client.PostAsJsonAsync("/api/session", new { TestAccounts.Owner.SecretId, TestAccounts.Owner.SecretKey });
        right.StatusCode.Should().Be(HttpStatusCode.OK);
        var cookie = right.Headers.GetValues("Set-Cookie").Single();
        cookie.Should().StartWith("coffer_console=").And.Contain("httponly").And.Contain("samesite=strict").And.Contain("path=/");
        (await client.GetAsync("/api/buckets")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ChangingRequests_WithoutTheSessionsCsrfToken_AreRefused()
    {
        var (client, csrf) = await _fixture.SignInAsync(TestAccounts.Owner);
        var upload = () => new HttpRequestMessage(HttpMethod.Put, $"/api/buckets/{_bucket}/upload?key=a.txt") { Content = new StringContent("hello") };

        var without = await client.SendAsync(upload());
        without.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await without.Content.ReadAsStringAsync()).Should().Contain("InvalidCsrfToken");
        var forged = upload();
        forged.Headers.Add("X-Coffer-Csrf", "forged");
        (await client.SendAsync(forged)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await _fixture.Api.SendAsync(_fixture.Api.Request(HttpMethod.Head, _bucket, "a.txt"))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var with = upload();
        with.Headers.Add("X-Coffer-Csrf", csrf);
        (await client.SendAsync(with)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _fixture.Api.SendAsync(_fixture.Api.Request(HttpMethod.Head, _bucket, "a.txt"))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ASubAccount_SeesAndDoesOnlyWhatItsPolicyAllows_AsTheApiDecides()
    {
        await _fixture.Api.PutObjectAsync(_bucket, "shared/x", "x"u8.ToArray());
        var identities = _fixture.Api.Server.Services.GetRequiredService<IdentityDirectory>();
        var policy = $$"""
            {"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetService","name/cos:GetBucket"],
              "resource":["qcs::cos:ap-guangzhou:uid/1250000000:{{_bucket}}/*"]}]}
            """;
        var sub = await identities.CreateSubAccountAsync(TestAccounts.Owner.AppId, "viewer", null, Encoding.UTF8.GetBytes(policy));
        var (client, csrf) = await _fixture.SignInAsync(sub.SecretId, sub.SecretKey);

        (await client.GetAsync($"/api/buckets/{_bucket}/objects?prefix=shared/")).StatusCode.Should().Be(HttpStatusCode.OK);
        var denied = await client.GetAsync($"/api/buckets/{_other}/objects");
        denied.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        JsonDocument.Parse(await denied.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString().Should().Be("AccessDenied");
        (await client.GetAsync($"/api/buckets/{_bucket}/download?key=shared/x")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await client.GetAsync($"/api/buckets/{_bucket}/inventory")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var upload = new HttpRequestMessage(HttpMethod.Put, $"/api/buckets/{_bucket}/upload?key=shared/y") { Content = new StringContent("y") };
        upload.Headers.Add("X-Coffer-Csrf", csrf);
        (await client.SendAsync(upload)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // Deleting the key ends its sessions at once.
        await identities.DeleteAsync(sub.SecretId);
        (await client.GetAsync($"/api/buckets/{_bucket}/objects")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Objects_UploadListDownloadTagVersionAndDelete()
    {
        var (client, csrf) = await _fixture.SignInAsync(TestAccounts.Owner);
        await SendAsync(client, csrf, HttpMethod.Put, $"/api/buckets/{_bucket}/upload?key=docs/a%20b.txt", new StringContent("hello world"));
        await _fixture.Api.PutObjectAsync(_bucket, "docs/deep/c.txt", "c"u8.ToArray());

        var listing = JsonDocument.Parse(await client.GetStringAsync($"/api/buckets/{_bucket}/objects?prefix=docs/")).RootElement;
        listing.GetProperty("prefixes").EnumerateArray().Select(p => p.GetString()).Should().Equal("docs/deep/");
        listing.GetProperty("objects").EnumerateArray().Select(o => (o.GetProperty("key").GetString(), o.GetProperty("size").GetInt64()))
            .Should().Equal(("docs/a b.txt", 11L));
        (await client.GetStringAsync($"/api/buckets/{_bucket}/download?key=docs/a%20b.txt")).Should().Be("hello world");

        await SendAsync(client, csrf, HttpMethod.Put, $"/api/buckets/{_bucket}/tags?key=docs/a%20b.txt",
            JsonContent.Create(new { tags = new[] { new { key = "team", value = "data" } } }));
        (await client.GetStringAsync($"/api/buckets/{_bucket}/tags?key=docs/a%20b.txt")).Should().Be("""[{"key":"team","value":"data"}]""");
        await SendAsync(client, csrf, HttpMethod.Put, $"/api/buckets/{_bucket}/tags?key=docs/a%20b.txt", new StringContent("{broken", Encoding.UTF8, "application/json"),
            HttpStatusCode.BadRequest);
        var versions = JsonDocument.Parse(await client.GetStringAsync($"/api/buckets/{_bucket}/versions?key=docs/a%20b.txt")).RootElement;
        versions.GetArrayLength().Should().Be(1);

        await SendAsync(client, csrf, HttpMethod.Delete, $"/api/buckets/{_bucket}/object?key=docs/a%20b.txt");
        (await _fixture.Api.SendAsync(_fixture.Api.Request(HttpMethod.Head, _bucket, "docs/a b.txt"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"tags":[{"key":null,"value":"v"}]}""")]
    [InlineData("""{"tags":[{"key":"a"}]}""")]
    [InlineData("""{"tags":[null]}""")]
    [InlineData("""{"tags":null}""")]
    [InlineData("""{}""")]
    public async Task Tags_WithATagMissingItsKeyOrValue_OrNoList_AreABadRequest_AndKeepTheTags(string body)
    {
        var (client, csrf) = await _fixture.SignInAsync(TestAccounts.Owner);
        await _fixture.Api.PutObjectAsync(_bucket, "tagged.txt", "t"u8.ToArray());
        await SendAsync(client, csrf, HttpMethod.Put, $"/api/buckets/{_bucket}/tags?key=tagged.txt",
            JsonContent.Create(new { tags = new[] { new { key = "team", value = "data" } } }));

        var refused = await SendAsync(client, csrf, HttpMethod.Put, $"/api/buckets/{_bucket}/tags?key=tagged.txt",
            new StringContent(body, Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest);

        JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString().Should().Be("InvalidRequest");
        (await client.GetStringAsync($"/api/buckets/{_bucket}/tags?key=tagged.txt")).Should().Be("""[{"key":"team","value":"data"}]""");
    }

    [Fact]
    public async Task Inventory_SavesRunsAndSummarizes_WithTheApisRules()
    {
        var (client, csrf) = await _fixture.SignInAsync(TestAccounts.Owner);
        await _fixture.Api.PutObjectAsync(_bucket, "logs/a", "12345"u8.ToArray());
        var xml = $"<InventoryConfiguration><Id>daily</Id><IsEnabled>true</IsEnabled><Destination><COSBucketDestination><Format>CSV</Format>" +
            $"<Bucket>qcs::cos:ap-guangzhou::{_other}</Bucket></COSBucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule>" +
            "<IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field></OptionalFields></InventoryConfiguration>";
        var bad = await SendAsync(client, csrf, HttpMethod.Put, $"/api/buckets/{_bucket}/inventory/other-id?dialect=cos",
            new StringContent(xml, Encoding.UTF8, "application/xml"), HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).Should().Contain("InvalidArgument");
        await SendAsync(client, csrf, HttpMethod.Put, $"/api/buckets/{_bucket}/inventory/daily?dialect=cos", new StringContent(xml, Encoding.UTF8, "application/xml"));

        var configurations = JsonDocument.Parse(await client.GetStringAsync($"/api/buckets/{_bucket}/inventory")).RootElement;
        configurations.EnumerateArray().Single().GetProperty("xml").GetString().Should().Contain("<Frequency>Daily</Frequency>");
        var run = JsonDocument.Parse(await (await SendAsync(client, csrf, HttpMethod.Post, $"/api/buckets/{_bucket}/inventory/daily/run"))
            .Content.ReadAsStringAsync()).RootElement;
        var job = run.GetProperty("jobId").GetString();

        JsonElement detail;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(100);
            detail = JsonDocument.Parse(await client.GetStringAsync($"/api/buckets/{_bucket}/runs/{job}")).RootElement;
        }
        while (detail.GetProperty("run").GetProperty("state").GetString() != "Succeeded" && DateTime.UtcNow < deadline);

        detail.GetProperty("summary").GetProperty("objects").GetInt64().Should().Be(1);
        detail.GetProperty("summary").GetProperty("bytes").GetInt64().Should().Be(5);
        detail.GetProperty("growth").EnumerateArray().Select(g => g.GetProperty("objects").GetInt64()).Should().Equal(1);
    }

    [Fact]
    public async Task Metrics_CountRequestsByOperationDialectAndStatus_AndInventoryRuns_ChangingWithTraffic()
    {
        using var scraper = new HttpClient { BaseAddress = _fixture.ConsoleAddress };
        var before = Value(await scraper.GetStringAsync("/metrics"), "coffer_requests_total", "GetObject", "404");
        for (var i = 0; i < 3; i++)
        {
            await _fixture.Api.SendAsync(_fixture.Api.Request(HttpMethod.Get, _bucket, "missing"));
        }

        var after = await scraper.GetStringAsync("/metrics");
        Value(after, "coffer_requests_total", "GetObject", "404").Should().Be(before + 3);
        after.Should().Contain("coffer_request_duration_seconds_bucket{").And.Contain("operation=\"GetObject\"");
        after.Should().MatchRegex("coffer_requests_total\\{[^}]*dialect=\"Cos\"");

        await _fixture.Api.PutObjectAsync(_bucket, "m", new byte[1000]);
        Regex.Match(await scraper.GetStringAsync("/metrics"), @"coffer_request_body_size_bytes_total\{[^}]*operation=""PutObject""[^}]*\} (\d+)")
            .Groups[1].Value.Should().NotBeEmpty();
    }

    /// <summary>The value of a counter's series with these operation and status labels (0 when absent).</summary>
    private static double Value(string metrics, string name, string operation, string status)
    {
        foreach (Match match in Series().Matches(metrics))
        {
            if (match.Groups["name"].Value == name && match.Groups["labels"].Value.Contains($"operation=\"{operation}\"", StringComparison.Ordinal)
                && match.Groups["labels"].Value.Contains($"status=\"{status}\"", StringComparison.Ordinal))
            {
                return double.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)\{(?<labels>[^}]*)\} (?<value>[0-9.e+]+)", RegexOptions.Multiline)]
    private static partial Regex Series();

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string? csrf, HttpMethod method, string path, HttpContent? content = null,
        HttpStatusCode expected = HttpStatusCode.OK)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Coffer-Csrf", csrf);
        var response = await client.SendAsync(request);
        response.StatusCode.Should().Be(expected, await response.Content.ReadAsStringAsync());
        return response;
    }
}
