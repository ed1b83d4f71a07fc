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
public sealed class ListingEdgeTests() : ServerTestBase("edges")
{
    private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    [Fact]
    public async Task PutAndCopy_RefuseAKeyXmlCannotCarry_InBothDialects_SoEveryListingCanNameEveryKey()
    {
        // S3 stores such keys and lists them as character references, which XML parsers refuse: one such key would make
        // every plain listing around it fail for most clients, so none is taken in.
        await (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "ctl\u0001key", content: new ByteArrayContent([1]))))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        await (await S3.SendAsync(HttpMethod.Put, Bucket, "s3\u001bkey", body: [2])).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        (await S3.SendAsync(HttpMethod.Put, Bucket, "source", body: [3])).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, "copy\u0002key", headers: [new("x-amz-copy-source", $"/{Bucket}/source")]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);

        // Nor a delete marker for such a key with no versions, which a DELETE in a versioned bucket would make.
        await EnableVersioningAsync();
        await (await S3.SendAsync(HttpMethod.Delete, Bucket, "gone\u0001key")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);

        foreach (var listing in new[] { "", "list-type=2", "versions" })
        {
            (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: listing))).StatusCode.Should().Be(HttpStatusCode.OK);
            var keys = XDocument.Parse(await (await S3.SendAsync(HttpMethod.Get, Bucket, query: listing)).Content.ReadAsStringAsync())
                .Descendants(XName.Get("Key", S3Namespace)).Select(k => k.Value);
            keys.Should().Equal("source");
        }
    }

    [Fact]
    public async Task ListMultipartUploads_WithAPrefixXmlCannotCarry_IsInvalidArgument_AndEchoesItWithEncodingTypeUrl()
    {
        await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: "uploads&prefix=%01")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        var encoded = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: "uploads&prefix=%01&encoding-type=url"));
        XDocument.Parse(await encoded.Content.ReadAsStringAsync()).Root!.Element("Prefix")!.Value.Should().Be("%01");
    }

    [Fact]
    public async Task CreateMultipartUpload_RefusesAKeyXmlCannotCarry_InBothDialects()
    {
        await (await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, "mp\u0001key", "uploads")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        await (await S3.SendAsync(HttpMethod.Post, Bucket, "mp\u0001key", "uploads")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        var uploads = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: "uploads&encoding-type=url"));
        XDocument.Parse(await uploads.Content.ReadAsStringAsync()).Descendants("Upload").Should().BeEmpty();
    }

    [Fact]
    public async Task Listing_KeepsACarriageReturnInAKey()
    {
        await Server.PutObjectAsync(Bucket, "line\rbreak", [1]);
        await Server.PutObjectAsync(Bucket, "crlf\r\nkey", [1]);
        foreach (var listing in new[] { "", "list-type=2", "versions" })
        {
            var response = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: listing));
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
            versions.Add((await Server.PutObjectAsync(Bucket, "a", [(byte)i])).Headers.GetValues("x-cos-version-id").Single());
        }

        await Server.PutObjectAsync(Bucket, "b", [9]);
        var page = await VersionsAsync("versions&max-keys=2");
        page.Element("NextKeyMarker")!.Value.Should().Be("a");
        var marker = page.Element("NextVersionIdMarker")!.Value;
        marker.Should().Be(versions[1]);

        // The usual loop to empty a bucket: delete what the page listed, then ask for the next page.
        foreach (var listed in new[] { versions[2], versions[1] })
        {
            (await Server.SendAsync(Server.Request(HttpMethod.Delete, Bucket, "a", $"versionId={Uri.EscapeDataString(listed)}")))
                .StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        var next = await VersionsAsync($"versions&key-marker=a&version-id-marker={Uri.EscapeDataString(marker)}");
        next.Elements("Version").Select(v => (v.Element("Key")!.Value, v.Element("VersionId")!.Value))
            .Should().Equal([("a", versions[0]), ("b", next.Elements("Version").Last().Element("VersionId")!.Value)]);
    }

    [Fact]
    public async Task ListObjectVersions_AcceptsTheNullMarker_WhenTheKeysNullVersionIsGone_InBothDialects()
    {
        await Server.PutObjectAsync(Bucket, "k", [1]);
        await Server.PutObjectAsync(Bucket, "later", [1]);
        await EnableVersioningAsync();
        (await Server.SendAsync(Server.Request(HttpMethod.Delete, Bucket, "k", "versionId=null"))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var next = await VersionsAsync("versions&key-marker=k&version-id-marker=null");
        next.Elements("Version").Select(v => v.Element("Key")!.Value).Should().Equal("later");
        var s3 = await S3.SendAsync(HttpMethod.Get, Bucket, query: "versions&key-marker=k&version-id-marker=null");
        s3.StatusCode.Should().Be(HttpStatusCode.OK, await s3.Content.ReadAsStringAsync());
        await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: "versions&key-marker=k&version-id-marker=%21%21")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task ListObjectsV2_EchoesAnEmptyContinuationToken_AndListsFromTheStart()
    {
        await Server.PutObjectAsync(Bucket, "first", [1]);
        var response = await S3.SendAsync(HttpMethod.Get, Bucket, query: "list-type=2&continuation-token=");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        root.Element(XName.Get("ContinuationToken", S3Namespace))!.Value.Should().BeEmpty();
        root.Elements(XName.Get("Contents", S3Namespace)).Should().ContainSingle();
    }

    [Fact]
    public async Task DeleteObjects_DeletesAKeyThatIsOnlyWhitespace_InBothDialects()
    {
        await Server.PutObjectAsync(Bucket, " ", [1]);
        await Server.PutObjectAsync(Bucket, "\t", [1]);
        var body = "<Delete><Object><Key> </Key></Object></Delete>";
        var cos = await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, query: "delete", content: new StringContent(body)));
        cos.StatusCode.Should().Be(HttpStatusCode.OK);
        XDocument.Parse(await cos.Content.ReadAsStringAsync(), LoadOptions.PreserveWhitespace).Root!.Element("Deleted")!.Element("Key")!.Value.Should().Be(" ");

        var s3 = await S3.SendAsync(HttpMethod.Post, Bucket, query: "delete", body: Encoding.UTF8.GetBytes("<Delete><Object><Key>\t</Key></Object></Delete>"));
        s3.StatusCode.Should().Be(HttpStatusCode.OK, await s3.Content.ReadAsStringAsync());
        (await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, " "))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "\t"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutBucketPolicy_ReturnsMalformedPolicy_ForInvalidUtf8_InBothDialects()
    {
        byte[] policy = [.. """{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["qcs::cam::anyone:anyone"]},"action":["name/cos:GetObject"],"resource":["x"""u8,
            0xC3, 0x28, .. "\"]}]}"u8];
        await (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, query: "policy", content: new ByteArrayContent(policy))))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedPolicy");
        await (await S3.SendAsync(HttpMethod.Put, Bucket, query: "policy", body: policy)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedPolicy", Dialect.S3);
        await (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, query: "policy",
            content: new StringContent("""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["\ud800"]},"action":["name/cos:GetObject"],"resource":["*"]}]}"""))))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedPolicy");
    }

    private async Task EnableVersioningAsync() =>
        (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, query: "versioning",
            content: new StringContent("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")))).EnsureSuccessStatusCode();

    private async Task<XElement> VersionsAsync(string query)
    {
        var response = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: query));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return XDocument.Parse(text).Root!;
    }
}
