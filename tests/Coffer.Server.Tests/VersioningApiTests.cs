using System.Diagnostics;
using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Model;
using Coffer.Model.Objects;
using Coffer.Protocol.Routing;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Coffer.Server.Tests;

public sealed class VersioningApiTests(ITestOutputHelper output) : ServerTestBase("versions")
{
    [Fact]
    public async Task GetBucketVersioning_ShowsNoStatus_UntilEnabled_ThenTheStatus()
    {
        (await VersioningAsync()).Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?><VersioningConfiguration></VersioningConfiguration>");
        await EnableAsync("Enabled");
        (await VersioningAsync()).Should().Be(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>");
        await EnableAsync("Suspended");
        (await VersioningAsync()).Should().Contain("<Status>Suspended</Status>");
    }

    [Theory]
    [InlineData("<VersioningConfiguration><Status>On</Status></VersioningConfiguration>")]
    [InlineData("<Versioning><Status>Enabled</Status></Versioning>")]
    [InlineData("<VersioningConfiguration><Status>Enabled</Status>")]
    [InlineData("<VersioningConfiguration><Status>Enabled</Status><MfaDelete>On</MfaDelete></VersioningConfiguration>")]
    public async Task PutBucketVersioning_ReturnsMalformedXml_ForBadBodies(string body)
    {
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, query: "versioning", content: new StringContent(body)));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedXML");
    }

    [Fact]
    public async Task PutBucketVersioning_ReturnsMalformedXml_AndChangesNothing_ForAnElementOutsideTheSchema()
    {
        // MinIO's versioning exclusions, as minio-py's set_bucket_versioning sends them (mint): accepted, they would read
        // back as never set.
        var body = "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>Enabled</Status>"
            + "<ExcludeFolders>true</ExcludeFolders><ExcludedPrefixes><Prefix>prefix1</Prefix></ExcludedPrefixes></VersioningConfiguration>";

        await (await S3.SendAsync(HttpMethod.Put, Bucket, query: "versioning", body: Encoding.UTF8.GetBytes(body)))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedXML", Dialect.S3);
        (await VersioningAsync()).Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?><VersioningConfiguration></VersioningConfiguration>");
    }

    [Fact]
    public async Task PutBucketVersioning_IsNotImplemented_WithMfaDeleteEnabled_AndSetsTheStatus_WithMfaDeleteDisabled()
    {
        static byte[] Body(string mfaDelete) =>
            Encoding.UTF8.GetBytes($"<VersioningConfiguration><Status>Enabled</Status><MfaDelete>{mfaDelete}</MfaDelete></VersioningConfiguration>");

        await (await S3.SendAsync(HttpMethod.Put, Bucket, query: "versioning", body: Body("Enabled")))
            .ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented", Dialect.S3);
        (await VersioningAsync()).Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?><VersioningConfiguration></VersioningConfiguration>");

        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "versioning", body: Body("Disabled"))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await VersioningAsync()).Should().Be(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>");
    }

    [Fact]
    public async Task PutBucketVersioning_ReturnsMissingRequestBody_WithoutABody()
    {
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, query: "versioning"));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MissingRequestBodyError");
    }

    [Fact]
    public async Task Versions_CarryVersionIdHeaders_AndDeleteMarkersAnswerInKind()
    {
        await EnableAsync("Enabled");
        var put = await Server.PutObjectAsync(Bucket, "k", [1]);
        var versionId = put.Headers.GetValues("x-cos-version-id").Single();

        var delete = await Server.SendAsync(Server.Request(HttpMethod.Delete, Bucket, "k"));
        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        delete.Headers.GetValues("x-cos-delete-marker").Single().Should().Be("true");
        var markerId = delete.Headers.GetValues("x-cos-version-id").Single();

        var get = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k"));
        await get.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey");
        get.Headers.GetValues("x-cos-delete-marker").Single().Should().Be("true");
        get.Headers.GetValues("x-cos-version-id").Single().Should().Be(markerId);

        var getMarker = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k", query: $"versionId={markerId}"));
        await getMarker.ShouldBeErrorAsync(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");

        var old = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k", query: $"versionId={versionId}"));
        old.StatusCode.Should().Be(HttpStatusCode.OK);
        old.Headers.GetValues("x-cos-version-id").Single().Should().Be(versionId);

        var unknown = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k", query: "versionId=MTIzNDU2"));
        await unknown.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchVersion");
    }

    [Fact]
    public async Task DeleteObject_ReturnsInvalidArgument_ForAMalformedVersionId_AndBatchDeleteReportsItAsAnError()
    {
        await EnableAsync("Enabled");
        await Server.PutObjectAsync(Bucket, "k", [1]);

        var single = await Server.SendAsync(Server.Request(HttpMethod.Delete, Bucket, "k", query: "versionId=zzz"));
        await single.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");

        var body = "<Delete><Object><Key>k</Key><VersionId>zzz</VersionId></Object></Delete>";
        var batch = await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, query: "delete", content: new StringContent(body)));
        batch.StatusCode.Should().Be(HttpStatusCode.OK);
        var result = XDocument.Parse(await batch.Content.ReadAsStringAsync()).Root!;
        result.Elements("Deleted").Should().BeEmpty();
        var error = result.Elements("Error").Should().ContainSingle().Subject;
        (error.Element("Key")!.Value, error.Element("VersionId")!.Value, error.Element("Code")!.Value).Should().Be(("k", "zzz", "InvalidArgument"));
        (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k"))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task EmptyVersionId_IsInvalidArgument_InS3_AndDeletesNothing_NorAddsADeleteMarker()
    {
        await EnableAsync("Enabled");
        var put = await Server.PutObjectAsync(Bucket, "k", [1]);
        var versionId = put.Headers.GetValues("x-cos-version-id").Single();

        foreach (var (method, query) in new[] { (HttpMethod.Delete, "versionId="), (HttpMethod.Delete, "versionId"), (HttpMethod.Get, "versionId="),
            (HttpMethod.Get, "tagging&versionId=") })
        {
            var response = await S3.SendAsync(method, Bucket, "k", query);
            var error = await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
            error.Element("Message")!.Value.Should().Be("Version id cannot be the empty string", $"{method} ?{query}");
        }

        (await S3.SendAsync(HttpMethod.Head, Bucket, "k", "versionId=")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var copy = await S3.SendAsync(HttpMethod.Put, Bucket, "copy", headers: [new("x-amz-copy-source", $"/{Bucket}/k?versionId=")]);
        (await copy.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3)).Element("Message")!.Value
            .Should().Be("Version id cannot be the empty string");
        var batch = await S3.SendAsync(HttpMethod.Post, Bucket, query: "delete",
            body: Encoding.UTF8.GetBytes("<Delete><Object><Key>k</Key><VersionId></VersionId></Object></Delete>"));
        var errors = XDocument.Parse(await batch.Content.ReadAsStringAsync()).Root!.Elements().Where(e => e.Name.LocalName == "Error").ToList();
        errors.Select(e => e.Elements().Single(c => c.Name.LocalName == "Code").Value).Should().Equal("InvalidArgument");

        var versions = XDocument.Parse(await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: "versions"))).Content.ReadAsStringAsync()).Root!;
        versions.Elements().Where(e => e.Name.LocalName is "Version" or "DeleteMarker").Select(e => (e.Name.LocalName, e.Element("VersionId")!.Value))
            .Should().Equal([("Version", versionId)]);
        (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "copy"))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // COS documents nothing for it, and cos-go-sdk-v5 writes whatever id it is given: there it names no version.
        (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k", query: "versionId="))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ListObjectVersions_PagesTenThousandVersions_InOrder_WithTheRightMarkers()
    {
        await EnableAsync("Enabled");
        var objects = Server.Server.Services.GetRequiredService<IObjectService>();
        var seeding = Stopwatch.StartNew();
        var expected = new List<(string Key, string VersionId, bool IsLatest, bool IsDeleteMarker)>();
        for (var k = 0; k < 500; k++)
        {
            var key = $"dir-{k % 7}/key-{k:D4}";
            var versions = new List<(string, string, bool, bool)>();
            for (var v = 0; v < 20; v++)
            {
                if (v == 19 && k % 10 == 0)
                {
                    var marker = await objects.DeleteObjectAsync(Bucket, key);
                    versions.Add((key, marker.VersionId!, false, true));
                    continue;
                }

                var put = await objects.PutObjectAsync(new PutObjectRequest { Bucket = Bucket, Key = key, Body = new MemoryStream([]), ContentLength = 0 });
                versions.Add((key, put.VersionId, false, false));
            }

            versions.Reverse();
            versions[0] = versions[0] with { Item3 = true };
            expected.AddRange(versions);
        }

        output.WriteLine($"seeded 10,000 versions in {seeding.Elapsed.TotalSeconds:0.0} s");
        expected = expected.OrderBy(e => e.Key, StringComparer.Ordinal).ToList();

        var seen = new List<(string, string, bool, bool)>();
        string? keyMarker = null;
        string? versionMarker = null;
        var pages = 0;
        do
        {
            var query = "versions&max-keys=999" + (keyMarker is null ? "" : $"&key-marker={Uri.EscapeDataString(keyMarker)}&version-id-marker={Uri.EscapeDataString(versionMarker!)}");
            var response = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: query));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
            root.Element("KeyMarker")!.Value.Should().Be(keyMarker ?? "");
            root.Element("VersionIdMarker")!.Value.Should().Be(versionMarker ?? "");
            var entries = root.Elements().Where(e => e.Name.LocalName is "Version" or "DeleteMarker")
                .Select(e => (e.Element("Key")!.Value, e.Element("VersionId")!.Value, e.Element("IsLatest")!.Value == "true", e.Name.LocalName == "DeleteMarker"))
                .ToList();
            seen.AddRange(entries);
            pages++;
            if (root.Element("IsTruncated")!.Value == "true")
            {
                entries.Should().HaveCount(999);
                keyMarker = root.Element("NextKeyMarker")!.Value;
                versionMarker = root.Element("NextVersionIdMarker")!.Value;
                keyMarker.Should().Be(entries[^1].Item1);
                versionMarker.Should().Be(entries[^1].Item2);
            }
            else
            {
                root.Element("NextKeyMarker").Should().BeNull();
                keyMarker = null;
            }
        }
        while (keyMarker is not null);

        pages.Should().Be(11);
        seen.Should().HaveCount(10_000).And.Equal(expected);
    }

    [Fact]
    public async Task ListObjectVersions_ReturnsExactXml_ForOneVersionAndOneMarker()
    {
        await EnableAsync("Enabled");
        var versionId = (await Server.PutObjectAsync(Bucket, "k", [1])).Headers.GetValues("x-cos-version-id").Single();
        var markerId = (await Server.SendAsync(Server.Request(HttpMethod.Delete, Bucket, "k"))).Headers.GetValues("x-cos-version-id").Single();
        var root = XDocument.Parse(await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: "versions"))).Content.ReadAsStringAsync()).Root!;

        root.Name.LocalName.Should().Be("ListVersionsResult");
        root.Elements().Select(e => e.Name.LocalName).Should().Equal(
            "Name", "Prefix", "KeyMarker", "VersionIdMarker", "MaxKeys", "IsTruncated", "DeleteMarker", "Version");
        var marker = root.Element("DeleteMarker")!;
        marker.Elements().Select(e => e.Name.LocalName).Should().Equal("Key", "VersionId", "IsLatest", "LastModified", "Owner");
        marker.Element("VersionId")!.Value.Should().Be(markerId);
        marker.Element("IsLatest")!.Value.Should().Be("true");
        var version = root.Element("Version")!;
        version.Elements().Select(e => e.Name.LocalName).Should().Equal("Key", "VersionId", "IsLatest", "LastModified", "ETag", "Size", "StorageClass", "Owner");
        version.Element("VersionId")!.Value.Should().Be(versionId);
        version.Element("IsLatest")!.Value.Should().Be("false");
        version.Element("ETag")!.Value.Should().Be("\"55a54008ad1ba589aa210d2629c1df41\"");
    }

    private async Task EnableAsync(string status)
    {
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, query: "versioning",
            content: new StringContent($"<VersioningConfiguration><Status>{status}</Status></VersioningConfiguration>")));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task<string> VersioningAsync() =>
        await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: "versioning"))).Content.ReadAsStringAsync();
}
