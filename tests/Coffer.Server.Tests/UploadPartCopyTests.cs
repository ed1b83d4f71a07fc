using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>Upload Part - Copy in both dialects: ranges, whole sources, versions, conditions, encryption and the documented errors.</summary>
public sealed class UploadPartCopyTests : IAsyncLifetime
{
    private static readonly XNamespace S3 = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly string _bucket = TestServer.BucketName("partcopy");
    private readonly byte[] _source = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
    private TestServer _server = null!;
    private S3TestClient _s3 = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _s3 = new S3TestClient(_server.BaseAddress);
        (await _server.CreateBucketAsync(_bucket)).EnsureSuccessStatusCode();
        await _server.PutObjectAsync(_bucket, "source.bin", _source);
    }

    public async Task DisposeAsync()
    {
        _s3.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task PartsCopiedFromRanges_AssembleIntoTheExactBytes_InCos()
    {
        var uploadId = await InitiateAsync("copy.bin");
        var copySource = $"{TestServer.VirtualHost(_bucket)}/source.bin";
        var first = await CosAsync(HttpMethod.Put, "copy.bin", $"partNumber=1&uploadId={uploadId}",
            [new("x-cos-copy-source", copySource), new("x-cos-copy-source-range", "bytes=0-1048575")]);
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        var result = XDocument.Parse(await first.Content.ReadAsStringAsync()).Root!;
        result.Name.LocalName.Should().Be("CopyPartResult");
        result.Elements().Select(e => e.Name.LocalName).Should().Equal("ETag", "LastModified");
        result.Element("ETag")!.Value.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(_source.AsSpan(0, 1 << 20)))}\"");
        first.Headers.GetValues("x-cos-hash-crc64ecma").Should().ContainSingle();

        var second = await CosAsync(HttpMethod.Put, "copy.bin", $"partNumber=2&uploadId={uploadId}",
            [new("x-cos-copy-source", copySource), new("x-cos-copy-source-range", $"bytes=1048576-{_source.Length - 1}")]);
        second.EnsureSuccessStatusCode();
        var etags = new[] { result.Element("ETag")!.Value, XDocument.Parse(await second.Content.ReadAsStringAsync()).Root!.Element("ETag")!.Value };
        await CompleteAsync("copy.bin", uploadId, etags);

        (await ReadAsync("copy.bin")).Should().Equal(_source);
    }

    [Fact]
    public async Task WholeSource_OfAVersion_InS3_AnswersTheSourceVersionAndTheCopiedChecksum()
    {
        (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "versioning",
            content: new StringContent("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")))).EnsureSuccessStatusCode();
        var old = Encoding.UTF8.GetBytes("the first version");
        var put = await _s3.SendAsync(HttpMethod.Put, _bucket, "versioned.txt", body: old);
        var versionId = put.Headers.GetValues("x-amz-version-id").Single();
        (await _s3.SendAsync(HttpMethod.Put, _bucket, "versioned.txt", body: Encoding.UTF8.GetBytes("the second version"))).EnsureSuccessStatusCode();

        var initiate = await _s3.SendAsync(HttpMethod.Post, _bucket, "copy.txt", "uploads", headers: [new("x-amz-checksum-algorithm", "SHA256")]);
        var uploadId = XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!.Element(S3 + "UploadId")!.Value;
        var copied = await _s3.SendAsync(HttpMethod.Put, _bucket, "copy.txt", $"partNumber=1&uploadId={uploadId}",
            headers: [new("x-amz-copy-source", $"/{_bucket}/versioned.txt?versionId={versionId}")]);
        copied.StatusCode.Should().Be(HttpStatusCode.OK, await copied.Content.ReadAsStringAsync());
        copied.Headers.GetValues("x-amz-copy-source-version-id").Single().Should().Be(versionId);
        var result = XDocument.Parse(await copied.Content.ReadAsStringAsync()).Root!;
        result.Element(S3 + "ChecksumSHA256")!.Value.Should().Be(Convert.ToBase64String(SHA256.HashData(old)));

        var etag = result.Element(S3 + "ETag")!.Value;
        var complete = await _s3.SendAsync(HttpMethod.Post, _bucket, "copy.txt", $"uploadId={uploadId}", Encoding.UTF8.GetBytes(
            $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"));
        complete.EnsureSuccessStatusCode();
        (await ReadAsync("copy.txt")).Should().Equal(old);
    }

    [Fact]
    public async Task EncryptedSourceIntoAPlainUpload_AndPlainIntoAnEncryptedOne_CopyThePlaintext()
    {
        await _server.PutObjectAsync(_bucket, "secret.bin", _source, [new("x-cos-server-side-encryption", "AES256")]);
        var plain = await InitiateAsync("plain.bin");
        var fromSecret = await CosAsync(HttpMethod.Put, "plain.bin", $"partNumber=1&uploadId={plain}",
            [new("x-cos-copy-source", $"{TestServer.VirtualHost(_bucket)}/secret.bin"), new("x-cos-copy-source-range", "bytes=100-70099")]);
        fromSecret.EnsureSuccessStatusCode();
        fromSecret.Headers.Contains("x-cos-server-side-encryption").Should().BeFalse();
        await CompleteAsync("plain.bin", plain, [XDocument.Parse(await fromSecret.Content.ReadAsStringAsync()).Root!.Element("ETag")!.Value]);
        (await ReadAsync("plain.bin")).Should().Equal(_source.AsSpan(100, 70000).ToArray());

        var sealedUpload = await InitiateAsync("sealed.bin", [new("x-cos-server-side-encryption", "AES256")]);
        var intoSealed = await CosAsync(HttpMethod.Put, "sealed.bin", $"partNumber=1&uploadId={sealedUpload}",
            [new("x-cos-copy-source", $"{TestServer.VirtualHost(_bucket)}/source.bin")]);
        intoSealed.EnsureSuccessStatusCode();
        intoSealed.Headers.GetValues("x-cos-server-side-encryption").Single().Should().Be("AES256");
        await CompleteAsync("sealed.bin", sealedUpload, [XDocument.Parse(await intoSealed.Content.ReadAsStringAsync()).Root!.Element("ETag")!.Value]);
        (await ReadAsync("sealed.bin")).Should().Equal(_source);
    }

    [Theory]
    [InlineData("bytes=0-")]
    [InlineData("bytes=-5")]
    [InlineData("bytes=5-3")]
    [InlineData("0-5")]
    [InlineData("bytes=a-b")]
    public async Task AMalformedRange_IsInvalidArgument(string range)
    {
        var uploadId = await InitiateAsync("k");
        await (await CosAsync(HttpMethod.Put, "k", $"partNumber=1&uploadId={uploadId}",
            [new("x-cos-copy-source", $"{TestServer.VirtualHost(_bucket)}/source.bin"), new("x-cos-copy-source-range", range)]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task RangesBeyondTheSource_FailedConditions_MissingSources_AndStrangers_AnswerTheDocumentedError()
    {
        var uploadId = await InitiateAsync("k");
        var source = $"/{_bucket}/source.bin";
        async Task<HttpResponseMessage> Copy(IEnumerable<KeyValuePair<string, string>> headers, Model.Accounts.Account? account = null) =>
            await _s3.SendAsync(HttpMethod.Put, _bucket, "k", $"partNumber=1&uploadId={uploadId}", headers: headers, account: account);

        await (await Copy([new("x-amz-copy-source", source), new("x-amz-copy-source-range", $"bytes=0-{_source.Length}")]))
            .ShouldBeErrorAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "InvalidRange", Dialect.S3);
        await (await Copy([new("x-amz-copy-source", source), new("x-amz-copy-source-if-match", "\"0123\"")]))
            .ShouldBeErrorAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed", Dialect.S3);
        await (await Copy([new("x-amz-copy-source", $"/{_bucket}/missing")])).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey", Dialect.S3);
        await (await _s3.SendAsync(HttpMethod.Put, _bucket, "k", "partNumber=1&uploadId=nope", headers: [new("x-amz-copy-source", source)]))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchUpload", Dialect.S3);
        await (await _s3.SendAsync(HttpMethod.Put, _bucket, "k", $"partNumber=10001&uploadId={uploadId}", headers: [new("x-amz-copy-source", source)]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);

        var theirs = TestServer.BucketName("theirs", TestAccounts.Other);
        (await _server.SendAsync(_server.Request(HttpMethod.Put, theirs, account: TestAccounts.Other))).EnsureSuccessStatusCode();
        (await _server.SendAsync(_server.Request(HttpMethod.Put, theirs, "private.bin", content: new ByteArrayContent([1]), account: TestAccounts.Other)))
            .EnsureSuccessStatusCode();
        await (await Copy([new("x-amz-copy-source", $"/{theirs}/private.bin")])).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);

        var parts = XDocument.Parse(await (await _s3.SendAsync(HttpMethod.Get, _bucket, "k", $"uploadId={uploadId}")).Content.ReadAsStringAsync()).Root!;
        parts.Elements(S3 + "Part").Should().BeEmpty("no refused copy stored a part");
    }

    private Task<HttpResponseMessage> CosAsync(HttpMethod method, string key, string query, IEnumerable<KeyValuePair<string, string>> headers) =>
        _server.SendAsync(_server.Request(method, _bucket, key, query, headers: headers));

    private async Task<string> InitiateAsync(string key, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var initiate = await _server.SendAsync(_server.Request(HttpMethod.Post, _bucket, key, "uploads", headers: headers));
        initiate.EnsureSuccessStatusCode();
        return XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!.Element("UploadId")!.Value;
    }

    private async Task CompleteAsync(string key, string uploadId, IReadOnlyList<string> etags)
    {
        var body = new StringBuilder("<CompleteMultipartUpload>");
        for (var i = 0; i < etags.Count; i++)
        {
            body.Append($"<Part><PartNumber>{i + 1}</PartNumber><ETag>{etags[i]}</ETag></Part>");
        }

        var complete = await _server.SendAsync(_server.Request(HttpMethod.Post, _bucket, key, $"uploadId={uploadId}",
            new StringContent(body.Append("</CompleteMultipartUpload>").ToString())));
        complete.StatusCode.Should().Be(HttpStatusCode.OK, await complete.Content.ReadAsStringAsync());
    }

    private async Task<byte[]> ReadAsync(string key)
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, key));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }
}
