using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Model.Accounts;
using Coffer.Server.Accounts;
using Coffer.Storage.Encryption;
using Coffer.Testing;

namespace Coffer.Host.Tests;

public sealed class ServeCommandTests : IDisposable
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private readonly TempDirectory _data = new("serve");

    [Fact]
    public async Task Serve_CreatesPrintsAndReusesADevAccount_WhenNoneIsConfigured()
    {
        Account created;
        await using (var first = await CofferProcess.StartAsync(_data.Path, withRootAccount: false))
        {
            var file = Path.Combine(_data.Path, AccountSources.DevAccountFile);
            File.Exists(file).Should().BeTrue();
            File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            created = JsonSerializer.Deserialize<Account>(File.ReadAllText(file), Web)!;
            first.Output.Should().Contain("a new dev account").And.Contain(created.SecretId).And.Contain(created.SecretKey)
                .And.Contain($"APPID {created.AppId}").And.Contain(_data.Path);
        }

        await using var second = await CofferProcess.StartAsync(_data.Path, withRootAccount: false);
        second.Output.Should().Contain("the dev account saved").And.Contain(created.SecretId);

        using var client = new CosTestClient(second.BaseAddress, TimeProvider.System);
        var response = await client.SendAsync(client.Request(HttpMethod.Put, $"dev-{created.AppId}", account: created));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Serve_ListensOn127001Port9000_AndKeepsItsDataInCofferData_ByDefault()
    {
        await using var coffer = await CofferProcess.StartAsync([], _data.Path);
        coffer.BaseAddress.Should().Be(new Uri("http://127.0.0.1:9000"));
        var data = Path.Combine(_data.Path, "coffer-data");
        coffer.Output.Should().Contain(data);
        File.Exists(Path.Combine(data, "metadata.db")).Should().BeTrue();

        using var client = new CosTestClient(coffer.BaseAddress, TimeProvider.System);
        (await client.SendAsync(client.Request(HttpMethod.Get, null))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Serve_UsesTheRootAccountFromTheEnvironment()
    {
        await using var coffer = await CofferProcess.StartAsync(_data.Path);
        coffer.Output.Should().Contain($"APPID {TestAccounts.Owner.AppId}").And.NotContain(TestAccounts.Owner.SecretKey);
        File.Exists(Path.Combine(_data.Path, AccountSources.DevAccountFile)).Should().BeFalse();

        using var client = new CosTestClient(coffer.BaseAddress, TimeProvider.System);
        (await client.SendAsync(client.Request(HttpMethod.Get, null))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Serve_LoadsAccountsFromTheConfigFile()
    {
        var config = _data.Combine("coffer.json");
        File.WriteAllText(config, $$"""
            {
              "region": "ap-beijing",
              "accounts": [
                { "appId": "{{TestAccounts.Other.AppId}}", "uin": "{{TestAccounts.Other.Uin}}",
                  "secretId": "{{TestAccounts.Other.SecretId}}", "secretKey": "{{TestAccounts.Other.SecretKey}}", "name": "ops" }
              ]
            }
            """);
        await using var coffer = await CofferProcess.StartAsync(_data.Combine("data"), false, "--config", config);
        coffer.Output.Should().Contain("region       ap-beijing");

        using var client = new CosTestClient(coffer.BaseAddress, TimeProvider.System);
        var response = await client.SendAsync(client.Request(HttpMethod.Get, null, account: TestAccounts.Other));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Serve_AddressesBucketsByTheDomainsOfTheConfigFile_AndNoOthers()
    {
        var config = _data.Combine("coffer.json");
        File.WriteAllText(config, """{ "domains": ["objects.example.test", "s3.{region}.storage.example"] }""");
        await using var coffer = await CofferProcess.StartAsync(_data.Combine("data"), true, "--config", config);
        coffer.Output.Should().Contain("domains      objects.example.test, s3.{region}.storage.example");

        using var client = new CosTestClient(coffer.BaseAddress, TimeProvider.System);
        var bucket = CosTestClient.BucketName("custom");
        (await client.SendAsync(client.Request(HttpMethod.Put, bucket, host: $"{bucket}.objects.example.test:9000"))).StatusCode.Should().Be(HttpStatusCode.OK);
        var put = await client.SendAsync(client.Request(HttpMethod.Put, bucket, "k", content: new ByteArrayContent([1, 2, 3]),
            host: $"{bucket}.s3.ap-guangzhou.storage.example"));
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        var get = await client.SendAsync(client.Request(HttpMethod.Get, bucket, "k", host: $"{bucket}.objects.example.test"));
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(1, 2, 3);

        // myqcloud.com is no longer a configured domain, so its host names no bucket: "/" is the service, which lists buckets.
        var unconfigured = await client.SendAsync(client.Request(HttpMethod.Get, bucket));
        unconfigured.StatusCode.Should().Be(HttpStatusCode.OK);
        (await unconfigured.Content.ReadAsStringAsync()).Should().Contain("<ListAllMyBucketsResult").And.Contain($"<Name>{bucket}</Name>");
    }

    [Fact]
    public async Task Serve_AcceptsTheConfigFilesSubAccounts_WithinTheirPolicy()
    {
        var owner = TestAccounts.Owner;
        var sub = new Account(owner.AppId, "100000000011", "AKIDconfiguredSubAccount0000000000", "configuredSubAccountSecretKey000", "reader");
        var config = _data.Combine("coffer.json");
        File.WriteAllText(config, $$"""
            {
              "accounts": [
                { "appId": "{{owner.AppId}}", "uin": "{{owner.Uin}}", "secretId": "{{owner.SecretId}}", "secretKey": "{{owner.SecretKey}}",
                  "subAccounts": [
                    { "uin": "{{sub.Uin}}", "secretId": "{{sub.SecretId}}", "secretKey": "{{sub.SecretKey}}", "name": "reader",
                      "policy": { "version": "2.0", "statement": [ { "effect": "allow", "action": ["name/cos:GetObject"], "resource": ["*"] } ] } }
                  ] }
              ]
            }
            """);
        await using var coffer = await CofferProcess.StartAsync(_data.Combine("data"), false, "--config", config);
        using var client = new CosTestClient(coffer.BaseAddress, TimeProvider.System);
        var bucket = CosTestClient.BucketName("configured");
        await client.CreateBucketAsync(bucket);
        await client.PutObjectAsync(bucket, "k", [1, 2, 3]);

        (await client.SendAsync(client.Request(HttpMethod.Get, bucket, "k", account: sub))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.SendAsync(client.Request(HttpMethod.Delete, bucket, "k", account: sub))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Serve_SavesAMasterKeyInTheDataFolder_AndNamesItInTheSummary()
    {
        await using var coffer = await CofferProcess.StartAsync(_data.Path);
        var key = MasterKey.LoadOrCreate(_data.Path);
        coffer.Output.Should().Contain($"master key   {key.Id} (saved in {Path.Combine(_data.Path, MasterKey.FileName)})");
    }

    [Fact]
    public async Task Serve_UsesTheMasterKeyOfTheConfigFile_AndSavesNone()
    {
        var text = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var config = _data.Combine("coffer.json");
        File.WriteAllText(config, $$"""{ "masterKey": "{{text}}" }""");
        await using var coffer = await CofferProcess.StartAsync(_data.Combine("data"), true, "--config", config);
        coffer.Output.Should().Contain($"master key   {MasterKey.FromBase64(text).Id} (from the configuration)");
        File.Exists(_data.Combine("data", MasterKey.FileName)).Should().BeFalse();
    }

    [Fact]
    public async Task Serve_RefusesToStart_WithAMasterKeyThatIsNotThirtyTwoBytes()
    {
        var config = _data.Combine("coffer.json");
        File.WriteAllText(config, """{ "masterKey": "c2hvcnQ=" }""");
        var start = () => CofferProcess.StartAsync(_data.Combine("data"), true, "--config", config);
        (await start.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*masterKey*32 bytes*");
    }

    [Fact]
    public async Task Serve_LogsOneLinePerRequest_AtDebugLevel()
    {
        await using var coffer = await CofferProcess.StartAsync(_data.Path, true, "--log-level", "Debug");
        using var client = new CosTestClient(coffer.BaseAddress, TimeProvider.System);
        await client.SendAsync(client.Request(HttpMethod.Get, CosTestClient.BucketName("missing"), "some/key"));
        await WaitUntilAsync(() => coffer.Output.Contains(
            $"GET /some/key GetObject -> 404 NoSuchBucket bucket={CosTestClient.BucketName("missing")} caller=qcs::cam::uin/{TestAccounts.Owner.Uin}:uin/{TestAccounts.Owner.Uin}",
            StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--listen")]
    [InlineData("--console")]
    public async Task Serve_OnATakenPort_SaysSoInOneLine_ExitsWith1_AndCreatesNothing(string option)
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = $"127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        var data = _data.Combine("never");
        string[] addresses = option == "--listen" ? ["--listen", address, "--console", "127.0.0.1:0"] : ["--listen", "127.0.0.1:0", "--console", address];

        var (exitCode, output) = await CofferProcess.RunToEndAsync(["serve", "--data", data, .. addresses]);

        exitCode.Should().Be(1, output);
        output.Should().Be($"coffer: cannot listen on {address} ({option}): the address is already in use\n");
        Directory.Exists(data).Should().BeFalse("nothing is created before the checks pass");
    }

    [Fact]
    public async Task Serve_OnADataFolderInUse_SaysSoInOneLine_ExitsWith1_AndLeavesItAlone()
    {
        await using var running = await CofferProcess.StartAsync(_data.Path, withRootAccount: false);
        var before = Directory.GetFiles(_data.Path).Order().ToArray();

        var (exitCode, output) = await CofferProcess.RunToEndAsync("serve", "--data", _data.Path, "--listen", "127.0.0.1:0", "--console", "off");

        exitCode.Should().Be(1, output);
        output.Should().Be($"coffer: the data folder {_data.Path} is in use by another Coffer process\n");
        Directory.GetFiles(_data.Path).Order().Should().Equal(before);
    }

    [Fact]
    public async Task Serve_PrintsTheConsoleAndHealthAddresses_AndTurnsTheConsoleOff()
    {
        await using (var on = await CofferProcess.StartAsync(_data.Path))
        {
            on.ConsoleAddress.Should().NotBeNull();
            on.Output.Should().Contain($"health       {on.BaseAddress.ToString().TrimEnd('/')}/healthz");
            using var http = new HttpClient();
            (await http.GetStringAsync(on.ConsoleAddress!)).Should().Contain("<title>Coffer console</title>");
        }

        await using var off = await CofferProcess.StartAsync(_data.Path, true, "--console", "off");
        off.Output.Should().Contain("console      off");
        off.ConsoleAddress.Should().BeNull();
    }

    public void Dispose() => _data.Dispose();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        condition().Should().BeTrue();
    }
}
