using System.Diagnostics;
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
        var config = ConfigWithSubAccount("""{ "version": "2.0", "statement": [ { "effect": "allow", "action": ["name/cos:GetObject"], "resource": ["*"] } ] }""");
        await using var coffer = await CofferProcess.StartAsync(_data.Combine("data"), false, "--config", config);
        using var client = new CosTestClient(coffer.BaseAddress, TimeProvider.System);
        var bucket = CosTestClient.BucketName("configured");
        await client.CreateBucketAsync(bucket);
        await client.PutObjectAsync(bucket, "k", [1, 2, 3]);

        (await client.SendAsync(client.Request(HttpMethod.Get, bucket, "k", account: ConfiguredSubAccount))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.SendAsync(client.Request(HttpMethod.Delete, bucket, "k", account: ConfiguredSubAccount))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("string_equal", "qcs:current_time", "Condition key 'qcs:current_time'")]
    [InlineData("StringEquals", "s3:ExistingObjectTag/team", "Condition key 's3:ExistingObjectTag/team'")]
    [InlineData("DateGreaterThan", "qcs:ip", "Condition operator 'DateGreaterThan'")]
    public async Task Serve_RefusesToStart_WithAConfiguredSubAccountPolicyItCannotEnforce_InOneLineNamingIt_AndCreatesNothing(string op, string key, string named)
    {
        var config = ConfigWithSubAccount($$"""
            { "version": "2.0", "statement": [ { "effect": "deny", "action": ["name/cos:DeleteObject"], "resource": ["*"],
              "condition": { "{{op}}": { "{{key}}": "2026" } } } ] }
            """);

        var sub = ConfiguredSubAccount;
        await ShouldRefuseToStartAsync(config, $"coffer: Sub-account {sub.DisplayName} ({sub.Uin}, of APPID {sub.AppId}): its policy in the configuration: {named}", "not implemented");
    }

    [Fact]
    public async Task Serve_KeepsACustomerKey_OutOfItsLogAndEveryFileOfItsDataFolder_AtTraceLevel()
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray();
        var other = Enumerable.Range(1, 32).Select(i => (byte)(i * 11)).ToArray();
        KeyValuePair<string, string>[] KeyHeaders(byte[] k, string prefix = "x-cos-") =>
        [
            new(prefix + "server-side-encryption-customer-algorithm", "AES256"),
            new(prefix + "server-side-encryption-customer-key", Convert.ToBase64String(k)),
            new(prefix + "server-side-encryption-customer-key-MD5", Convert.ToBase64String(MD5.HashData(k))),
        ];
        var data = _data.Combine("data");
        await using var coffer = await CofferProcess.StartAsync(data, true, "--log-level", "Trace");
        using var client = new CosTestClient(coffer.BaseAddress, TimeProvider.System);
        var bucket = CosTestClient.BucketName("ssec");
        (await client.CreateBucketAsync(bucket)).EnsureSuccessStatusCode();
        Task<HttpResponseMessage> Send(HttpMethod method, string objectKey, string query = "", byte[]? body = null, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
            client.SendAsync(client.Request(method, bucket, objectKey, query, body is null ? null : new ByteArrayContent(body), headers: headers));

        // Inline and in a file, read, refused with another key and with a key whose MD5 is wrong, copied under another key.
        (await Send(HttpMethod.Put, "small", body: new byte[100], headers: KeyHeaders(key))).EnsureSuccessStatusCode();
        (await Send(HttpMethod.Put, "large", body: new byte[200_000], headers: KeyHeaders(key))).EnsureSuccessStatusCode();
        (await Send(HttpMethod.Get, "large", headers: KeyHeaders(key))).EnsureSuccessStatusCode();
        (await Send(HttpMethod.Get, "large", headers: KeyHeaders(other))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Send(HttpMethod.Put, "refused", body: [1], headers: [.. KeyHeaders(key)[..2], new("x-cos-server-side-encryption-customer-key-MD5", "AAAAAAAAAAAAAAAAAAAAAA==")]))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Send(HttpMethod.Put, "copy", headers: [new("x-cos-copy-source", $"{CosTestClient.VirtualHost(bucket)}/small"), .. KeyHeaders(other), .. KeyHeaders(key, "x-cos-copy-source-")]))
            .EnsureSuccessStatusCode();
        // A multipart upload: its key is stored for the parts to be checked against, as a verifier only.
        var initiate = await Send(HttpMethod.Post, "parts", "uploads", headers: KeyHeaders(key));
        initiate.EnsureSuccessStatusCode();
        var uploadId = System.Xml.Linq.XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!.Element("UploadId")!.Value;
        (await Send(HttpMethod.Put, "parts", $"partNumber=1&uploadId={uploadId}", new byte[1000], KeyHeaders(key))).EnsureSuccessStatusCode();
        (await Send(HttpMethod.Get, "parts", $"uploadId={uploadId}", headers: KeyHeaders(key))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => coffer.Output.Contains(" ListParts -> 200", StringComparison.Ordinal));
        await coffer.KillAsync();
        coffer.Output.Should().Contain("PUT /small PutObject", "each request was logged");
        DataFiles.In(data).Should().Contain(["metadata.db", "metadata.db-wal"], "killed, the server left its write-ahead log unmerged");
        foreach (var secret in new[] { key, other })
        {
            var base64 = Convert.ToBase64String(secret);
            coffer.Output.Should().NotContain(base64).And.NotContain(Convert.ToHexString(secret)).And.NotContain(Convert.ToHexStringLower(secret));
            DataFiles.Holding(data, secret).Should().BeEmpty();
            DataFiles.Holding(data, System.Text.Encoding.ASCII.GetBytes(base64)).Should().BeEmpty();
        }
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
        await ShouldRefuseToStartAsync(config, "coffer: masterKey in the configuration:", "32 bytes");
    }

    [Theory]
    [InlineData("{\n  \"region\": \"ap-guangzhou\",\n  \"journal\": { \"retentionDays\": ", "There is an open JSON object or array that should be closed (at $.journal.retentionDays, line 3, position 33)")]
    [InlineData("{ \"journal\": { \"retentionDays\": \"seven\" } }", "(at $.journal.retentionDays, line 1, position ")]
    public async Task Serve_WithAConfigFileThatIsNotValid_SaysWhatAndWhereInOneLine(string json, string where)
    {
        var config = _data.Combine("coffer.json");
        File.WriteAllText(config, json);
        await ShouldRefuseToStartAsync(config, $"coffer: {config}: ", where);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Serve_WithAConfigFileItCannotRead_SaysSoInOneLine(bool aFolder)
    {
        var config = _data.Combine("coffer.json");
        if (aFolder)
        {
            Directory.CreateDirectory(config);
        }

        await ShouldRefuseToStartAsync(config, "coffer: ", config);
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

    [Fact]
    public async Task Serve_WarmsUpItsRequestPathAfterStart_UnlessTheConfigFileTurnsItOff()
    {
        var config = _data.Combine("no-request-warm-up.json");
        await File.WriteAllTextAsync(config, """{ "requestWarmUp": false }""");
        await using (var warmed = await CofferProcess.StartAsync(_data.Combine("on"), true, "--console", "off"))
        {
            await WaitUntilAsync(() => warmed.Output.Contains("Inventory: warm-up done", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
            warmed.Output.Should().Contain("Requests: warm-up done in").And.NotContain("warm-up failed");
            warmed.Output.IndexOf("Requests: warm-up done", StringComparison.Ordinal).Should()
                .BeLessThan(warmed.Output.IndexOf("Inventory: warm-up done", StringComparison.Ordinal), "the request path first, then the inventory pipeline");
        }

        await using var cold = await CofferProcess.StartAsync(_data.Combine("off"), true, "--console", "off", "--config", config);
        await WaitUntilAsync(() => cold.Output.Contains("Inventory: warm-up done", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
        cold.Output.Should().NotContain("Requests: warm-up", "the warm-ups run one after the other, and the inventory's has ended");
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

    [Theory]
    [InlineData("is")]
    [InlineData("under")]
    public async Task Serve_WithAFileForItsDataFolder_SaysSoInOneLine_ExitsWith1(string where)
    {
        var file = _data.Combine("a-file");
        File.WriteAllText(file, "not a folder");
        var data = where == "is" ? file : Path.Combine(file, "data");

        var (exitCode, output) = await CofferProcess.RunToEndAsync("serve", "--data", data, "--listen", "127.0.0.1:0", "--console", "off");

        exitCode.Should().Be(1, output);
        output.Should().Be(where == "is"
            ? $"coffer: the data folder {file} is a file\n"
            : $"coffer: cannot create the data folder {data}: Could not find a part of the path '{data}'\n");
        File.ReadAllText(file).Should().Be("not a folder");
    }

    [Theory]
    [InlineData("serve", "--data")]
    [InlineData("serve", "the configuration file")]
    [InlineData("admin", "--data")]
    [InlineData("serve", "--data", " ")]
    public async Task Command_WithAnEmptyDataFolder_SaysSoInOneLine_RatherThanOpenAnother(string command, string where, string empty = "")
    {
        // A script's unset variable (--data "$DIR") must neither open ./coffer-data nor end in a stack trace.
        var config = _data.Combine("coffer.json");
        File.WriteAllText(config, """{ "data": "" }""");
        string[] data = where == "--data" ? ["--data", empty] : ["--config", config];
        string[] arguments = command == "serve"
            ? ["serve", .. data, "--listen", "127.0.0.1:0", "--console", "off"]
            : ["admin", "subaccount", "list", .. data];

        var (exitCode, output) = await CofferProcess.RunToEndAsync(arguments);

        exitCode.Should().Be(command == "serve" ? 1 : 2, output);
        output.Should().Be(where == "--data"
            ? $"coffer: --data: '{empty}' is not a folder's path.\n"
            : "coffer: the configuration file's \"data\": '' is not a folder's path.\n");
    }

    [Theory]
    [InlineData("--region", "a/b")]
    [InlineData("the configuration file", "Ap Guangzhou")]
    public async Task Serve_WithARegionNoClientCouldSignFor_SaysSoInOneLine_AndCreatesNothing(string where, string region)
    {
        // A '/' or a space in the region breaks every SigV4 credential scope that names it (the warm-up's own PUTs failed).
        var config = _data.Combine("coffer.json");
        File.WriteAllText(config, $$"""{ "region": "{{region}}" }""");
        var data = _data.Combine("never-made");
        string[] source = where == "--region" ? ["--region", region] : ["--config", config];

        var (exitCode, output) = await CofferProcess.RunToEndAsync(["serve", "--data", data, "--listen", "127.0.0.1:0", "--console", "off", .. source]);

        exitCode.Should().Be(1, output);
        var named = where == "--region" ? "--region" : "the configuration file's \"region\"";
        output.Should().Be($"coffer: {named}: '{region}' is not a region name (letters, digits and hyphens, a letter or digit at each end, such as ap-guangzhou or us-east-1)\n");
        Directory.Exists(data).Should().BeFalse();
    }

    [Fact]
    public async Task Serve_WithADataFolderItCannotWriteIn_SaysSoInOneLine_ExitsWith1()
    {
        var data = _data.Combine("read-only");
        Directory.CreateDirectory(data);
        using (MakeReadOnly(data, writable: "0755"))
        {
            var (exitCode, output) = await CofferProcess.RunToEndAsync("serve", "--data", data, "--listen", "127.0.0.1:0", "--console", "off");

            exitCode.Should().Be(1, output);
            output.Should().Be($"coffer: cannot write in the data folder {data}: {ReadOnlyReason}\n");
            Directory.EnumerateFileSystemEntries(data).Should().BeEmpty();
        }
    }

    [Theory]
    [InlineData("read-only")]
    [InlineData("a loop")]
    public async Task Serve_WithALockFileItCannotOpen_SaysSoInOneLine_RatherThanInUse(string what)
    {
        // A store made by another user (or left on a disk now read-only): its lock file is there, and not this process's
        // to open. A link to itself fails with an IOException (ELOOP) where no permission is involved, as a read-only
        // file system's EROFS does.
        var data = _data.Combine("not-mine");
        Directory.CreateDirectory(data);
        var lockFile = Path.Combine(data, "coffer.lock");
        if (what == "a loop")
        {
            File.CreateSymbolicLink(lockFile, lockFile);
        }
        else
        {
            File.WriteAllText(lockFile, "");
        }

        using (what == "a loop" ? null : MakeReadOnly(lockFile, writable: "0644"))
        {
            var (exitCode, output) = await CofferProcess.RunToEndAsync("serve", "--data", data, "--listen", "127.0.0.1:0", "--console", "off");

            exitCode.Should().Be(1, output);
            var reason = what == "a loop" ? "Too many levels of symbolic links" : ReadOnlyReason;
            output.Should().Be($"coffer: cannot use the data folder {data}: its lock file cannot be opened for writing: {reason}\n");
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("the first")]
    [InlineData("the second")]
    public async Task Serve_OnADataFolderInUse_SaysSoInOneLine_ExitsWith1_AndLeavesItAlone(string? withoutDotnetsFileLocks)
    {
        // DOTNET_SYSTEM_IO_DISABLEFILELOCKING turns off the flock .NET takes for FileShare.None (people set it for file
        // systems whose locks misbehave); the data folder's lock must hold all the same, whichever server has it set.
        var noLocks = new Dictionary<string, string> { ["DOTNET_SYSTEM_IO_DISABLEFILELOCKING"] = "1" };
        var none = new Dictionary<string, string>();
        await using var running = await CofferProcess.StartAsync(
            ["--data", _data.Path, "--listen", "127.0.0.1:0", "--console", "off"], Environment.CurrentDirectory, withRootAccount: false,
            withoutDotnetsFileLocks == "the first" ? noLocks : none);
        var before = Directory.GetFiles(_data.Path).Order().ToArray();

        var (exitCode, output, error) = await CofferProcess.RunAsync(
            ["serve", "--data", _data.Path, "--listen", "127.0.0.1:0", "--console", "off"], withoutDotnetsFileLocks == "the second" ? noLocks : none);

        exitCode.Should().Be(1, output + error);
        (output + error).Should().Be($"coffer: the data folder {_data.Path} is in use by another Coffer process\n");
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

    private static Account ConfiguredSubAccount { get; } =
        new(TestAccounts.Owner.AppId, "100000000011", "AKIDconfiguredSubAccount0000000000", "configuredSubAccountSecretKey000", "reader");

    /// <summary>A configuration file declaring the test owner as root account with <see cref="ConfiguredSubAccount"/> under <paramref name="policy"/>.</summary>
    private string ConfigWithSubAccount(string policy)
    {
        var (owner, sub) = (TestAccounts.Owner, ConfiguredSubAccount);
        var config = _data.Combine("coffer.json");
        File.WriteAllText(config, $$"""
            {
              "accounts": [
                { "appId": "{{owner.AppId}}", "uin": "{{owner.Uin}}", "secretId": "{{owner.SecretId}}", "secretKey": "{{owner.SecretKey}}",
                  "subAccounts": [
                    { "uin": "{{sub.Uin}}", "secretId": "{{sub.SecretId}}", "secretKey": "{{sub.SecretKey}}", "name": "reader", "policy": {{policy}} }
                  ] }
              ]
            }
            """);
        return config;
    }

    /// <summary>
    /// That <c>serve --config <paramref name="config"/></c> refuses to start with exit code 1 and one line starting
    /// <paramref name="start"/> (no stack trace), before it has created the data folder.
    /// </summary>
    private async Task ShouldRefuseToStartAsync(string config, string start, string alsoSaying)
    {
        var data = _data.Combine("data");

        var (exitCode, output) = await CofferProcess.RunToEndAsync("serve", "--data", data, "--config", config, "--listen", "127.0.0.1:0", "--console", "off");

        exitCode.Should().Be(1, output);
        output.Should().StartWith(start).And.Contain(alsoSaying).And.NotContain("   at ");
        output.TrimEnd('\n').Should().NotContain("\n", "it is one line");
        Directory.Exists(data).Should().BeFalse("nothing is created before the checks pass");
    }

    public void Dispose() => _data.Dispose();

    /// <summary>What the system answers a write to a path <see cref="MakeReadOnly"/> made read-only.</summary>
    private static string ReadOnlyReason => IsRoot ? "Operation not permitted" : "Permission denied";

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>
    /// Makes <paramref name="path"/> read-only to this process until disposed (back to mode <paramref name="writable"/>):
    /// immutable for root, which ignores permissions but not that attribute (ext4 and most Linux file systems), else mode 0555.
    /// </summary>
    private static IDisposable MakeReadOnly(string path, string writable)
    {
        Run(IsRoot ? "chattr" : "chmod", IsRoot ? "+i" : "0555", path).Should().Be(0, $"{path} is made read-only");
        // Best effort: a failed restore must not hide the test's own failure.
        return new Restore(() => Run(IsRoot ? "chattr" : "chmod", IsRoot ? "-i" : writable, path));

        static int Run(string tool, string change, string path)
        {
            using var process = System.Diagnostics.Process.Start(tool, [change, path]);
            process.WaitForExit();
            return process.ExitCode;
        }
    }

    private sealed class Restore(Func<int> restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? limit = null)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < (limit ?? TimeSpan.FromSeconds(5)) && !condition())
        {
            await Task.Delay(50);
        }

        condition().Should().BeTrue();
    }
}
