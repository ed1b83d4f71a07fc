using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Coffer.Storage.Encryption;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// Encryption at rest through the COS wire on a real loopback server: what reaches the disk, what comes back, and what
/// happens when the key or the bytes are not the ones they should be.
/// </summary>
public sealed class EncryptionApiTests : IAsyncLifetime
{
    private const int Segment = 64 * 1024;
    private const string Sse = "x-cos-server-side-encryption";

    private readonly string _bucket = TestServer.BucketName("sse");
    private readonly string _plain = TestServer.BucketName("plain");
    private readonly TempDirectory _data = new("sse-server");
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(data: _data);
        await _server.CreateBucketAsync(_bucket);
        await _server.CreateBucketAsync(_plain);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task PutObject_WithSseCos_LeavesNoPlaintextInAnyBlobFile_AndGetAndHeadReturnItAsEncrypted()
    {
        var data = Plaintext(5 * Segment / 2);
        var put = await _server.PutObjectAsync(_bucket, "secret.txt", data, [new(Sse, "AES256")]);
        put.Headers.GetValues(Sse).Should().Equal("AES256");
        put.Headers.ETag!.Tag.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(data))}\"");
        put.Headers.GetValues("x-cos-hash-crc64ecma").Should().Equal(Common.Crc64.Compute(data).ToString());

        BlobFilesWithPlaintext().Should().BeEmpty();
        StoredBlobs.In(_data.Path).Should().ContainSingle().Which.Bytes.Length.Should().BeGreaterThan(data.Length);

        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "secret.txt"));
        get.StatusCode.Should().Be(HttpStatusCode.OK);
        get.Headers.GetValues(Sse).Should().Equal("AES256");
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(data);
        var head = await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "secret.txt"));
        head.Headers.GetValues(Sse).Should().Equal("AES256");
        head.Content.Headers.ContentLength.Should().Be(data.Length);
    }

    [Fact]
    public async Task PutObject_WithoutEncryption_StoresThePlaintext_SoTheDiskTestCanTellTheDifference()
    {
        var data = Plaintext(1000);
        var put = await _server.PutObjectAsync(_plain, "open.txt", data);
        put.Headers.Contains(Sse).Should().BeFalse();
        BlobFilesWithPlaintext().Should().ContainSingle();
    }

    [Theory]
    [InlineData("bytes=0-0")]
    [InlineData("bytes=65530-65545")]
    [InlineData("bytes=65536-131071")]
    [InlineData("bytes=131000-")]
    [InlineData("bytes=-10")]
    [InlineData("bytes=1-163839")]
    public async Task GetObject_ReturnsRanges_AcrossSegmentBoundaries(string range)
    {
        var data = Plaintext(5 * Segment / 2);
        await _server.PutObjectAsync(_bucket, "ranged", data, [new(Sse, "AES256")]);

        var request = _server.Request(HttpMethod.Get, _bucket, "ranged");
        request.Headers.Range = RangeHeaderValue.Parse(range);
        var response = await _server.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        var contentRange = response.Content.Headers.ContentRange!;
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(data[(int)contentRange.From!.Value..((int)contentRange.To!.Value + 1)]);
    }

    [Fact]
    public async Task Multipart_WithSseCos_EncryptsEveryPart_AndSaysSoOnInitAndComplete()
    {
        var init = await _server.SendAsync(_server.Request(HttpMethod.Post, _bucket, "big.bin", "uploads", headers: [new(Sse, "AES256")]));
        init.Headers.GetValues(Sse).Should().Equal("AES256");
        var uploadId = XDocument.Parse(await init.Content.ReadAsStringAsync()).Root!.Element("UploadId")!.Value;
        byte[][] parts = [Plaintext(1 << 20), Plaintext(Segment + 1)];
        var etags = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            var part = await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, "big.bin", $"partNumber={i + 1}&uploadId={uploadId}",
                new ByteArrayContent(parts[i])));
            part.StatusCode.Should().Be(HttpStatusCode.OK);
            part.Headers.GetValues(Sse).Should().Equal("AES256");
            etags.Add(part.Headers.ETag!.Tag);
        }

        BlobFilesWithPlaintext().Should().BeEmpty();
        var completeBody = "<CompleteMultipartUpload>" +
            string.Concat(etags.Select((e, i) => $"<Part><PartNumber>{i + 1}</PartNumber><ETag>{e}</ETag></Part>")) + "</CompleteMultipartUpload>";
        var complete = await _server.SendAsync(_server.Request(HttpMethod.Post, _bucket, "big.bin", $"uploadId={uploadId}",
            new StringContent(completeBody, Encoding.UTF8, "application/xml")));
        complete.StatusCode.Should().Be(HttpStatusCode.OK);
        complete.Headers.GetValues(Sse).Should().Equal("AES256");

        byte[] whole = [.. parts[0], .. parts[1]];
        BlobFilesWithPlaintext().Should().BeEmpty();
        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "big.bin"));
        get.Headers.GetValues(Sse).Should().Equal("AES256");
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(whole);
        var across = _server.Request(HttpMethod.Get, _bucket, "big.bin");
        across.Headers.Range = new RangeHeaderValue((1 << 20) - 100, (1 << 20) + 100);
        (await (await _server.SendAsync(across)).Content.ReadAsByteArrayAsync()).Should().Equal(whole[((1 << 20) - 100)..((1 << 20) + 101)]);
    }

    [Fact]
    public async Task CopyObject_FromEncryptedToPlain_AndBack_CopiesThePlaintext()
    {
        var data = Plaintext(3 * Segment);
        await _server.PutObjectAsync(_bucket, "source", data, [new(Sse, "AES256")]);

        var toPlain = await CopyAsync(_bucket, "source", _plain, "copied", []);
        toPlain.Headers.Contains(Sse).Should().BeFalse();
        BlobFilesWithPlaintext().Should().ContainSingle("the plain copy holds the plaintext, decrypted from the source");
        (await GetBytesAsync(_plain, "copied")).Should().Equal(data);

        var toEncrypted = await CopyAsync(_plain, "copied", _bucket, "again", [new(Sse, "AES256")]);
        toEncrypted.Headers.GetValues(Sse).Should().Equal("AES256");
        (await GetBytesAsync(_bucket, "again")).Should().Equal(data);
        var etag = XDocument.Parse(await toEncrypted.Content.ReadAsStringAsync()).Root!.Element("ETag")!.Value;
        etag.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(data))}\"");
    }

    [Fact]
    public async Task BucketEncryption_PutGetDelete_AndObjectsWithoutAHeaderAreEncryptedMeanwhile()
    {
        await (await GetEncryptionAsync()).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchEncryptionConfiguration");

        const string configuration = "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>" +
            "</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>";
        (await PutEncryptionAsync(configuration)).StatusCode.Should().Be(HttpStatusCode.OK);
        var get = await GetEncryptionAsync();
        get.StatusCode.Should().Be(HttpStatusCode.OK);
        (await get.Content.ReadAsStringAsync()).Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?>" + configuration);

        var data = Plaintext(1000);
        var put = await _server.PutObjectAsync(_bucket, "by-default", data);
        put.Headers.GetValues(Sse).Should().Equal("AES256");
        BlobFilesWithPlaintext().Should().BeEmpty();

        var delete = await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, query: "encryption"));
        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await GetEncryptionAsync()).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchEncryptionConfiguration");
        (await _server.PutObjectAsync(_bucket, "after", data)).Headers.Contains(Sse).Should().BeFalse();
        (await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "by-default"))).Headers.GetValues(Sse).Should().Equal("AES256");
    }

    [Fact]
    public async Task BucketEncryption_ReadsTheSdkTypingsSpelling_AndAnswersKmsInCosTerms()
    {
        var put = await PutEncryptionAsync("<ServerSideEncryptionConfiguration><Rule><ApplySideEncryptionConfiguration><SSEAlgorithm>KMS</SSEAlgorithm>" +
            "<KMSMasterKeyID>cmk-1</KMSMasterKeyID></ApplySideEncryptionConfiguration></Rule></ServerSideEncryptionConfiguration>");
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await GetEncryptionAsync()).Content.ReadAsStringAsync()).Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?>" +
            "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm>" +
            "<KMSMasterKeyID>cmk-1</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>");

        var object_ = await _server.PutObjectAsync(_bucket, "kms", Plaintext(10));
        object_.Headers.GetValues(Sse).Should().Equal("cos/kms");
        object_.Headers.GetValues("x-cos-server-side-encryption-cos-kms-key-id").Should().Equal("cmk-1");
    }

    [Theory]
    [InlineData("", HttpStatusCode.BadRequest, "MissingRequestBodyError")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule></Rule></ServerSideEncryptionConfiguration>", HttpStatusCode.BadRequest, "MalformedXML")]
    [InlineData("<ServerSideEncryptionConfiguration></ServerSideEncryptionConfiguration>", HttpStatusCode.BadRequest, "MalformedXML")]
    [InlineData("<Other/>", HttpStatusCode.BadRequest, "MalformedXML")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES128</SSEAlgorithm>" +
        "</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>SM4</SSEAlgorithm>" +
        "</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>", HttpStatusCode.NotImplemented, "NotImplemented")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>" +
        "<KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>", HttpStatusCode.BadRequest, "InvalidArgument")]
    public async Task PutBucketEncryption_AnswersTheDocumentedError(string body, HttpStatusCode status, string code)
    {
        await (await PutEncryptionAsync(body)).ShouldBeErrorAsync(status, code);
        await (await GetEncryptionAsync()).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchEncryptionConfiguration");
    }

    [Fact]
    public async Task PutBucketEncryption_ChecksContentMd5_WhenSent()
    {
        var request = _server.Request(HttpMethod.Put, _bucket, query: "encryption", content: new StringContent("<x/>"),
            headers: [new("Content-MD5", Convert.ToBase64String(MD5.HashData("<y/>"u8)))]);
        await (await _server.SendAsync(request)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "BadDigest");
    }

    [Theory]
    [InlineData("x-cos-server-side-encryption", "AES128", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("x-cos-server-side-encryption", "aws:kms", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("x-cos-server-side-encryption", "SM4", HttpStatusCode.NotImplemented, "NotImplemented")]
    [InlineData("x-cos-server-side-encryption", "", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("x-cos-server-side-encryption-cos-kms-key-id", "k", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("x-cos-server-side-encryption-context", "e30=", HttpStatusCode.NotImplemented, "NotImplemented")]
    [InlineData("x-cos-server-side-encryption-customer-algorithm", "AES256", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("x-cos-server-side-encryption-customer-key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", HttpStatusCode.BadRequest, "InvalidArgument")]
    public async Task PutObject_RefusesWhatItDoesNotImplement_AndStoresNothing(string header, string value, HttpStatusCode status, string code)
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, "refused", content: new ByteArrayContent(Plaintext(10)),
            headers: [new(header, value)]));
        await response.ShouldBeErrorAsync(status, code);
        (await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "refused"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        StoredBlobs.In(_data.Path).Should().BeEmpty();
    }

    [Fact]
    public async Task GetObject_WithAnIncompleteCustomerKey_IsInvalidArgument_RatherThanAnsweredInTheClear()
    {
        await _server.PutObjectAsync(_bucket, "k", Plaintext(10), [new(Sse, "AES256")]);
        var request = _server.Request(HttpMethod.Get, _bucket, "k", headers: [new("x-cos-server-side-encryption-customer-algorithm", "AES256")]);
        await (await _server.SendAsync(request)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task SseKms_RecordsAndReturnsTheKeyId_InCosTerms()
    {
        var put = await _server.PutObjectAsync(_bucket, "kms", Plaintext(100),
            [new(Sse, "cos/kms"), new("x-cos-server-side-encryption-cos-kms-key-id", "cmk-2")]);
        put.Headers.GetValues(Sse).Should().Equal("cos/kms");
        put.Headers.GetValues("x-cos-server-side-encryption-cos-kms-key-id").Should().Equal("cmk-2");
        var head = await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "kms"));
        head.Headers.GetValues(Sse).Should().Equal("cos/kms");
        head.Headers.GetValues("x-cos-server-side-encryption-cos-kms-key-id").Should().Equal("cmk-2");
        BlobFilesWithPlaintext().Should().BeEmpty();
    }

    [Fact]
    public async Task MasterKey_IsCreatedOwnerOnlyOnFirstStart_AndReusedAfterARestart()
    {
        var keyFile = _data.Combine(MasterKey.FileName);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(keyFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var key = await File.ReadAllTextAsync(keyFile);
        var data = Plaintext(3 * Segment);
        await _server.PutObjectAsync(_bucket, "kept", data, [new(Sse, "AES256")]);

        await RestartAsync(null);
        (await File.ReadAllTextAsync(keyFile)).Should().Be(key);
        (await GetBytesAsync(_bucket, "kept")).Should().Equal(data);
    }

    [Fact]
    public async Task WrongMasterKey_FailsClosed_WithInternalError_AndNeverAByteOfCiphertext()
    {
        var data = Plaintext(3 * Segment);
        await _server.PutObjectAsync(_bucket, "locked", data, [new(Sse, "AES256")]);
        await _server.PutObjectAsync(_plain, "open", data);

        await RestartAsync(MasterKey.FromBase64(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "locked"));
        await get.ShouldBeErrorAsync(HttpStatusCode.InternalServerError, "InternalError");
        var ranged = _server.Request(HttpMethod.Get, _bucket, "locked");
        ranged.Headers.Range = new RangeHeaderValue(Segment, Segment + 10);
        await (await _server.SendAsync(ranged)).ShouldBeErrorAsync(HttpStatusCode.InternalServerError, "InternalError");
        var copy = await CopyAsync(_bucket, "locked", _plain, "stolen", []);
        await copy.ShouldBeErrorAsync(HttpStatusCode.InternalServerError, "InternalError");
        (await GetBytesAsync(_plain, "open")).Should().Equal(data, "objects stored in the clear do not need the key");
    }

    [Fact]
    public async Task TamperedBlob_FailsClosed_BeforeTheHeaders_OrByCuttingTheConnection()
    {
        var data = Plaintext(3 * Segment);
        await _server.PutObjectAsync(_bucket, "tampered", data, [new(Sse, "AES256")]);
        var file = BlobFiles().Single();
        FlipByte(file, 12 + (2 * (Segment + 16)) + 3);

        // The first segment is whole: a range inside it is served.
        var first = _server.Request(HttpMethod.Get, _bucket, "tampered");
        first.Headers.Range = new RangeHeaderValue(0, 99);
        (await (await _server.SendAsync(first)).Content.ReadAsByteArrayAsync()).Should().Equal(data[..100]);

        // A range that starts in the damaged segment fails before any header.
        var third = _server.Request(HttpMethod.Get, _bucket, "tampered");
        third.Headers.Range = new RangeHeaderValue(2 * Segment, (2 * Segment) + 10);
        await (await _server.SendAsync(third)).ShouldBeErrorAsync(HttpStatusCode.InternalServerError, "InternalError");

        // The whole object: the two good segments go out, then the connection is cut instead of sending bad bytes.
        var whole = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "tampered"));
        whole.StatusCode.Should().Be(HttpStatusCode.OK);
        var received = new MemoryStream();
        var read = async () => await (await whole.Content.ReadAsStreamAsync()).CopyToAsync(received);
        await read.Should().ThrowAsync<Exception>();
        received.Length.Should().BeLessThan(data.Length);
        received.ToArray().Should().Equal(data[..(int)received.Length]);
    }

    private async Task RestartAsync(MasterKey? masterKey)
    {
        await _server.DisposeAsync();
        _server = await TestServer.StartAsync(data: _data, masterKey: masterKey);
    }

    private Task<HttpResponseMessage> PutEncryptionAsync(string body) =>
        _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "encryption", content: new StringContent(body, Encoding.UTF8, "application/xml"),
            headers: [new("Content-MD5", Convert.ToBase64String(MD5.HashData(Encoding.UTF8.GetBytes(body))))]));

    private Task<HttpResponseMessage> GetEncryptionAsync() => _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "encryption"));

    private Task<HttpResponseMessage> CopyAsync(string sourceBucket, string sourceKey, string bucket, string key, KeyValuePair<string, string>[] headers) =>
        _server.SendAsync(_server.Request(HttpMethod.Put, bucket, key,
            headers: [new("x-cos-copy-source", $"{TestServer.VirtualHost(sourceBucket)}/{sourceKey}"), .. headers]));

    private async Task<byte[]> GetBytesAsync(string bucket, string key)
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, key));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private FileInfo[] BlobFiles() =>
        new DirectoryInfo(_data.Combine("blobs")).EnumerateFiles("*", SearchOption.AllDirectories).ToArray();

    /// <summary>
    /// The stored blobs (files and inline blobs) that hold plaintext, found by reading every byte of each: every 31 bytes of
    /// <see cref="Plaintext"/> carry the marker, so any stretch of it in the clear shows.
    /// </summary>
    private string[] BlobFilesWithPlaintext() => StoredBlobs.Holding(_data.Path, Marker);

    private static ReadOnlySpan<byte> Marker => "COFFER-PLAINTEXT"u8;

    private static void FlipByte(FileInfo file, long position)
    {
        using var stream = file.Open(FileMode.Open, FileAccess.ReadWrite);
        stream.Position = position;
        var value = (byte)stream.ReadByte();
        stream.Position = position;
        stream.WriteByte((byte)(value ^ 0x01));
    }

    /// <summary>A recognisable plaintext: numbered lines, so any 24 bytes of it are unlike random ciphertext.</summary>
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
