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

    public static TheoryData<string, string> AwsPolicyConditions => new()
    {
        { "the source bucket and account as AWS documents them", AwsCondition("source-1250000000", "100000000001") },
        { "a wildcard in the bucket component of the ARN", AwsCondition("source-*", "100000000001") },
    };

    public static TheoryData<string, string> AwsPolicyRefusals => new()
    {
        { "another source bucket", AwsCondition("other-1250000000", "100000000001") },
        { "another source account", AwsCondition("source-1250000000", "100000000003") },
        { "an ARN with a seventh component", AwsCondition("source-1250000000:*", "100000000001") },
        { "another canned ACL", AwsCondition("source-1250000000", "100000000001", acl: "private") },
    };

    [Theory]
    [MemberData(nameof(AwsPolicyConditions))]
    public async Task AForeignDestination_TakesTheReport_UnderTheAwsDocumentedServicePolicy(string because, string condition)
    {
        var run = await RunIntoForeignBucketAsync(AwsStatement(condition), aws: true);

        run.State.Should().Be(InventoryRunState.Succeeded, because);
        ForeignKeys().Should().HaveCount(3);
    }

    [Theory]
    [MemberData(nameof(AwsPolicyRefusals))]
    public async Task AForeignDestination_RefusesTheReport_WhenTheServicePolicysConditionsDoNotHold(string because, string condition)
    {
        var run = await RunIntoForeignBucketAsync(AwsStatement(condition), aws: true);

        run.State.Should().Be(InventoryRunState.Failed, because);
        run.ErrorCode.Should().Be("AccessDenied");
        ForeignKeys().Should().BeEmpty();
    }

    [Fact]
    public async Task ASameAccountDestination_NeedsNoPolicy_ButAServiceDenyStillHolds()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.PutAsync("k", "v");
        var allowed = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("same", oneTime: true));
        allowed.State.Should().Be(InventoryRunState.Succeeded);

        await _fixture.Access.PutPolicyAsync(InventoryFixture.Destination, Encoding.UTF8.GetBytes($$$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:PutObject",
             "Resource":"arn:aws:s3:::{{{{InventoryFixture.Destination}}}}/*","Condition":{"StringNotEquals":{"aws:SourceAccount":"100000000009"}}}]}
            """));
        var denied = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("same2", oneTime: true));
        denied.State.Should().Be(InventoryRunState.Failed);
        denied.ErrorCode.Should().Be("AccessDenied");
    }

    public void Dispose() => _fixture.Dispose();

    private static string AwsCondition(string sourceBucket, string sourceAccount, string acl = "bucket-owner-full-control") =>
        $$$"""
        {"ArnLike":{"aws:SourceArn":"arn:aws:s3:::{{{sourceBucket}}}"},
         "StringEquals":{"aws:SourceAccount":"{{{sourceAccount}}}","s3:x-amz-acl":"{{{acl}}}"}}
        """;

    /// <summary>The statement AWS documents for an inventory destination.</summary>
    private static string AwsStatement(string condition) =>
        $$"""
        {"Sid":"InventoryExamplePolicy","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:PutObject",
         "Resource":["arn:aws:s3:::{{Foreign}}/*"],"Condition":{{condition}}}
        """;

    private static string Statement(string effect, string principal, string path) =>
        $$"""
        {"principal":{"qcs":["{{principal}}"]},"effect":"{{effect}}","action":["name/cos:PutObject"],
         "resource":["qcs::cos:ap-guangzhou:uid/1250000001:{{Foreign}}/{{path}}"]}
        """;

    /// <summary>A one-time run of the source into <see cref="Foreign"/>, a bucket of the other account, whose policy has these statements.</summary>
    private async Task<InventoryRun> RunIntoForeignBucketAsync(string statements, bool aws = false)
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.Objects.CreateBucketAsync(Foreign, TestAccounts.Other.AppId, "ap-guangzhou");
        var version = aws ? "2012-10-17" : "2.0";
        await _fixture.Access.PutPolicyAsync(Foreign, Encoding.UTF8.GetBytes($$"""{"version":"{{version}}","statement":[{{statements}}]}"""));
        await _fixture.PutAsync("k", "v");
        var configuration = InventoryFixture.Configuration("foreign", oneTime: true);
        return await _fixture.RunOneTimeAsync(configuration with
        {
            Destination = configuration.Destination with { Bucket = Foreign, BucketReference = $"qcs::cos:ap-guangzhou::{Foreign}" },
        });
    }

    private IReadOnlyList<string> ForeignKeys() => _fixture.Objects.ListObjects(Foreign, new()).Objects.Select(o => o.Key).ToArray();
}
