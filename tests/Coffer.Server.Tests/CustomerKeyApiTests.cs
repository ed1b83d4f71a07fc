using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// Server-side encryption with customer-provided keys (SSE-C) on a real loopback server, in both dialects, over plain
/// HTTP (which Coffer accepts, unlike S3: see docs/compatibility.md): the key is needed to read, is never stored (in no
/// file of the data folder: blobs, the database, its write-ahead log), and what reaches the disk, files and inline rows
/// alike, holds no plaintext. That the server's log never holds it either: ServeCommandTests in Coffer.Host.Tests.
/// </summary>
public sealed class CustomerKeyApiTests() : ServerTestBase("ssec")
{
    private static readonly byte[] KeyA = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyB = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    [Theory]
    [InlineData("cos", 1000)]
    [InlineData("s3", 1000)]
    [InlineData("cos", 200_000)]
    [InlineData("s3", 200_000)]
    public async Task PutGetHead_RoundTripWithTheKey_AndStoreNoPlaintext_InlineOrInAFile(string dialect, int size)
    {
        var data = Plaintext(size);
        var put = await SendAsync(dialect, HttpMethod.Put, "secret", body: data, headers: KeyHeaders(dialect, KeyA));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        ShouldEchoTheKey(dialect, put, KeyA);
        put.Headers.Contains(Prefix(dialect) + "server-side-encryption").Should().BeFalse("SSE-C is not SSE-S3");
        put.Headers.ETag!.Tag.Should().MatchRegex("^\"[0-9a-f]{32}\"$")
            .And.NotBe($"\"{Convert.ToHexStringLower(MD5.HashData(data))}\"", "S3's ETag of an SSE-C object is not the MD5 of its plaintext");

        var stored = StoredBlobs.In(Server.DataDirectory).Should().ContainSingle().Subject;
        stored.Id.StartsWith("inline:", StringComparison.Ordinal).Should().Be(size <= 64 * 1024, "both sides of the inline threshold are tested");
        StoredBlobs.Holding(Server.DataDirectory, Marker).Should().BeEmpty();

        var get = await SendAsync(dialect, HttpMethod.Get, "secret", headers: KeyHeaders(dialect, KeyA));
        get.StatusCode.Should().Be(HttpStatusCode.OK);
        ShouldEchoTheKey(dialect, get, KeyA);
        get.Headers.ETag!.Tag.Should().Be(put.Headers.ETag.Tag);
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(data);

        var head = await SendAsync(dialect, HttpMethod.Head, "secret", headers: KeyHeaders(dialect, KeyA));
        head.StatusCode.Should().Be(HttpStatusCode.OK);
        head.Content.Headers.ContentLength.Should().Be(size);
        ShouldEchoTheKey(dialect, head, KeyA);

        var range = await SendAsync(dialect, HttpMethod.Get, "secret", headers: [.. KeyHeaders(dialect, KeyA), new("Range", "bytes=10-899")]);
        range.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        (await range.Content.ReadAsByteArrayAsync()).Should().Equal(data[10..900]);

        DataFiles.In(Server.DataDirectory).Should().Contain(["metadata.db", "metadata.db-wal"], "the scan covers the database and its log");
        DataFiles.Holding(Server.DataDirectory, KeyA).Should().BeEmpty("the key is never stored, in a blob or the metadata");
        DataFiles.Holding(Server.DataDirectory, Encoding.ASCII.GetBytes(Convert.ToBase64String(KeyA))).Should().BeEmpty();
    }

    [Theory]
    [InlineData("cos")]
    [InlineData("s3")]
    public async Task Reads_WithoutTheKey_AreInvalidRequest_AndWithAnotherKey_AccessDenied(string dialect)
    {
        (await SendAsync(dialect, HttpMethod.Put, "secret", body: Plaintext(100), headers: KeyHeaders(dialect, KeyA))).EnsureSuccessStatusCode();

        await (await SendAsync(dialect, HttpMethod.Get, "secret")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", DialectOf(dialect));
        await (await SendAsync(dialect, HttpMethod.Get, "secret", headers: KeyHeaders(dialect, KeyB)))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", DialectOf(dialect));
        await (await SendAsync(dialect, HttpMethod.Get, "secret", query: "partNumber=1"))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", DialectOf(dialect));
        (await SendAsync(dialect, HttpMethod.Head, "secret")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await SendAsync(dialect, HttpMethod.Head, "secret", headers: KeyHeaders(dialect, KeyB))).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await SendAsync(dialect, HttpMethod.Put, "plain", body: Plaintext(100))).EnsureSuccessStatusCode();
        await (await SendAsync(dialect, HttpMethod.Get, "plain", headers: KeyHeaders(dialect, KeyA)))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", DialectOf(dialect));
    }

    [Theory]
    [InlineData("cos", "bad md5")]
    [InlineData("s3", "bad md5")]
    [InlineData("cos", "short key")]
    [InlineData("s3", "short key")]
    [InlineData("cos", "AES128")]
    [InlineData("s3", "AES128")]
    [InlineData("cos", "no md5")]
    [InlineData("s3", "no algorithm")]
    [InlineData("s3", "with SSE-S3")]
    [InlineData("cos", "with a KMS key id")]
    [InlineData("s3", "with a KMS key id")]
    public async Task PutObject_WithAMalformedKey_IsInvalidArgument_AndStoresNothing(string dialect, string fault)
    {
        var prefix = Prefix(dialect) + "server-side-encryption-customer-";
        var shortKey = new byte[16];
        KeyValuePair<string, string>[] headers = fault switch
        {
            "bad md5" => [new(prefix + "algorithm", "AES256"), new(prefix + "key", Convert.ToBase64String(KeyA)), new(prefix + "key-MD5", Md5Of(KeyB))],
            "short key" => [new(prefix + "algorithm", "AES256"), new(prefix + "key", Convert.ToBase64String(shortKey)), new(prefix + "key-MD5", Md5Of(shortKey))],
            "AES128" => [new(prefix + "algorithm", "AES128"), new(prefix + "key", Convert.ToBase64String(KeyA)), new(prefix + "key-MD5", Md5Of(KeyA))],
            "no md5" => [new(prefix + "algorithm", "AES256"), new(prefix + "key", Convert.ToBase64String(KeyA))],
            "no algorithm" => [new(prefix + "key", Convert.ToBase64String(KeyA)), new(prefix + "key-MD5", Md5Of(KeyA))],
            "with a KMS key id" => [.. KeyHeaders(dialect, KeyA), new(Prefix(dialect) + (dialect == "s3" ? "server-side-encryption-aws-kms-key-id" : "server-side-encryption-cos-kms-key-id"), "k")],
            _ => [.. KeyHeaders(dialect, KeyA), new(Prefix(dialect) + "server-side-encryption", "AES256")],
        };
        var put = await SendAsync(dialect, HttpMethod.Put, "refused", body: Plaintext(10), headers: headers);
        await put.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", DialectOf(dialect));
        StoredBlobs.In(Server.DataDirectory).Should().BeEmpty();
        (await SendAsync(dialect, HttpMethod.Head, "refused")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("cos")]
    [InlineData("s3")]
    public async Task CopyObject_PlainToCustomerKey_ToAnotherKey_AndBackToPlain_CopiesThePlaintext(string dialect)
    {
        var data = Plaintext(150_000);
        (await SendAsync(dialect, HttpMethod.Put, "plain", body: data)).EnsureSuccessStatusCode();

        var toKeyA = await CopyAsync(dialect, "plain", "a", KeyHeaders(dialect, KeyA));
        toKeyA.StatusCode.Should().Be(HttpStatusCode.OK, await toKeyA.Content.ReadAsStringAsync());
        ShouldEchoTheKey(dialect, toKeyA, KeyA);
        (await GetAsync(dialect, "a", KeyA)).Should().Equal(data);

        await (await CopyAsync(dialect, "a", "b", KeyHeaders(dialect, KeyB)))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", DialectOf(dialect));
        await (await CopyAsync(dialect, "a", "b", [.. KeyHeaders(dialect, KeyB), .. KeyHeaders(dialect, KeyB, copySource: true)]))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", DialectOf(dialect));
        var toKeyB = await CopyAsync(dialect, "a", "b", [.. KeyHeaders(dialect, KeyB), .. KeyHeaders(dialect, KeyA, copySource: true)]);
        toKeyB.StatusCode.Should().Be(HttpStatusCode.OK, await toKeyB.Content.ReadAsStringAsync());
        (await GetAsync(dialect, "b", KeyB)).Should().Equal(data);
        (await SendAsync(dialect, HttpMethod.Get, "b", headers: KeyHeaders(dialect, KeyA))).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var toPlain = await CopyAsync(dialect, "b", "clear", KeyHeaders(dialect, KeyB, copySource: true));
        toPlain.StatusCode.Should().Be(HttpStatusCode.OK, await toPlain.Content.ReadAsStringAsync());
        (await GetAsync(dialect, "clear", null)).Should().Equal(data);
        StoredBlobs.Holding(Server.DataDirectory, Marker).Should().HaveCount(2, "only the two plain objects hold plaintext");

        var decryptInPlace = await CopyAsync(dialect, "a", "a", KeyHeaders(dialect, KeyA, copySource: true));
        decryptInPlace.StatusCode.Should().Be(HttpStatusCode.OK, "dropping the customer key changes the encryption");
        (await GetAsync(dialect, "a", null)).Should().Equal(data);
    }

    [Theory]
    [InlineData("cos")]
    [InlineData("s3")]
    public async Task Multipart_EveryPartNeedsTheUploadsKey_AndTheObjectReadsWithIt(string dialect)
    {
        var init = await SendAsync(dialect, HttpMethod.Post, "big", query: "uploads", headers: KeyHeaders(dialect, KeyA));
        init.StatusCode.Should().Be(HttpStatusCode.OK);
        ShouldEchoTheKey(dialect, init, KeyA);
        var uploadId = XDocument.Parse(await init.Content.ReadAsStringAsync()).Root!.Elements().Single(e => e.Name.LocalName == "UploadId").Value;
        byte[] first = Plaintext(5 << 20), second = Plaintext(70_000);

        await (await SendAsync(dialect, HttpMethod.Put, "big", $"partNumber=1&uploadId={uploadId}", first))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", DialectOf(dialect));
        await (await SendAsync(dialect, HttpMethod.Put, "big", $"partNumber=1&uploadId={uploadId}", first, KeyHeaders(dialect, KeyB)))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", DialectOf(dialect));
        var part1 = await SendAsync(dialect, HttpMethod.Put, "big", $"partNumber=1&uploadId={uploadId}", first, KeyHeaders(dialect, KeyA));
        part1.StatusCode.Should().Be(HttpStatusCode.OK);
        ShouldEchoTheKey(dialect, part1, KeyA);
        part1.Headers.ETag!.Tag.Should().NotBe($"\"{Convert.ToHexStringLower(MD5.HashData(first))}\"");

        (await SendAsync(dialect, HttpMethod.Put, "source", body: second, headers: KeyHeaders(dialect, KeyB))).EnsureSuccessStatusCode();
        var copySource = dialect == "s3" ? $"/{Bucket}/source" : $"{TestServer.VirtualHost(Bucket)}/source";
        var part2 = await SendAsync(dialect, HttpMethod.Put, "big", $"partNumber=2&uploadId={uploadId}",
            headers: [new(Prefix(dialect) + "copy-source", copySource), .. KeyHeaders(dialect, KeyA), .. KeyHeaders(dialect, KeyB, copySource: true)]);
        part2.StatusCode.Should().Be(HttpStatusCode.OK, await part2.Content.ReadAsStringAsync());
        var etag2 = XDocument.Parse(await part2.Content.ReadAsStringAsync()).Root!.Elements().Single(e => e.Name.LocalName == "ETag").Value;

        var completeBody = Encoding.UTF8.GetBytes("<CompleteMultipartUpload>" +
            $"<Part><PartNumber>1</PartNumber><ETag>{part1.Headers.ETag.Tag}</ETag></Part>" +
            $"<Part><PartNumber>2</PartNumber><ETag>{etag2}</ETag></Part></CompleteMultipartUpload>");
        var complete = await SendAsync(dialect, HttpMethod.Post, "big", $"uploadId={uploadId}", completeBody);
        complete.StatusCode.Should().Be(HttpStatusCode.OK, await complete.Content.ReadAsStringAsync());

        StoredBlobs.Holding(Server.DataDirectory, Marker).Should().BeEmpty();
        (await GetAsync(dialect, "big", KeyA)).Should().Equal([.. first, .. second]);
        await (await SendAsync(dialect, HttpMethod.Get, "big")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", DialectOf(dialect));
        var secondPart = await SendAsync(dialect, HttpMethod.Get, "big", "partNumber=2", headers: KeyHeaders(dialect, KeyA));
        secondPart.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        (await secondPart.Content.ReadAsByteArrayAsync()).Should().Equal(second);
    }

    [Fact]
    public async Task GetObjectAttributes_OfAnSseCObject_NeedsItsKey()
    {
        (await SendAsync("s3", HttpMethod.Put, "secret", body: Plaintext(100), headers: KeyHeaders("s3", KeyA))).EnsureSuccessStatusCode();
        KeyValuePair<string, string> asked = new("x-amz-object-attributes", "ETag,Checksum,ObjectSize");

        await (await SendAsync("s3", HttpMethod.Get, "secret", "attributes", headers: [asked]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        await (await SendAsync("s3", HttpMethod.Get, "secret", "attributes", headers: [asked, .. KeyHeaders("s3", KeyB)]))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        var attributes = await SendAsync("s3", HttpMethod.Get, "secret", "attributes", headers: [asked, .. KeyHeaders("s3", KeyA)]);
        attributes.StatusCode.Should().Be(HttpStatusCode.OK, await attributes.Content.ReadAsStringAsync());
        XDocument.Parse(await attributes.Content.ReadAsStringAsync()).Root!.Elements().Single(e => e.Name.LocalName == "ObjectSize").Value.Should().Be("100");
    }

    [Fact]
    public async Task ListPartsAndCompletion_OfAnSseCUpload_ShowPlaintextChecksumsOnlyWithItsKey()
    {
        var init = await SendAsync("s3", HttpMethod.Post, "big", query: "uploads", headers: [new("x-amz-checksum-algorithm", "SHA256"), .. KeyHeaders("s3", KeyA)]);
        init.StatusCode.Should().Be(HttpStatusCode.OK, await init.Content.ReadAsStringAsync());
        var uploadId = XDocument.Parse(await init.Content.ReadAsStringAsync()).Root!.Elements().Single(e => e.Name.LocalName == "UploadId").Value;
        var data = Plaintext(1000);
        var checksum = Convert.ToBase64String(SHA256.HashData(data));
        var part = await SendAsync("s3", HttpMethod.Put, "big", $"partNumber=1&uploadId={uploadId}", data,
            [new("x-amz-checksum-sha256", checksum), .. KeyHeaders("s3", KeyA)]);
        part.StatusCode.Should().Be(HttpStatusCode.OK, await part.Content.ReadAsStringAsync());

        var listed = await SendAsync("s3", HttpMethod.Get, "big", $"uploadId={uploadId}");
        listed.StatusCode.Should().Be(HttpStatusCode.OK);
        (await listed.Content.ReadAsStringAsync()).Should().Contain("<PartNumber>1</PartNumber>").And.NotContain(checksum);
        var keyed = await SendAsync("s3", HttpMethod.Get, "big", $"uploadId={uploadId}", headers: KeyHeaders("s3", KeyA));
        keyed.StatusCode.Should().Be(HttpStatusCode.OK);
        (await keyed.Content.ReadAsStringAsync()).Should().Contain(checksum);
        await (await SendAsync("s3", HttpMethod.Get, "big", $"uploadId={uploadId}", headers: KeyHeaders("s3", KeyB)))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);

        var completeBody = Encoding.UTF8.GetBytes(
            $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part.Headers.ETag!.Tag}</ETag><ChecksumSHA256>{checksum}</ChecksumSHA256></Part></CompleteMultipartUpload>");
        var complete = await SendAsync("s3", HttpMethod.Post, "big", $"uploadId={uploadId}", completeBody);
        complete.StatusCode.Should().Be(HttpStatusCode.OK, await complete.Content.ReadAsStringAsync());
        complete.Headers.Contains("x-cos-hash-crc64ecma").Should().BeFalse("the CRC-64 is of the plaintext");
        (await complete.Content.ReadAsStringAsync()).Should().NotContain("ChecksumSHA256");

        // A retried completion gets the same answer, with the digests when it carries the key and refused with another.
        var again = await SendAsync("s3", HttpMethod.Post, "big", $"uploadId={uploadId}", completeBody, KeyHeaders("s3", KeyA));
        again.StatusCode.Should().Be(HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        again.Headers.Contains("x-cos-hash-crc64ecma").Should().BeTrue();
        (await again.Content.ReadAsStringAsync()).Should().Contain("ChecksumSHA256");
        await (await SendAsync("s3", HttpMethod.Post, "big", $"uploadId={uploadId}", completeBody, KeyHeaders("s3", KeyB)))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
    }

    [Fact]
    public async Task CustomerKeys_OnAnOperationWithoutThem_AreNotImplemented_RatherThanIgnored()
    {
        (await SendAsync("s3", HttpMethod.Put, "k", body: Plaintext(10), headers: KeyHeaders("s3", KeyA))).EnsureSuccessStatusCode();
        var tagging = Encoding.UTF8.GetBytes("<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>");
        await (await SendAsync("s3", HttpMethod.Put, "k", "tagging", tagging, KeyHeaders("s3", KeyA)))
            .ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented", Dialect.S3);
        await (await SendAsync("cos", HttpMethod.Put, "other", body: Plaintext(10), headers: KeyHeaders("cos", KeyA, copySource: true)))
            .ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented", Dialect.Cos);
    }

    private static ReadOnlySpan<byte> Marker => "COFFER-PLAINTEXT"u8;

    private static string Prefix(string dialect) => dialect == "s3" ? "x-amz-" : "x-cos-";

    private static Dialect DialectOf(string dialect) => dialect == "s3" ? Dialect.S3 : Dialect.Cos;

    private static string Md5Of(byte[] key) => Convert.ToBase64String(MD5.HashData(key));

    private static KeyValuePair<string, string>[] KeyHeaders(string dialect, byte[] key, bool copySource = false)
    {
        var prefix = Prefix(dialect) + (copySource ? "copy-source-" : "") + "server-side-encryption-customer-";
        return [new(prefix + "algorithm", "AES256"), new(prefix + "key", Convert.ToBase64String(key)), new(prefix + "key-MD5", Md5Of(key))];
    }

    private static void ShouldEchoTheKey(string dialect, HttpResponseMessage response, byte[] key)
    {
        var prefix = Prefix(dialect) + "server-side-encryption-customer-";
        response.Headers.GetValues(prefix + "algorithm").Should().Equal("AES256");
        response.Headers.GetValues(prefix + "key-MD5").Should().Equal(Md5Of(key));
        response.Headers.Contains(prefix + "key").Should().BeFalse("the key is never sent back");
    }

    private Task<HttpResponseMessage> SendAsync(string dialect, HttpMethod method, string key, string query = "", byte[]? body = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        dialect == "s3"
            ? S3.SendAsync(method, Bucket, key, query, body, headers)
            : Server.SendAsync(Server.Request(method, Bucket, key, query, body is null ? null : new ByteArrayContent(body), headers: headers));

    private Task<HttpResponseMessage> CopyAsync(string dialect, string sourceKey, string key, IEnumerable<KeyValuePair<string, string>> headers) =>
        SendAsync(dialect, HttpMethod.Put, key, headers:
            [new(Prefix(dialect) + "copy-source", dialect == "s3" ? $"/{Bucket}/{sourceKey}" : $"{TestServer.VirtualHost(Bucket)}/{sourceKey}"), .. headers]);

    private async Task<byte[]> GetAsync(string dialect, string key, byte[]? customerKey)
    {
        var response = await SendAsync(dialect, HttpMethod.Get, key, headers: customerKey is null ? null : KeyHeaders(dialect, customerKey));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>A recognisable plaintext: numbered lines carrying <see cref="Marker"/>, unlike any ciphertext.</summary>
    private static byte[] Plaintext(int length)
    {
        var text = new StringBuilder();
        for (var line = 0; text.Length < length; line++)
        {
            text.Append($"COFFER-PLAINTEXT line {line:D8}\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }
}
