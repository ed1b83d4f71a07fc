using System.Net;
using System.Text;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// What a GET or HEAD of a key that does not exist answers. S3 (GetObject's "Permissions"): 404 NoSuchKey to a caller who
/// also has <c>s3:ListBucket</c>, 403 AccessDenied to one who has not (a named version's NoSuchVersion too). COS (HEAD Object): 404 to whoever may read the
/// object, 403 to whoever may not.
/// </summary>
public sealed class MissingKeyAnswerTests() : ServerTestBase("missing")
{
    [Fact]
    public async Task GetAndHead_OfAMissingKey_AreAccessDenied_InS3_ToACallerWhoMayReadButNotList()
    {
        await PutS3PolicyAsync("s3:GetObject", $"arn:aws:s3:::{Bucket}/*", condition: "");
        (await S3.SendAsync(HttpMethod.Put, Bucket, "there", body: [1])).StatusCode.Should().Be(HttpStatusCode.OK);

        (await S3.SendAsync(HttpMethod.Get, Bucket, "there", account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await S3.SendAsync(HttpMethod.Get, Bucket, "absent", account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        (await S3.SendAsync(HttpMethod.Head, Bucket, "absent", account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        await (await S3.SendAsync(HttpMethod.Get, Bucket, "absent")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey", Dialect.S3);
    }

    [Fact]
    public async Task Head_OfAMissingKey_IsNotFound_InS3_ToACallerWhoMayListThatPrefix_AndDeniedElsewhere()
    {
        await PutS3PolicyAsync("s3:ListBucket", $"arn:aws:s3:::{Bucket}", condition: ""","Condition":{"StringLike":{"s3:prefix":"public/*"} }""");
        (await S3.SendAsync(HttpMethod.Put, Bucket, "public/there", body: [1])).StatusCode.Should().Be(HttpStatusCode.OK);

        await (await S3.SendAsync(HttpMethod.Get, Bucket, "public/absent", account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey", Dialect.S3);
        (await S3.SendAsync(HttpMethod.Head, Bucket, "public/absent", account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await S3.SendAsync(HttpMethod.Head, Bucket, "private/absent", account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await S3.SendAsync(HttpMethod.Get, Bucket, "public/there", account: TestAccounts.Other)).StatusCode
            .Should().Be(HttpStatusCode.Forbidden, "listing does not grant reading an object that exists");
    }

    [Fact]
    public async Task Get_OfAMissingVersion_IsAccessDenied_InS3_ToAReaderWhoMayNotList_AndNoSuchVersionToALister()
    {
        var versioning = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"u8.ToArray();
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "versioning", body: versioning)).StatusCode.Should().Be(HttpStatusCode.OK);
        var put = await S3.SendAsync(HttpMethod.Put, Bucket, "k", body: [1]);
        var versionId = put.Headers.GetValues("x-amz-version-id").Single();
        (await S3.SendAsync(HttpMethod.Delete, Bucket, "k", query: $"versionId={versionId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await PutS3PolicyAsync("s3:GetObject", $"arn:aws:s3:::{Bucket}/*", condition: "");
        await (await S3.SendAsync(HttpMethod.Get, Bucket, "k", query: $"versionId={versionId}", account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await PutS3PolicyAsync("s3:ListBucket", $"arn:aws:s3:::{Bucket}", condition: "");
        await (await S3.SendAsync(HttpMethod.Get, Bucket, "k", query: $"versionId={versionId}", account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchVersion", Dialect.S3);
    }

    [Fact]
    public async Task GetAndHead_OfAKeyWhoseCurrentVersionIsADeleteMarker_AreNotFoundWithTheMarker_ToALister_AndAccessDenied_ToAReaderWhoMayNotList()
    {
        var marker = await DeleteMarkerAsync("gone");
        await PutS3PolicyAsync("s3:GetObject", $"arn:aws:s3:::{Bucket}/*", condition: "");
        foreach (var method in (HttpMethod[])[HttpMethod.Get, HttpMethod.Head])
        {
            var denied = await S3.SendAsync(method, Bucket, "gone", account: TestAccounts.Other);
            denied.StatusCode.Should().Be(HttpStatusCode.Forbidden, method.Method);
            denied.Headers.Contains("x-amz-delete-marker").Should().BeFalse("a denial tells nothing of the key");
        }

        await PutS3PolicyAsync("s3:GetObject", $"arn:aws:s3:::{Bucket}/*", condition: "", alsoList: true);
        foreach (var method in (HttpMethod[])[HttpMethod.Get, HttpMethod.Head])
        {
            var missing = await S3.SendAsync(method, Bucket, "gone", account: TestAccounts.Other);
            missing.StatusCode.Should().Be(HttpStatusCode.NotFound, method.Method);
            missing.Headers.GetValues("x-amz-delete-marker").Single().Should().Be("true");
            missing.Headers.GetValues("x-amz-version-id").Single().Should().Be(marker);
        }

        await (await S3.SendAsync(HttpMethod.Get, Bucket, "gone", account: TestAccounts.Other)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey", Dialect.S3);
    }

    [Fact]
    public async Task GetAndHead_OfADeleteMarkersVersionId_AreMethodNotAllowed_WithTheMarkerAndItsDate()
    {
        var marker = await DeleteMarkerAsync("gone");
        foreach (var method in (HttpMethod[])[HttpMethod.Get, HttpMethod.Head])
        {
            var refused = await S3.SendAsync(method, Bucket, "gone", query: $"versionId={marker}");
            refused.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed, method.Method);
            refused.Headers.GetValues("x-amz-delete-marker").Single().Should().Be("true");
            refused.Content.Headers.LastModified.Should().NotBeNull();
        }

        await (await S3.SendAsync(HttpMethod.Get, Bucket, "gone", query: $"versionId={marker}"))
            .ShouldBeErrorAsync(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", Dialect.S3);
    }

    [Fact]
    public async Task Head_OfAMissingKey_IsNotFound_InCos_ToACallerWhoMayRead()
    {
        var policy = $$"""
            {"version":"2.0","statement":[{"principal":{"qcs":["qcs::cam::uin/{{TestAccounts.Other.Uin}}:uin/{{TestAccounts.Other.Uin}}"]},"effect":"allow",
              "action":["name/cos:GetObject","name/cos:HeadObject"],"resource":["qcs::cos:ap-guangzhou:uid/{{TestAccounts.Owner.AppId}}:{{Bucket}}/*"]}]}
            """;
        (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, query: "policy", content: new StringContent(policy))))
            .StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "absent", account: TestAccounts.Other))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    /// <summary>A versioned bucket's key whose current version is a delete marker; answers the marker's version id.</summary>
    private async Task<string> DeleteMarkerAsync(string key)
    {
        var versioning = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"u8.ToArray();
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "versioning", body: versioning)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await S3.SendAsync(HttpMethod.Put, Bucket, key, body: [1])).StatusCode.Should().Be(HttpStatusCode.OK);
        var delete = await S3.SendAsync(HttpMethod.Delete, Bucket, key);
        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        delete.Headers.GetValues("x-amz-delete-marker").Single().Should().Be("true");
        return delete.Headers.GetValues("x-amz-version-id").Single();
    }

    private async Task PutS3PolicyAsync(string action, string resource, string condition, bool alsoList = false)
    {
        var list = alsoList
            ? $$$""",{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{TestAccounts.Other.Uin}}}:root"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::{{{Bucket}}}"}"""
            : "";
        var policy = $$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{TestAccounts.Other.Uin}}}:root"},
              "Action":"{{{action}}}","Resource":"{{{resource}}}"{{{condition}}} }{{{list}}}]}
            """;
        var response = await S3.SendAsync(HttpMethod.Put, Bucket, query: "policy", body: Encoding.UTF8.GetBytes(policy));
        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
    }
}
