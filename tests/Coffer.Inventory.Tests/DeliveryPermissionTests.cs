using System.Text;
using System.Text.Json;
using Coffer.Model.Inventory;
using Coffer.Testing;

namespace Coffer.Inventory.Tests;

/// <summary>
/// Reports into another account's bucket: delivered only where that bucket's policy allows the source account to PUT
/// them under the report prefix; otherwise the run fails with AccessDenied before it writes anything.
/// </summary>
public sealed class DeliveryPermissionTests : IDisposable
{
    private const string Foreign = "foreign-1250000001";
    private const string SourceAccount = "qcs::cam::uin/100000000001:uin/100000000001";
    private const string ThirdAccount = "qcs::cam::uin/100000000003:uin/100000000003";

    private readonly InventoryFixture _fixture = new();

    public static TheoryData<string, string> RefusingPolicies => new()
    {
        { "the source account may PUT under another prefix", Statement("allow", SourceAccount, "logs/*") },
        { "the source account may PUT only another source bucket's reports", Statement("allow", SourceAccount, "reports/1250000000/other/*") },
        { "only a third account may PUT under the report prefix", Statement("allow", ThirdAccount, "reports/*") },
        {
            "an explicit deny outweighs the allow",
            Statement("allow", SourceAccount, "reports/*") + "," + Statement("deny", SourceAccount, "reports/1250000000/*")
        },
    };

    [Fact]
    public async Task AForeignDestination_TakesTheReport_WhenItsPolicyAllowsTheSourceAccountOnTheReportPrefix()
    {
        var run = await RunIntoForeignBucketAsync(Statement("allow", SourceAccount, "reports/*"));

        run.State.Should().Be(InventoryRunState.Succeeded);
        var manifest = JsonDocument.Parse(_fixture.Read(run.ManifestKey!, Foreign)).RootElement;
        manifest.GetProperty("destinationAppid").GetString().Should().Be("1250000001", "the destination's account, not the source's");
        manifest.GetProperty("destinationBucket").GetString().Should().Be("foreign");
        ForeignKeys().Should().HaveCount(3, "a part, the manifest and its checksum");
    }

    [Theory]
    [MemberData(nameof(RefusingPolicies))]
    public async Task AForeignDestination_RefusesTheReportWithAccessDenied_WhenItsPolicyDoesNotAllowTheSourceAccountOnTheReportPrefix(
        string because, string statements)
    {
        var run = await RunIntoForeignBucketAsync(statements);

        run.State.Should().Be(InventoryRunState.Failed, because);
        run.ErrorCode.Should().Be("AccessDenied");
        run.ErrorMessage.Should().StartWith(
            $"Access Denied. The policy of destination bucket {Foreign} does not allow account 100000000001 to PutObject reports/1250000000/source/foreign/");
        ForeignKeys().Should().BeEmpty("nothing is written before the permission is checked");
    }

    public void Dispose() => _fixture.Dispose();

    private static string Statement(string effect, string principal, string path) =>
        $$"""
        {"principal":{"qcs":["{{principal}}"]},"effect":"{{effect}}","action":["name/cos:PutObject"],
         "resource":["qcs::cos:ap-guangzhou:uid/1250000001:{{Foreign}}/{{path}}"]}
        """;

    /// <summary>A one-time run of the source into <see cref="Foreign"/>, a bucket of the other account, whose policy has these statements.</summary>
    private async Task<InventoryRun> RunIntoForeignBucketAsync(string statements)
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.Objects.CreateBucketAsync(Foreign, TestAccounts.Other.AppId, "ap-guangzhou");
        await _fixture.Access.PutPolicyAsync(Foreign, Encoding.UTF8.GetBytes($$"""{"version":"2.0","statement":[{{statements}}]}"""));
        await _fixture.PutAsync("k", "v");
        var configuration = InventoryFixture.Configuration("foreign", oneTime: true);
        return await _fixture.RunOneTimeAsync(configuration with
        {
            Destination = configuration.Destination with { Bucket = Foreign, BucketReference = $"qcs::cos:ap-guangzhou::{Foreign}" },
        });
    }

    private IReadOnlyList<string> ForeignKeys() => _fixture.Objects.ListObjects(Foreign, new()).Objects.Select(o => o.Key).ToArray();
}
