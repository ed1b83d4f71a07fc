using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Coffer.Model.Accounts;
using Coffer.Protocol.Routing;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// S3's conditional deletes: DeleteObject's If-Match, x-amz-if-match-last-modified-time and x-amz-if-match-size, and
/// DeleteObjects' ETag, LastModifiedTime and Size per object. A condition that does not hold deletes nothing. Each
/// test runs on both metadata engines (<see cref="SqliteConditionalDeleteTests"/>, <see cref="PostgresConditionalDeleteTests"/>):
/// the conditions are checked against the version records each engine reads back (times, sizes, ETags, delete markers).
/// </summary>
public abstract class ConditionalDeleteTests(Func<ITestEngine>? engine) : ServerTestBase("conddelete", engine)
{
    private const string OtherETag = "\"0123456789abcdef0123456789abcdef\"";

    [Fact]
    public async Task DeleteObject_ReturnsPreconditionFailed_WhenIfMatchNamesAnotherETag()
    {
        var etag = await PutAsync("k", [1, 2, 3]);

        await (await DeleteAsync("k", headers: [new("If-Match", OtherETag)])).ShouldBeErrorAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed", Dialect.S3);
        (await HeadAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK, "a refused delete keeps the object");

        (await DeleteAsync("k", headers: [new("If-Match", etag)])).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await HeadAsync("k")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteObject_ReturnsNoSuchKey_WhenIfMatchFindsNoVersionOfTheKey()
    {
        await (await DeleteAsync("missing", headers: [new("If-Match", "*")])).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey", Dialect.S3);
        await (await DeleteAsync("missing", headers: [new("If-Match", OtherETag)])).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey", Dialect.S3);
    }

    [Fact]
    public async Task DeleteObject_ReturnsPreconditionFailed_WhenIfMatchFindsADeleteMarker()
    {
        await EnableVersioningAsync();
        var etag = await PutAsync("k", [1]);
        var marker = await DeleteAsync("k", headers: [new("If-Match", "*")]);
        marker.StatusCode.Should().Be(HttpStatusCode.NoContent);
        var markerId = marker.Headers.GetValues("x-amz-version-id").Single();

        await (await DeleteAsync("k", headers: [new("If-Match", "*")])).ShouldBeErrorAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed", Dialect.S3);
        await (await DeleteAsync("k", headers: [new("If-Match", etag)])).ShouldBeErrorAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed", Dialect.S3);
        await (await DeleteAsync("k", $"versionId={markerId}", [new("If-Match", "*")]))
            .ShouldBeErrorAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed", Dialect.S3);

        (await DeleteAsync("k", $"versionId={markerId}")).StatusCode.Should().Be(HttpStatusCode.NoContent, "the refused deletes kept the marker");
        (await HeadAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK, "removing the marker brings the object back: no other marker was added");
    }

    [Fact]
    public async Task DeleteObject_ReturnsAccessDenied_ForIfMatchWithAnETag_WhenTheCallerMayDeleteButNotRead()
    {
        var etag = await PutAsync("k", [1, 2, 3]);
        var deleter = await SubAccountAsync("name/cos:DeleteObject");

        await (await DeleteAsync("k", headers: [new("If-Match", OtherETag)], account: deleter)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await DeleteAsync("k", headers: [new("If-Match", etag)], account: deleter)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await DeleteAsync("missing", headers: [new("If-Match", etag)], account: deleter))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        var batch = await S3.SendAsync(HttpMethod.Post, Bucket, query: "delete", account: deleter,
            body: Encoding.UTF8.GetBytes($"<Delete><Object><Key>k</Key><ETag>{etag}</ETag></Object></Delete>"));
        batch.StatusCode.Should().Be(HttpStatusCode.OK);
        var result = XElement.Parse(await batch.Content.ReadAsStringAsync());
        result.Elements(result.Name.Namespace + "Error").Select(e => e.Element(result.Name.Namespace + "Code")!.Value).Should().Equal("AccessDenied");
        (await HeadAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK, "no delete the caller could not read for went through");

        (await DeleteAsync("k", headers: [new("If-Match", "*")], account: deleter)).StatusCode.Should().Be(HttpStatusCode.NoContent,
            "If-Match: * tells nothing the delete itself does not");
        (await HeadAsync("k")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var reader = await SubAccountAsync("name/cos:DeleteObject", "name/cos:GetObject");
        var again = await PutAsync("k", [4]);
        (await DeleteAsync("k", headers: [new("If-Match", again)], account: reader)).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task DeleteAndDeleteObjects_IgnoreConditions_InCos()
    {
        await Server.PutObjectAsync(Bucket, "single", [1]);
        await Server.PutObjectAsync(Bucket, "batched", [1]);

        (await Server.SendAsync(Server.Request(HttpMethod.Delete, Bucket, "single",
            headers: [new("If-Match", OtherETag), new("x-amz-if-match-size", "9")]))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var body = $"<Delete><Object><Key>batched</Key><ETag>{OtherETag}</ETag><Size>9</Size></Object></Delete>";
        var batch = await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, query: "delete", content: new StringContent(body),
            headers: [new("Content-MD5", Convert.ToBase64String(MD5.HashData(Encoding.UTF8.GetBytes(body))))]));

        batch.StatusCode.Should().Be(HttpStatusCode.OK);
        XElement.Parse(await batch.Content.ReadAsStringAsync()).Elements("Deleted").Select(d => d.Element("Key")!.Value).Should().Equal("batched");
        foreach (var key in new[] { "single", "batched" })
        {
            (await HeadAsync(key)).StatusCode.Should().Be(HttpStatusCode.NotFound, "COS documents no conditional delete: " + key);
        }
    }

    [Fact]
    public async Task DeleteObject_ReturnsPreconditionFailed_WhenSizeOrLastModifiedTimeDiffers()
    {
        await PutAsync("k", [1, 2, 3]);
        var lastModified = (await HeadAsync("k")).Content.Headers.GetValues("Last-Modified").Single();

        await (await DeleteAsync("k", headers: [new("x-amz-if-match-size", "4")])).ShouldBeErrorAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed", Dialect.S3);
        await (await DeleteAsync("k", headers: [new("x-amz-if-match-last-modified-time", "Thu, 01 Jan 2015 00:00:00 GMT")]))
            .ShouldBeErrorAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed", Dialect.S3);
        (await HeadAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await DeleteAsync("k", headers: [new("x-amz-if-match-size", "3"), new("x-amz-if-match-last-modified-time", lastModified)]))
            .StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await HeadAsync("k")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await DeleteAsync("k", headers: [new("x-amz-if-match-size", "4")])).StatusCode.Should().Be(HttpStatusCode.NoContent,
            "S3 answers a size condition on a missing object with success");
    }

    [Theory]
    [InlineData("x-amz-if-match-size", "three")]
    [InlineData("x-amz-if-match-size", "-1")]
    [InlineData("x-amz-if-match-last-modified-time", "yesterday")]
    public async Task DeleteObject_ReturnsInvalidArgument_ForAConditionThatDoesNotParse(string header, string value)
    {
        await PutAsync("k", [1]);

        await (await DeleteAsync("k", headers: [new(header, value)])).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        (await HeadAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeleteObject_ChecksTheNamedVersion_WhenAVersionIdIsGiven()
    {
        await EnableVersioningAsync();
        var first = await S3.SendAsync(HttpMethod.Put, Bucket, "k", body: [1]);
        var firstId = first.Headers.GetValues("x-amz-version-id").Single();
        var currentETag = await PutAsync("k", [2, 2]);

        await (await DeleteAsync("k", $"versionId={firstId}", [new("If-Match", currentETag)]))
            .ShouldBeErrorAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed", Dialect.S3);
        (await DeleteAsync("k", $"versionId={firstId}", [new("If-Match", first.Headers.ETag!.Tag), new("x-amz-if-match-size", "1")]))
            .StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await DeleteAsync("k", $"versionId={firstId}", [new("If-Match", "*")])).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchVersion", Dialect.S3);
    }

    [Fact]
    public async Task DeleteObjects_ReportsPreconditionFailed_ForEachObjectWhoseConditionFails_AndDeletesTheOthers()
    {
        var etag = await PutAsync("match", [1]);
        await PutAsync("wrong-etag", [1]);
        await PutAsync("wrong-size", [1]);
        await PutAsync("wrong-time", [1]);
        var body = $"""
            <Delete>
              <Object><Key>match</Key><ETag>{etag}</ETag><Size>1</Size></Object>
              <Object><Key>wrong-etag</Key><ETag>{OtherETag}</ETag></Object>
              <Object><Key>wrong-size</Key><Size>2</Size></Object>
              <Object><Key>wrong-time</Key><LastModifiedTime>Thu, 01 Jan 2015 00:00:00 GMT</LastModifiedTime></Object>
              <Object><Key>missing</Key><ETag>{etag}</ETag></Object>
            </Delete>
            """;

        var response = await S3.SendAsync(HttpMethod.Post, Bucket, query: "delete", body: Encoding.UTF8.GetBytes(body));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var result = XElement.Parse(await response.Content.ReadAsStringAsync());
        var ns = result.Name.Namespace;
        result.Elements(ns + "Deleted").Select(d => d.Element(ns + "Key")!.Value).Should().Equal("match");
        result.Elements(ns + "Error").Select(e => (e.Element(ns + "Key")!.Value, e.Element(ns + "Code")!.Value)).Should().BeEquivalentTo(
            [("wrong-etag", "PreconditionFailed"), ("wrong-size", "PreconditionFailed"), ("wrong-time", "PreconditionFailed"), ("missing", "NoSuchKey")]);
        (await HeadAsync("match")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreach (var kept in new[] { "wrong-etag", "wrong-size", "wrong-time" })
        {
            (await HeadAsync(kept)).StatusCode.Should().Be(HttpStatusCode.OK, kept);
        }
    }

    [Theory]
    [InlineData("<Size>one</Size>")]
    [InlineData("<LastModifiedTime>yesterday</LastModifiedTime>")]
    public async Task DeleteObjects_ReturnsMalformedXml_ForAConditionThatDoesNotParse(string condition)
    {
        await PutAsync("k", [1]);
        var body = $"<Delete><Object><Key>k</Key>{condition}</Object></Delete>";

        await (await S3.SendAsync(HttpMethod.Post, Bucket, query: "delete", body: Encoding.UTF8.GetBytes(body)))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedXML", Dialect.S3);
        (await HeadAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task<string> PutAsync(string key, byte[] body)
    {
        var response = await S3.SendAsync(HttpMethod.Put, Bucket, key, body: body);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return response.Headers.ETag!.Tag;
    }

    private Task<HttpResponseMessage> DeleteAsync(string key, string query = "", IEnumerable<KeyValuePair<string, string>>? headers = null,
        Account? account = null) =>
        S3.SendAsync(HttpMethod.Delete, Bucket, key, query, headers: headers, account: account);

    /// <summary>A sub-account of the bucket owner allowed <paramref name="actions"/> on everything.</summary>
    private async Task<Account> SubAccountAsync(params string[] actions)
    {
        var quoted = string.Join(",", actions.Select(a => '"' + a + '"'));
        var policy = $$"""{"version":"2.0","statement":[{"effect":"allow","action":[{{quoted}}],"resource":["*"]}]}""";
        var created = await Server.Server.Services.GetRequiredService<IdentityDirectory>()
            .CreateSubAccountAsync(TestAccounts.Owner.AppId, string.Join("-", actions).Replace("name/cos:", ""), null, Encoding.UTF8.GetBytes(policy));
        return new Account(created.AppId, created.Uin, created.SecretId, created.SecretKey, "sub");
    }

    private Task<HttpResponseMessage> HeadAsync(string key) => S3.SendAsync(HttpMethod.Head, Bucket, key);

    private async Task EnableVersioningAsync() =>
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "versioning",
            body: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"u8.ToArray())).StatusCode.Should().Be(HttpStatusCode.OK);
}

public sealed class SqliteConditionalDeleteTests() : ConditionalDeleteTests(null);

public sealed class PostgresConditionalDeleteTests() : ConditionalDeleteTests(() => new PostgresTestEngine());
