using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Model.Accounts;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// What S3 lets a request make conditional on its bucket: bucket policy conditions on the request's own headers
/// (<c>s3:x-amz-acl</c> and the other <c>s3:x-amz-*</c> keys), keys no request carries, and
/// <c>x-amz-expected-bucket-owner</c>.
/// </summary>
public sealed class S3ConditionTests() : ServerTestBase("conditions")
{
    [Fact]
    public async Task BucketPolicy_DenyOnXAmzAcl_RefusesAPublicReadPut_AndAllowsAPrivateOne()
    {
        await PutPolicyAsync(OtherMayPutButNotPublicly, HttpStatusCode.NoContent);

        (await S3.SendAsync(HttpMethod.Put, Bucket, "private", body: [1], account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, "public", body: [1], headers: [new("x-amz-acl", "public-read")], account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        (await S3.SendAsync(HttpMethod.Head, Bucket, "public")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task BucketPolicy_AllowOnXAmzServerSideEncryption_AdmitsOnlyEncryptedPuts()
    {
        var other = TestAccounts.Other.Uin;
        await PutPolicyAsync($$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{other}}}:root"},"Action":"s3:PutObject",
              "Resource":"arn:aws:s3:::{{{Bucket}}}/*","Condition":{"StringEquals":{"s3:x-amz-server-side-encryption":"AES256"} } }]}
            """, HttpStatusCode.NoContent);

        (await S3.SendAsync(HttpMethod.Put, Bucket, "sealed", body: [1], headers: [new("x-amz-server-side-encryption", "AES256")], account: TestAccounts.Other))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, "plain", body: [1], account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
    }

    [Fact]
    public async Task BucketPolicy_DenyOnCosXCosAcl_RefusesAPublicReadPut_InTheCosDialect()
    {
        await PutPolicyAsync(OtherMayPutButNotPublicly.Replace("s3:x-amz-acl", "cos:x-cos-acl", StringComparison.Ordinal), HttpStatusCode.NoContent);

        (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "private", content: new ByteArrayContent([1]), account: TestAccounts.Other)))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "public", content: new ByteArrayContent([1]), account: TestAccounts.Other,
            headers: [new("x-cos-acl", "public-read")]))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        (await S3.SendAsync(HttpMethod.Head, Bucket, "public")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PostObject_DenyOnXAmzAcl_RefusesAFormWhoseAclFieldIsPublic()
    {
        await PutPolicyAsync(OtherMayPutButNotPublicly, HttpStatusCode.NoContent);
        var fields = PostForms.S3(Bucket, TestAccounts.Other, DateTimeOffset.UtcNow, TimeSpan.FromHours(1),
            [new[] { "eq", "$key", "public" }, new[] { "eq", "$acl", "public-read" }]);
        fields.AddRange([new("key", "public"), new("acl", "public-read")]);

        using var browser = new HttpClient();
        var bucketUrl = $"{Server.BaseAddress.GetLeftPart(UriPartial.Authority)}/{Bucket}";
        await (await browser.PostAsync(bucketUrl, PostForms.Body(fields, [1]))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        (await S3.SendAsync(HttpMethod.Head, Bucket, "public")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteObjects_DenyWithAHeaderCondition_KeepsTheKey_AsDeleteObjectDoes()
    {
        var other = TestAccounts.Other.Uin;
        await PutPolicyAsync($$$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{other}}}:root"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::{{{Bucket}}}/*"},
              {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::{{{other}}}:root"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::{{{Bucket}}}/*",
               "Condition":{"StringEquals":{"s3:x-amz-request-payer":"requester"} } }]}
            """, HttpStatusCode.NoContent);
        (await S3.SendAsync(HttpMethod.Put, Bucket, "kept", body: [1])).StatusCode.Should().Be(HttpStatusCode.OK);
        KeyValuePair<string, string>[] payer = [new("x-amz-request-payer", "requester")];

        await (await S3.SendAsync(HttpMethod.Delete, Bucket, "kept", headers: payer, account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        var response = await S3.SendAsync(HttpMethod.Post, Bucket, query: "delete", body: Encoding.UTF8.GetBytes("<Delete><Object><Key>kept</Key></Object></Delete>"),
            headers: payer, account: TestAccounts.Other);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var result = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        result.Elements().Should().ContainSingle(e => e.Name.LocalName == "Error").Which.Elements().Single(e => e.Name.LocalName == "Code").Value
            .Should().Be("AccessDenied");
        (await S3.SendAsync(HttpMethod.Head, Bucket, "kept")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task BucketPolicy_ContentTypeLengthAndSecureTransport_AreEvaluated()
    {
        var other = TestAccounts.Other.Uin;
        await PutPolicyAsync($$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{other}}}:root"},"Action":"s3:PutObject",
              "Resource":"arn:aws:s3:::{{{Bucket}}}/*","Condition":{"Bool":{"aws:SecureTransport":"false"},"NumericLessThanEquals":{"cos:content-length":"2"},
              "StringLike":{"cos:content-type":"text/*"} } }]}
            """, HttpStatusCode.NoContent);
        KeyValuePair<string, string>[] text = [new("Content-Type", "text/plain")];

        (await S3.SendAsync(HttpMethod.Put, Bucket, "small", body: [1, 2], headers: text, account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, "large", body: [1, 2, 3], headers: text, account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, "binary", body: [1], headers: [new("Content-Type", "application/octet-stream")], account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
    }

    [Fact]
    public async Task BucketPolicy_StringLikeIfExistsOnReferer_AdmitsAMatchingOrAbsentReferer_AndRefusesAnother()
    {
        await PutPolicyAsync($$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{{Bucket}}}/*",
              "Condition":{"StringLikeIfExists":{"aws:Referer":"http://www.example.com/*"} } }]}
            """, HttpStatusCode.NoContent);
        (await S3.SendAsync(HttpMethod.Put, Bucket, "page", body: [1])).StatusCode.Should().Be(HttpStatusCode.OK);

        (await S3.SendAsync(HttpMethod.Get, Bucket, "page", headers: [new("Referer", "http://www.example.com/index.html")], account: TestAccounts.Other))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await S3.SendAsync(HttpMethod.Get, Bucket, "page", account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await S3.SendAsync(HttpMethod.Get, Bucket, "page", headers: [new("Referer", "http://example.com/")], account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
    }

    [Fact]
    public async Task BucketPolicy_OnS3MaxKeys_AdmitsAListingOfFewKeys_AndRefusesOneOfManyOrUnbounded()
    {
        var other = TestAccounts.Other.Uin;
        await PutPolicyAsync($$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{other}}}:root"},"Action":"s3:ListBucket",
              "Resource":"arn:aws:s3:::{{{Bucket}}}","Condition":{"NumericLessThanEquals":{"s3:max-keys":"10"} } }]}
            """, HttpStatusCode.NoContent);

        (await S3.SendAsync(HttpMethod.Get, Bucket, query: "list-type=2&max-keys=5", account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "list-type=2&max-keys=50", account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "list-type=2", account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
    }

    [Fact]
    public async Task BucketPolicy_DenyWhenNull_RefusesAPutWithoutTheEncryptionHeader_AndAdmitsOneWithIt()
    {
        var other = TestAccounts.Other.Uin;
        await PutPolicyAsync($$$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{other}}}:root"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{{{Bucket}}}/*"},
              {"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::{{{Bucket}}}/*",
               "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"} } }]}
            """, HttpStatusCode.NoContent);

        (await S3.SendAsync(HttpMethod.Put, Bucket, "sealed", body: [1], headers: [new("x-amz-server-side-encryption", "AES256")], account: TestAccounts.Other))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, "plain", body: [1], account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
    }

    [Fact]
    public async Task GetBucketPolicyStatus_IsPublic_ForAnAllowToEveryone_AndNotOnceASourceAddressPinsIt()
    {
        await PutPolicyAsync(EveryoneMayList(condition: null), HttpStatusCode.NoContent);
        (await PolicyStatusAsync()).Should().BeTrue();

        await PutPolicyAsync(EveryoneMayList("""{"IpAddress":{"aws:SourceIp":"10.0.0.0/32"}}"""), HttpStatusCode.NoContent);
        (await PolicyStatusAsync()).Should().BeFalse();

        await PutPolicyAsync(EveryoneMayList("""{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/32"}}"""), HttpStatusCode.NoContent);
        (await PolicyStatusAsync()).Should().BeTrue("an IfExists condition holds where the key is absent");
    }

    [Fact]
    public async Task GetBucketPolicyStatus_IsNoSuchBucketPolicy_WithoutAPolicy_EvenWithAPublicAcl()
    {
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "acl", headers: [new("x-amz-acl", "public-read")])).StatusCode.Should().Be(HttpStatusCode.OK);

        await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "policyStatus")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchBucketPolicy", Dialect.S3);
    }

    [Fact]
    public async Task GetBucketPolicyStatus_NeedsItsOwnPermission_AndIsNotImplementedInTheCosDialect()
    {
        var other = TestAccounts.Other.Uin;
        await PutPolicyAsync($$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{other}}}:root"},"Action":"s3:GetBucketPolicy",
              "Resource":"arn:aws:s3:::{{{Bucket}}}"}]}
            """, HttpStatusCode.NoContent);
        await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "policyStatus", account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);

        await PutPolicyAsync($$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{other}}}:root"},"Action":"s3:GetBucketPolicyStatus",
              "Resource":"arn:aws:s3:::{{{Bucket}}}"}]}
            """, HttpStatusCode.NoContent);
        (await PolicyStatusAsync(TestAccounts.Other)).Should().BeFalse();

        await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: "policyStatus")))
            .ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented");
    }

    [Theory]
    [InlineData("s3:ExistingObjectTag/security")]
    [InlineData("aws:PrincipalTag/team")]
    public async Task PutBucketPolicy_ReturnsNotImplemented_ForAConditionKeyNoRequestCarries(string key)
    {
        await PutPolicyAsync($$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{{Bucket}}}/*",
              "Condition":{"StringEquals":{"{{{key}}}":"x"} } }]}
            """, HttpStatusCode.NotImplemented, "NotImplemented");
        await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "policy")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchBucketPolicy", Dialect.S3);
    }

    [Fact]
    public async Task ExpectedBucketOwner_OtherThanTheOwner_IsAccessDenied_AndTheOwnersIdPasses()
    {
        (await S3.SendAsync(HttpMethod.Get, Bucket, query: "list-type=2", headers: [new("x-amz-expected-bucket-owner", TestAccounts.Owner.Uin)]))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "list-type=2", headers: [new("x-amz-expected-bucket-owner", TestAccounts.Other.Uin)]))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, "k", body: [1], headers: [new("x-amz-expected-bucket-owner", TestAccounts.Other.Uin)]))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        (await S3.SendAsync(HttpMethod.Head, Bucket, "k")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SourceExpectedBucketOwner_OtherThanTheSourceOwner_IsAccessDenied_OnCopyAndUploadPartCopy()
    {
        (await S3.SendAsync(HttpMethod.Put, Bucket, "source", body: [1, 2, 3])).StatusCode.Should().Be(HttpStatusCode.OK);
        KeyValuePair<string, string>[] Copy(string owner) =>
            [new("x-amz-copy-source", $"/{Bucket}/source"), new("x-amz-source-expected-bucket-owner", owner)];

        (await S3.SendAsync(HttpMethod.Put, Bucket, "copied", headers: Copy(TestAccounts.Owner.Uin))).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, "refused", headers: Copy(TestAccounts.Other.Uin)))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        (await S3.SendAsync(HttpMethod.Head, Bucket, "refused")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var created = await S3.SendAsync(HttpMethod.Post, Bucket, "parts", query: "uploads");
        var uploadId = XDocument.Parse(await created.Content.ReadAsStringAsync()).Root!.Elements().Single(e => e.Name.LocalName == "UploadId").Value;
        (await S3.SendAsync(HttpMethod.Put, Bucket, "parts", query: $"partNumber=1&uploadId={uploadId}", headers: Copy(TestAccounts.Owner.Uin)))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, "parts", query: $"partNumber=2&uploadId={uploadId}", headers: Copy(TestAccounts.Other.Uin)))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
    }

    [Fact]
    public async Task SourceExpectedBucketOwner_TellsACallerWhoMayNotReadTheSourceNothing_WhetherTheGuessIsRightOrWrong()
    {
        (await S3.SendAsync(HttpMethod.Put, Bucket, "source", body: [1, 2, 3])).StatusCode.Should().Be(HttpStatusCode.OK);
        await PutPolicyAsync(OtherMayPutButNotPublicly, HttpStatusCode.NoContent);
        async Task<string> CopyAsync(string owner)
        {
            var response = await S3.SendAsync(HttpMethod.Put, Bucket, "copied", account: TestAccounts.Other,
                headers: [new("x-amz-copy-source", $"/{Bucket}/source"), new("x-amz-source-expected-bucket-owner", owner)]);
            response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            var error = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
            return $"{error.Element("Code")?.Value}: {error.Element("Message")?.Value}";
        }

        (await CopyAsync(TestAccounts.Owner.Uin)).Should().Be(await CopyAsync(TestAccounts.Other.Uin));
    }

    [Fact]
    public async Task CosSourceExpectedBucketOwner_IsIgnored_AsCosDocumentsNoSuchHeader()
    {
        (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "source", content: new ByteArrayContent([1, 2, 3])))).StatusCode.Should().Be(HttpStatusCode.OK);
        var copy = Server.Request(HttpMethod.Put, Bucket, "copied", headers:
            [new("x-cos-copy-source", $"{TestServer.VirtualHost(Bucket)}/source"), new("x-cos-source-expected-bucket-owner", TestAccounts.Other.Uin)]);
        (await Server.SendAsync(copy)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    /// <summary>The other account may put objects, but not with a public canned ACL.</summary>
    private string OtherMayPutButNotPublicly => $$$"""
        {"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{TestAccounts.Other.Uin}}}:root"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{{{Bucket}}}/*"},
          {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::{{{TestAccounts.Other.Uin}}}:root"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{{{Bucket}}}/*",
           "Condition":{"StringLike":{"s3:x-amz-acl":"public*"} } }]}
        """;

    private string EveryoneMayList(string? condition) => $$$"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:ListBucket",
          "Resource":["arn:aws:s3:::{{{Bucket}}}","arn:aws:s3:::{{{Bucket}}}/*"]{{{(condition is null ? "" : ",\"Condition\":" + condition)}}}}]}
        """;

    /// <summary>GetBucketPolicyStatus's IsPublic, checking the answer is 200 with S3's document.</summary>
    private async Task<bool> PolicyStatusAsync(Account? account = null)
    {
        var response = await S3.SendAsync(HttpMethod.Get, Bucket, query: "policyStatus", account: account);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        var root = XDocument.Parse(body).Root!;
        root.Name.LocalName.Should().Be("PolicyStatus");
        return bool.Parse(root.Elements().Single(e => e.Name.LocalName == "IsPublic").Value);
    }

    private async Task PutPolicyAsync(string policy, HttpStatusCode expected, string? code = null)
    {
        var response = await S3.SendAsync(HttpMethod.Put, Bucket, query: "policy", body: Encoding.UTF8.GetBytes(policy));
        if (code is null)
        {
            response.StatusCode.Should().Be(expected, await response.Content.ReadAsStringAsync());
        }
        else
        {
            await response.ShouldBeErrorAsync(expected, code, Dialect.S3);
        }
    }
}
