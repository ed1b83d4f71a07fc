using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// Listings and request documents at their edges: keys XML 1.0 cannot carry, keys with a carriage return, version
/// markers whose version is gone, empty continuation tokens, whitespace keys in a batch delete, policies that are not UTF-8.
/// </summary>
public sealed class ListingEdgeTests : IAsyncLifetime
{
    private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly string _bucket = TestServer.BucketName("edges");
    private TestServer _server = null!;
    private S3TestClient _s3 = null!;

    public static TheoryData<string> PlainListings => new() { "", "list-type=2", "versions", "uploads" };

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _s3 = new S3TestClient(_server.BaseAddress);
        await _server.CreateBucketAsync(_bucket);
    }

    public async Task DisposeAsync()
    {
        _s3.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(PlainListings))]
    public async Task Listing_OfAKeyXmlCannotCarry_IsInvalidArgument_AndListsItWithEncodingTypeUrl(string listing)
    {
        await _server.PutObjectAsync(_bucket, "ctl\u0001key", [1]);
        await _s3.SendAsync(HttpMethod.Put, _bucket, "s3\u0001key", body: [2]);
        var objectListing = listing != "uploads";

        var plain = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: listing));
        var s3Plain = await _s3.SendAsync(HttpMethod.Get, _bucket, query: listing);
        if (objectListing)
        {
            (await plain.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument")).Element("Message")!.Value.Should().Contain("encoding-type=url");
            await s3Plain.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        }
        else
        {
            plain.StatusCode.Should().Be(HttpStatusCode.OK, "no upload has such a key: multipart refuses them");
        }

        var encoded = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: Join(listing, "encoding-type=url")));
        encoded.StatusCode.Should().Be(HttpStatusCode.OK);
        var keys = XDocument.Parse(await encoded.Content.ReadAsStringAsync()).Descendants("Key").Select(k => k.Value).ToArray();
        if (objectListing)
        {
            keys.Should().Contain(["ctl%01key", "s3%01key"]);
        }

        var s3Encoded = await _s3.SendAsync(HttpMethod.Get, _bucket, query: Join(listing, "encoding-type=url"));
        s3Encoded.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ListMultipartUploads_WithAPrefixXmlCannotCarry_IsInvalidArgument_AndEchoesItWithEncodingTypeUrl()
    {
        await (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "uploads&prefix=%01")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        var encoded = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "uploads&prefix=%01&encoding-type=url"));
        XDocument.Parse(await encoded.Content.ReadAsStringAsync()).Root!.Element("Prefix")!.Value.Should().Be("%01");
    }

    [Fact]
    public async Task CreateMultipartUpload_RefusesAKeyXmlCannotCarry_InBothDialects()
    {
        await (await _server.SendAsync(_server.Request(HttpMethod.Post, _bucket, "mp\u0001key", "uploads")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        await (await _s3.SendAsync(HttpMethod.Post, _bucket, "mp\u0001key", "uploads")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        var uploads = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "uploads&encoding-type=url"));
        XDocument.Parse(await uploads.Content.ReadAsStringAsync()).Descendants("Upload").Should().BeEmpty();
    }

    [Fact]
    public async Task Listing_KeepsACarriageReturnInAKey()
    {
        await _server.PutObjectAsync(_bucket, "line\rbreak", [1]);
        await _server.PutObjectAsync(_bucket, "crlf\r\nkey", [1]);
        foreach (var listing in new[] { "", "list-type=2", "versions" })
        {
            var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: listing));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            XDocument.Parse(await response.Content.ReadAsStringAsync()).Descendants("Key").Select(k => k.Value)
                .Should().Equal(["crlf\r\nkey", "line\rbreak"], $"listing '{listing}' must name the keys exactly");
        }
    }

    [Fact]
    public async Task ListObjectVersions_ResumesInsideTheMarkerKey_WhenTheMarkerVersionWasDeleted()
    {
        await EnableVersioningAsync();
        var versions = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            versions.Add((await _server.PutObjectAsync(_bucket, "a", [(byte)i])).Headers.GetValues("x-cos-version-id").Single());
        }

        await _server.PutObjectAsync(_bucket, "b", [9]);
        var page = await VersionsAsync("versions&max-keys=2");
        page.Element("NextKeyMarker")!.Value.Should().Be("a");
        var marker = page.Element("NextVersionIdMarker")!.Value;
        marker.Should().Be(versions[1]);

        // The usual loop to empty a bucket: delete what the page listed, then ask for the next page.
        foreach (var listed in new[] { versions[2], versions[1] })
        {
            (await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, "a", $"versionId={Uri.EscapeDataString(listed)}")))
                .StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        var next = await VersionsAsync($"versions&key-marker=a&version-id-marker={Uri.EscapeDataString(marker)}");
        next.Elements("Version").Select(v => (v.Element("Key")!.Value, v.Element("VersionId")!.Value))
            .Should().Equal([("a", versions[0]), ("b", next.Elements("Version").Last().Element("VersionId")!.Value)]);
    }

    [Fact]
    public async Task ListObjectVersions_AcceptsTheNullMarker_WhenTheKeysNullVersionIsGone_InBothDialects()
    {
        await _server.PutObjectAsync(_bucket, "k", [1]);
        await _server.PutObjectAsync(_bucket, "later", [1]);
        await EnableVersioningAsync();
        (await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, "k", "versionId=null"))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var next = await VersionsAsync("versions&key-marker=k&version-id-marker=null");
        next.Elements("Version").Select(v => v.Element("Key")!.Value).Should().Equal("later");
        var s3 = await _s3.SendAsync(HttpMethod.Get, _bucket, query: "versions&key-marker=k&version-id-marker=null");
        s3.StatusCode.Should().Be(HttpStatusCode.OK, await s3.Content.ReadAsStringAsync());
        await (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "versions&key-marker=k&version-id-marker=%21%21")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task ListObjectsV2_EchoesAnEmptyContinuationToken_AndListsFromTheStart()
    {
        await _server.PutObjectAsync(_bucket, "first", [1]);
        var response = await _s3.SendAsync(HttpMethod.Get, _bucket, query: "list-type=2&continuation-token=");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        root.Element(XName.Get("ContinuationToken", S3Namespace))!.Value.Should().BeEmpty();
        root.Elements(XName.Get("Contents", S3Namespace)).Should().ContainSingle();
    }

    [Fact]
    public async Task DeleteObjects_DeletesAKeyThatIsOnlyWhitespace_InBothDialects()
    {
        await _server.PutObjectAsync(_bucket, " ", [1]);
        await _server.PutObjectAsync(_bucket, "\t", [1]);
        var body = "<Delete><Object><Key> </Key></Object></Delete>";
        var cos = await _server.SendAsync(_server.Request(HttpMethod.Post, _bucket, query: "delete", content: new StringContent(body)));
        cos.StatusCode.Should().Be(HttpStatusCode.OK);
        XDocument.Parse(await cos.Content.ReadAsStringAsync(), LoadOptions.PreserveWhitespace).Root!.Element("Deleted")!.Element("Key")!.Value.Should().Be(" ");

        var s3 = await _s3.SendAsync(HttpMethod.Post, _bucket, query: "delete", body: Encoding.UTF8.GetBytes("<Delete><Object><Key>\t</Key></Object></Delete>"));
        s3.StatusCode.Should().Be(HttpStatusCode.OK, await s3.Content.ReadAsStringAsync());
        (await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, " "))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "\t"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutBucketPolicy_ReturnsMalformedPolicy_ForInvalidUtf8_InBothDialects()
    {
        byte[] policy = [.. """{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["qcs::cam::anyone:anyone"]},"action":["name/cos:GetObject"],"resource":["x"""u8,
            0xC3, 0x28, .. "\"]}]}"u8];
        await (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "policy", content: new ByteArrayContent(policy))))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedPolicy");
        await (await _s3.SendAsync(HttpMethod.Put, _bucket, query: "policy", body: policy)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedPolicy", Dialect.S3);
        await (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "policy",
            content: new StringContent("""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["\ud800"]},"action":["name/cos:GetObject"],"resource":["*"]}]}"""))))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedPolicy");
    }

    private static string Join(string query, string parameter) => query.Length == 0 ? parameter : query + "&" + parameter;

    private async Task EnableVersioningAsync() =>
        (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "versioning",
            content: new StringContent("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")))).EnsureSuccessStatusCode();

    private async Task<XElement> VersionsAsync(string query)
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: query));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return XDocument.Parse(text).Root!;
    }
}
