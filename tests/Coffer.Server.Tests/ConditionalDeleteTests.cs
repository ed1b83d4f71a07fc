using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// S3's conditional deletes: DeleteObject's If-Match, x-amz-if-match-last-modified-time and x-amz-if-match-size, and
/// DeleteObjects' ETag, LastModifiedTime and Size per object. A condition that does not hold deletes nothing.
/// </summary>
public sealed class ConditionalDeleteTests() : ServerTestBase("conddelete")
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
    public async Task DeleteObject_ReturnsNoSuchKey_WhenIfMatchFindsNoObject()
    {
        await (await DeleteAsync("missing", headers: [new("If-Match", "*")])).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey", Dialect.S3);

        await EnableVersioningAsync();
        await PutAsync("k", [1]);
        (await DeleteAsync("k", headers: [new("If-Match", "*")])).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await DeleteAsync("k", headers: [new("If-Match", "*")])).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey", Dialect.S3);
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

    private Task<HttpResponseMessage> DeleteAsync(string key, string query = "", IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        S3.SendAsync(HttpMethod.Delete, Bucket, key, query, headers: headers);

    private Task<HttpResponseMessage> HeadAsync(string key) => S3.SendAsync(HttpMethod.Head, Bucket, key);

    private async Task EnableVersioningAsync() =>
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "versioning",
            body: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"u8.ToArray())).StatusCode.Should().Be(HttpStatusCode.OK);
}
