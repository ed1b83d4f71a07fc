using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// What a hostile request cannot do: make an XML reader fetch or expand anything, send bodies or headers past their
/// limits, or reach outside the data folder with an object key.
/// </summary>
public sealed partial class HardeningTests : IAsyncLifetime
{
    private readonly string _bucket = TestServer.BucketName("hard");
    private readonly TempDirectory _outside = new("outside");
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private TestServer _server = null!;

    public static TheoryData<string, string, string?, string> XmlEndpoints => new()
    {
        { "PUT", "", "", "CreateBucketConfiguration" },
        { "PUT", "", "inventory&id=list1", "InventoryConfiguration" },
        { "POST", "", "inventory&id=once1", "InventoryConfiguration" },
        { "POST", "", "delete", "Delete" },
        { "PUT", "", "encryption", "ServerSideEncryptionConfiguration" },
        { "PUT", "", "versioning", "VersioningConfiguration" },
        { "PUT", "k", "tagging", "Tagging" },
        { "POST", "k", "uploadId=0123456789abcdef", "CompleteMultipartUpload" },
    };

    public async Task InitializeAsync()
    {
        _listener.Start();
        _server = await TestServer.StartAsync();
        await _server.CreateBucketAsync(_bucket);
        await _server.PutObjectAsync(_bucket, "k", [1]);
    }

    public async Task DisposeAsync()
    {
        _listener.Stop();
        await _server.DisposeAsync();
        _outside.Dispose();
    }

    [Theory]
    [MemberData(nameof(XmlEndpoints))]
    public async Task XmlBodies_WithAnExternalEntity_AreMalformedXml_AndNothingIsFetched(string method, string key, string? query, string root)
    {
        var canary = _outside.Combine("canary.txt");
        await File.WriteAllTextAsync(canary, "CANARY-FROM-THE-FILE-SYSTEM");
        string[] payloads =
        [
            $"<?xml version=\"1.0\"?><!DOCTYPE {root} [<!ENTITY xxe SYSTEM \"file://{canary}\">]><{root}><Id>&xxe;</Id></{root}>",
            $"<!DOCTYPE {root} SYSTEM \"http://127.0.0.1:{Port}/evil.dtd\"><{root}/>",
            $"<!DOCTYPE {root} [<!ENTITY % remote SYSTEM \"http://127.0.0.1:{Port}/p\"> %remote;]><{root}/>",
            $"<!DOCTYPE {root} [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><{root}>&c;</{root}>",
        ];

        foreach (var payload in payloads)
        {
            var response = await SendXmlAsync(method, key, query, payload);
            var error = await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedXML");
            error.ToString().Should().NotContain("CANARY");
        }

        _listener.Pending().Should().BeFalse("no XML reader may open a connection for an external DTD or entity");
    }

    [Theory]
    [MemberData(nameof(XmlEndpoints))]
    public async Task XmlBodies_PastTheirLimit_AreXmlSizeLimit(string method, string key, string? query, string root)
    {
        // The largest limit is 2 MiB (a Delete of 1,000 keys, a Complete of 10,000 parts); every body stops there.
        var payload = $"<{root}>" + new string(' ', (2 << 20) + 1) + $"</{root}>";
        var response = await SendXmlAsync(method, key, query, payload);
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "XMLSizeLimit");
    }

    [Fact]
    public async Task ConfigurationBodies_StopAt64KiB()
    {
        var payload = "<ServerSideEncryptionConfiguration>" + new string(' ', 64 * 1024) + "</ServerSideEncryptionConfiguration>";
        var response = await SendXmlAsync("PUT", "", "encryption", payload);
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "XMLSizeLimit");
    }

    [Fact]
    public async Task HeadersAndTargets_PastKestrelsLimits_AreRefusedBeforeAnyHandler()
    {
        var bigHeader = _server.Request(HttpMethod.Get, _bucket, "k");
        bigHeader.Headers.TryAddWithoutValidation("x-cos-meta-big", new string('a', 40 * 1024));
        (await _server.SendRawAsync(bigHeader)).StatusCode.Should().Be(HttpStatusCode.RequestHeaderFieldsTooLarge);

        var longTarget = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseAddress, "/" + new string('k', 9 * 1024)));
        longTarget.Headers.Host = TestServer.VirtualHost(_bucket);
        (await _server.SendRawAsync(longTarget)).StatusCode.Should().Be(HttpStatusCode.RequestUriTooLong);

        var manyFields = _server.Request(HttpMethod.Get, _bucket, "k");
        for (var i = 0; i < 1000; i++)
        {
            manyFields.Headers.TryAddWithoutValidation($"x-cos-meta-m{i}", "v");
        }

        (await _server.SendRawAsync(manyFields)).StatusCode.Should().Be(HttpStatusCode.RequestHeaderFieldsTooLarge);
    }

    [Fact]
    public async Task Put_WithAHundredAndFiftyShortMetadataEntries_StoresThemAll()
    {
        // Well within 2 KiB of user metadata, and past Kestrel's default of 100 header fields.
        var headers = Enumerable.Range(0, 150).Select(i => new KeyValuePair<string, string>($"x-cos-meta-m{i}", "v")).ToArray();
        (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, "many-metadata", content: new ByteArrayContent([1]), headers: headers)))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var head = await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "many-metadata"));
        head.Headers.Count(h => h.Key.StartsWith("x-cos-meta-", StringComparison.Ordinal)).Should().Be(150);
    }

    [Fact]
    public async Task Targets_InAbsoluteForm_AnswerAsTheirOriginForm()
    {
        // RFC 9112 §3.2.2: servers accept the absolute form, which clients send through a proxy (as scripts/check-batch-awscli.sh does).
        using var viaProxy = new HttpClient(new HttpClientHandler { Proxy = new WebProxy(_server.BaseAddress), UseProxy = true });
        var target = new Uri(_server.BaseAddress, $"/nosuch-{TestAccounts.Owner.AppId}/a.txt");

        var direct = await (await _server.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, target))).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchBucket");
        var proxied = await (await viaProxy.GetAsync(target)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchBucket");

        proxied.Element("Resource")!.Value.Should().Be(direct.Element("Resource")!.Value);
    }

    [Theory]
    [InlineData("/../escaped")]
    [InlineData("/..")]
    [InlineData("/.")]
    [InlineData("/a/../../escaped")]
    [InlineData("/a/./b")]
    [InlineData("/%2E%2E/escaped")]
    [InlineData("/a/%2e%2e/%2e%2e/escaped")]
    [InlineData("/..%5Cescaped")]
    public async Task Keys_WithDotSegments_AreRefused_AndNothingIsWritten(string path)
    {
        var before = DataFolderFiles();
        var request = _server.Request(HttpMethod.Put, _bucket, Uri.UnescapeDataString(path).TrimStart('/'), content: new ByteArrayContent("escape attempt"u8.ToArray()));
        request.RequestUri = new Uri(_server.BaseAddress.GetLeftPart(UriPartial.Authority) + path,
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        await (await _server.SendAsync(request)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");

        DataFolderFiles().Should().Equal(before);
        Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(_server.DataDirectory)!, "escaped*").Should().BeEmpty();
    }

    [Fact]
    public async Task Keys_OfStoredObjects_NeverNameAFile_OnlyRandomBlobIdsDo()
    {
        // Bodies past the inline threshold get files; a small one lives in the metadata and gets none.
        var keys = new[] { "dir/sub/file.txt", "a\\b", "..hidden", "x/y:z", "%2e%2e", "名前" };
        foreach (var key in keys)
        {
            await _server.PutObjectAsync(_bucket, key, new byte[Storage.Blobs.BlobStore.DefaultInlineThreshold + 1]);
            await _server.PutObjectAsync(_bucket, "small/" + key, "bytes"u8.ToArray());
        }

        var names = DataFolderFiles();
        names.Where(n => n.StartsWith("blobs/", StringComparison.Ordinal)).Should().HaveCount(keys.Length).And.OnlyContain(n => BlobPath().IsMatch(n));
        names.Where(n => !n.StartsWith("blobs/", StringComparison.Ordinal))
            .Should().OnlyContain(n => n == "coffer.lock" || n == "master.key" || n.StartsWith("metadata.db", StringComparison.Ordinal));
    }

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private Task<HttpResponseMessage> SendXmlAsync(string method, string key, string? query, string payload) =>
        _server.SendAsync(_server.Request(new HttpMethod(method), _bucket, key.Length == 0 ? null : key, query ?? "",
            new StringContent(payload, Encoding.UTF8, "application/xml")));

    /// <summary>Every file in the data folder, relative, with '/' separators, in order.</summary>
    private string[] DataFolderFiles() =>
        Directory.EnumerateFiles(_server.DataDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_server.DataDirectory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

    // Folders named by the id's last four hex digits, its random ones.
    [GeneratedRegex("^blobs/([0-9a-f]{2})/([0-9a-f]{2})/[0-9a-f]{28}\\1\\2$")]
    private static partial Regex BlobPath();
}
