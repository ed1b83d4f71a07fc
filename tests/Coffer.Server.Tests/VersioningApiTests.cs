using System.Diagnostics;
using System.Net;
using System.Xml.Linq;
using Coffer.Model;
using Coffer.Model.Objects;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Coffer.Server.Tests;

public sealed class VersioningApiTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _bucket = TestServer.BucketName("versions");
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await _server.CreateBucketAsync(_bucket);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

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
    public async Task PutBucketVersioning_ReturnsMalformedXml_ForBadBodies(string body)
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "versioning", content: new StringContent(body)));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedXML");
    }

    [Fact]
    public async Task PutBucketVersioning_ReturnsMissingRequestBody_WithoutABody()
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "versioning"));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MissingRequestBodyError");
    }

    [Fact]
    public async Task Versions_CarryVersionIdHeaders_AndDeleteMarkersAnswerInKind()
    {
        await EnableAsync("Enabled");
        var put = await _server.PutObjectAsync(_bucket, "k", [1]);
        var versionId = put.Headers.GetValues("x-cos-version-id").Single();

        var delete = await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, "k"));
        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        delete.Headers.GetValues("x-cos-delete-marker").Single().Should().Be("true");
        var markerId = delete.Headers.GetValues("x-cos-version-id").Single();

        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "k"));
        await get.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey");
        get.Headers.GetValues("x-cos-delete-marker").Single().Should().Be("true");
        get.Headers.GetValues("x-cos-version-id").Single().Should().Be(markerId);

        var getMarker = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "k", query: $"versionId={markerId}"));
        await getMarker.ShouldBeErrorAsync(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");

        var old = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "k", query: $"versionId={versionId}"));
        old.StatusCode.Should().Be(HttpStatusCode.OK);
        old.Headers.GetValues("x-cos-version-id").Single().Should().Be(versionId);

        var unknown = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "k", query: "versionId=MTIzNDU2"));
        await unknown.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchVersion");
    }

    [Fact]
    public async Task DeleteObject_ReturnsInvalidArgument_ForAMalformedVersionId_AndBatchDeleteReportsItAsAnError()
    {
        await EnableAsync("Enabled");
        await _server.PutObjectAsync(_bucket, "k", [1]);

        var single = await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, "k", query: "versionId=zzz"));
        await single.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");

        var body = "<Delete><Object><Key>k</Key><VersionId>zzz</VersionId></Object></Delete>";
        var batch = await _server.SendAsync(_server.Request(HttpMethod.Post, _bucket, query: "delete", content: new StringContent(body)));
        batch.StatusCode.Should().Be(HttpStatusCode.OK);
        var result = XDocument.Parse(await batch.Content.ReadAsStringAsync()).Root!;
        result.Elements("Deleted").Should().BeEmpty();
        var error = result.Elements("Error").Should().ContainSingle().Subject;
        (error.Element("Key")!.Value, error.Element("VersionId")!.Value, error.Element("Code")!.Value).Should().Be(("k", "zzz", "InvalidArgument"));
        (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "k"))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ListObjectVersions_PagesTenThousandVersions_InOrder_WithTheRightMarkers()
    {
        await EnableAsync("Enabled");
        var objects = _server.Server.Services.GetRequiredService<IObjectService>();
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
                    var marker = await objects.DeleteObjectAsync(_bucket, key);
                    versions.Add((key, marker.VersionId!, false, true));
                    continue;
                }

                var put = await objects.PutObjectAsync(new PutObjectRequest { Bucket = _bucket, Key = key, Body = new MemoryStream([]), ContentLength = 0 });
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
            var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: query));
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
        var versionId = (await _server.PutObjectAsync(_bucket, "k", [1])).Headers.GetValues("x-cos-version-id").Single();
        var markerId = (await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, "k"))).Headers.GetValues("x-cos-version-id").Single();
        var root = XDocument.Parse(await (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "versions"))).Content.ReadAsStringAsync()).Root!;

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
        var response = await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "versioning",
            content: new StringContent($"<VersioningConfiguration><Status>{status}</Status></VersioningConfiguration>")));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task<string> VersioningAsync() =>
        await (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "versioning"))).Content.ReadAsStringAsync();
}
