using System.Text.Json;
using Coffer.Composition;
using Coffer.Testing;

namespace Coffer.Host.Tests;

/// <summary><c>coffer admin</c>: sub-accounts and temporary keys, stored in the data folder, printed as JSON.</summary>
public sealed class AdminCommandTests : IDisposable
{
    private readonly TempDirectory _data = new("admin-command");

    public AdminCommandTests()
    {
        // A store, as a first `coffer serve` leaves it.
        using var engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _data.Path, Time = TimeProvider.System });
    }

    [Fact]
    public async Task Admin_CreatesListsAndDeletesSubAccountsAndTemporaryKeys()
    {
        var policy = _data.Combine("policy.json");
        File.WriteAllText(policy, """{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["*"]}]}""");

        var sub = await AdminAsync("subaccount", "create", "--name", "ci", "--uin", "100000000011", "--policy", policy);
        var inline = await AdminAsync("subaccount", "create", "--name", "inline", "--policy", File.ReadAllText(policy));
        inline.GetProperty("HasPolicy").GetBoolean().Should().BeTrue();
        (await AdminAsync("key", "delete", "--secret-id", inline.GetProperty("SecretId").GetString()!)).GetProperty("Deleted").GetBoolean().Should().BeTrue();
        sub.GetProperty("AppId").GetString().Should().Be(TestAccounts.Owner.AppId);
        sub.GetProperty("Uin").GetString().Should().Be("100000000011");
        sub.GetProperty("SecretId").GetString().Should().StartWith("AKID").And.HaveLength(36);
        sub.GetProperty("SecretKey").GetString().Should().HaveLength(32);
        sub.GetProperty("HasPolicy").GetBoolean().Should().BeTrue();

        var temporary = await AdminAsync("tempkey", "create", "--uin", "100000000011", "--duration", "900");
        temporary.GetProperty("Credentials").GetProperty("Token").GetString().Should().HaveLength(64);
        var expires = DateTimeOffset.FromUnixTimeSeconds(temporary.GetProperty("ExpiredTime").GetInt64());
        expires.Should().BeCloseTo(DateTimeOffset.UtcNow.AddSeconds(900), TimeSpan.FromSeconds(60));

        var listed = (await AdminAsync("subaccount", "list")).EnumerateArray().Select(k => (k.GetProperty("Kind").GetString(), k.GetProperty("SecretId").GetString())).ToList();
        listed.Should().BeEquivalentTo([("sub", sub.GetProperty("SecretId").GetString()), ("temporary", temporary.GetProperty("Credentials").GetProperty("TmpSecretId").GetString())]);

        (await AdminAsync("key", "delete", "--secret-id", sub.GetProperty("SecretId").GetString()!)).GetProperty("Deleted").GetBoolean().Should().BeTrue();
        (await AdminAsync("subaccount", "list")).GetArrayLength().Should().Be(1);
    }

    [Theory]
    [InlineData("tempkey", "create", "--uin", "999")]
    [InlineData("tempkey", "create", "--duration", "0")]
    [InlineData("subaccount", "create", "--name", "x", "--appid", "1259999999")]
    [InlineData("tempkey", "create", "--appid", "1259999999")]
    public async Task Admin_RefusesWhatCannotBe_WithExitCode2(params string[] arguments)
    {
        var (exitCode, output) = await CofferProcess.RunToEndAsync(["admin", .. arguments, "--data", _data.Path]);
        exitCode.Should().Be(2, output);
        output.Should().Contain("coffer: InvalidArgument");
    }

    [Fact]
    public async Task Admin_SaysWhichPolicyFormItExpects_WhenTheFileIsMissing()
    {
        var (exitCode, output) = await CofferProcess.RunToEndAsync(["admin", "subaccount", "create", "--name", "x", "--policy", "nope.json", "--data", _data.Path]);
        exitCode.Should().Be(2, output);
        output.Should().Contain("--policy expects a CAM policy as JSON (starting with '{') or a file of it; 'nope.json' is neither (no such file).");
    }

    [Fact]
    public async Task Admin_WithAWrongDataFolder_CreatesNothing_AndSaysSo()
    {
        var wrong = _data.Combine("typo");
        var (exitCode, output) = await CofferProcess.RunToEndAsync(["admin", "subaccount", "list", "--data", wrong]);

        exitCode.Should().Be(2, output);
        output.Should().Be($"coffer: {wrong} holds no Coffer store (no metadata.db); check --data, or start `coffer serve` there once\n");
        Directory.Exists(wrong).Should().BeFalse();
    }

    [Fact]
    public async Task Admin_WithAConfiguredSubAccountPolicyItCannotEnforce_SaysSoInOneLine_WithExitCode2()
    {
        var owner = TestAccounts.Owner;
        var config = _data.Combine("coffer.json");
        File.WriteAllText(config, $$"""
            { "accounts": [ { "appId": "{{owner.AppId}}", "uin": "{{owner.Uin}}", "secretId": "{{owner.SecretId}}", "secretKey": "{{owner.SecretKey}}",
              "subAccounts": [ { "uin": "100000000011", "secretId": "AKIDconfiguredSubAccount0000000000", "secretKey": "configuredSubAccountSecretKey000", "name": "reader",
                "policy": { "version": "2.0", "statement": [ { "effect": "deny", "action": ["name/cos:DeleteObject"], "resource": ["*"],
                  "condition": { "StringEquals": { "s3:ExistingObjectTag/team": "x" } } } ] } } ] } ] }
            """);

        var (exitCode, output) = await CofferProcess.RunToEndAsync(["admin", "subaccount", "list", "--config", config, "--data", _data.Path]);

        exitCode.Should().Be(2, output);
        output.Should().Be($"coffer: Sub-account reader (100000000011, of APPID {owner.AppId}): its policy in the configuration: Condition key " +
            "'s3:ExistingObjectTag/team' is not implemented: no request here carries a value for it, so the policy could not be enforced\n");
    }

    [Fact]
    public async Task Admin_PrintsATable_WhenAsked()
    {
        await AdminAsync("subaccount", "create", "--name", "tabled", "--uin", "100000000012");
        var (exitCode, output) = await CofferProcess.RunToEndAsync(["admin", "subaccount", "list", "--output", "table", "--data", _data.Path]);
        exitCode.Should().Be(0, output);
        output.Should().MatchRegex("^KIND +UIN +NAME +SECRETID +EXPIRATION +HASPOLICY\n").And.MatchRegex("sub +100000000012 +tabled +AKID");
    }

    public void Dispose() => _data.Dispose();

    private async Task<JsonElement> AdminAsync(params string[] arguments)
    {
        var (exitCode, output) = await CofferProcess.RunToEndAsync(["admin", .. arguments, "--data", _data.Path]);
        exitCode.Should().Be(0, output);
        return JsonDocument.Parse(output).RootElement.Clone();
    }
}
