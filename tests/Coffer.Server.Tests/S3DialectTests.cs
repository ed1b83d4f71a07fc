using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>What only raw SigV4 requests can show: rejected payloads are never stored, and errors speak S3.</summary>
public sealed class S3DialectTests : IAsyncLifetime
{
    private readonly string _bucket = TestServer.BucketName("s3");
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await _server.CreateBucketAsync(_bucket);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task PutObject_StoresTheBody_WhenItsSha256Matches()
    {
        var body = "signed payload"u8.ToArray();
        var response = await SendAsync(HttpMethod.Put, "/signed.txt", body, S3RequestSigner.Sha256(body));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("x-amz-request-id").Should().ContainSingle();
        response.Headers.Server.ToString().Should().Be("AmazonS3");
        (await GetAsync("/signed.txt")).Should().Equal(body);
    }

    [Fact]
    public async Task PutObject_ReturnsXAmzContentSha256Mismatch_AndStoresNothing_WhenTheBodyDiffers()
    {
        var response = await SendAsync(HttpMethod.Put, "/tampered.txt", "actual body"u8.ToArray(), S3RequestSigner.Sha256("signed body"u8.ToArray()));
        await ShouldBeS3ErrorAsync(response, HttpStatusCode.BadRequest, "XAmzContentSHA256Mismatch");
        (await SendAsync(HttpMethod.Head, "/tampered.txt", null, S3RequestSigner.Sha256([]))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutObject_DecodesASignedChunkedBody()
    {
        var data = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        var response = await SendChunkedAsync("/chunked.bin", data, tamperAt: null);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await GetAsync("/chunked.bin")).Should().Equal(data);
    }

    [Fact]
    public async Task PutObject_ReturnsSignatureDoesNotMatch_AndStoresNothing_WhenAChunkIsTampered()
    {
        var data = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        var response = await SendChunkedAsync("/tampered.bin", data, tamperAt: 150_000);
        await ShouldBeS3ErrorAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
        (await SendAsync(HttpMethod.Head, "/tampered.bin", null, S3RequestSigner.Sha256([]))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        Directory.EnumerateFiles(Path.Combine(_server.DataDirectory, "tmp")).Should().BeEmpty();
    }

    [Fact]
    public async Task Request_ReturnsSignatureDoesNotMatch_WithAnotherSecret()
    {
        var request = Request(HttpMethod.Get, "/");
        S3RequestSigner.Sign(request, TestAccounts.Owner with { SecretKey = "wrong" }, DateTimeOffset.UtcNow, S3RequestSigner.Sha256([]));
        await ShouldBeS3ErrorAsync(await _server.SendRawAsync(request), HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Request_ReturnsRequestTimeTooSkewed_WhenSignedAnHourAgo()
    {
        var request = Request(HttpMethod.Get, "/");
        S3RequestSigner.Sign(request, TestAccounts.Owner, DateTimeOffset.UtcNow.AddHours(-1), S3RequestSigner.Sha256([]));
        await ShouldBeS3ErrorAsync(await _server.SendRawAsync(request), HttpStatusCode.Forbidden, "RequestTimeTooSkewed");
    }

    [Fact]
    public async Task Request_ReturnsInvalidRequest_ForSignatureVersion2()
    {
        var request = Request(HttpMethod.Get, "/");
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS {TestAccounts.Owner.SecretId}:c2lnbmF0dXJl");
        await ShouldBeS3ErrorAsync(await _server.SendRawAsync(request), HttpStatusCode.BadRequest, "InvalidRequest");
    }

    [Fact]
    public async Task GetObject_ReturnsNoSuchKey_InS3Terms()
    {
        var response = await SendAsync(HttpMethod.Get, "/missing", null, S3RequestSigner.Sha256([]));
        var error = await ShouldBeS3ErrorAsync(response, HttpStatusCode.NotFound, "NoSuchKey");
        error.Element("Resource")!.Value.Should().Be($"/{_bucket}/missing");
    }

    [Fact]
    public async Task ListObjectsV2_PagesWithContinuationTokens()
    {
        foreach (var key in new[] { "a", "b", "c" })
        {
            await SendAsync(HttpMethod.Put, "/" + key, [1], S3RequestSigner.Sha256([1]));
        }

        var first = await ListV2Async("list-type=2&max-keys=2");
        XElement(first, "KeyCount").Should().Be("2");
        XElement(first, "IsTruncated").Should().Be("true");
        var token = XElement(first, "NextContinuationToken")!;
        var second = await ListV2Async($"list-type=2&max-keys=2&continuation-token={Uri.EscapeDataString(token)}");
        second.Elements(S3("Contents")).Select(c => c.Element(S3("Key"))!.Value).Should().Equal("c");
        XElement(second, "ContinuationToken").Should().Be(token);
        XElement(second, "IsTruncated").Should().Be("false");
        (await ListV2Async("list-type=2&start-after=b")).Elements(S3("Contents")).Should().ContainSingle();
        var badToken = await SendAsync(HttpMethod.Get, "/?list-type=2&continuation-token=%25%25", null, S3RequestSigner.Sha256([]));
        await ShouldBeS3ErrorAsync(badToken, HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task PutObject_WithSseS3_IsEncryptedAndSaysSo_InS3Terms()
    {
        var put = await SendAsync(HttpMethod.Put, "/sse.txt", "sse-s3 body"u8.ToArray(), S3RequestSigner.Sha256("sse-s3 body"u8.ToArray()),
            [new("x-amz-server-side-encryption", "AES256")]);
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        put.Headers.GetValues("x-amz-server-side-encryption").Should().Equal("AES256");
        var head = await SendAsync(HttpMethod.Head, "/sse.txt", null, S3RequestSigner.Sha256([]));
        head.Headers.GetValues("x-amz-server-side-encryption").Should().Equal("AES256");
        head.Headers.Contains("x-cos-server-side-encryption").Should().BeFalse();
        (await GetAsync("/sse.txt")).Should().Equal("sse-s3 body"u8.ToArray());
    }

    [Fact]
    public async Task PutObject_WithAwsKms_RecordsTheKeyId_AndReturnsIt()
    {
        var put = await SendAsync(HttpMethod.Put, "/kms.txt", [1, 2], S3RequestSigner.Sha256([1, 2]),
            [new("x-amz-server-side-encryption", "aws:kms"), new("x-amz-server-side-encryption-aws-kms-key-id", "arn:aws:kms:ap-guangzhou:1:key/k")]);
        put.Headers.GetValues("x-amz-server-side-encryption").Should().Equal("aws:kms");
        var get = await SendAsync(HttpMethod.Get, "/kms.txt", null, S3RequestSigner.Sha256([]));
        get.Headers.GetValues("x-amz-server-side-encryption").Should().Equal("aws:kms");
        get.Headers.GetValues("x-amz-server-side-encryption-aws-kms-key-id").Should().Equal("arn:aws:kms:ap-guangzhou:1:key/k");
    }

    [Theory]
    [InlineData("x-amz-server-side-encryption", "AES128", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("x-amz-server-side-encryption", "cos/kms", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("x-amz-server-side-encryption", "aws:kms:dsse", HttpStatusCode.NotImplemented, "NotImplemented")]
    [InlineData("x-amz-server-side-encryption-bucket-key-enabled", "true", HttpStatusCode.NotImplemented, "NotImplemented")]
    [InlineData("x-amz-server-side-encryption-context", "e30=", HttpStatusCode.NotImplemented, "NotImplemented")]
    [InlineData("x-amz-server-side-encryption-customer-algorithm", "AES256", HttpStatusCode.NotImplemented, "NotImplemented")]
    public async Task PutObject_RefusesWhatIsNotImplementedOrNotAnAlgorithm_InS3Terms(string header, string value, HttpStatusCode status, string code)
    {
        var response = await SendAsync(HttpMethod.Put, "/refused", [1], S3RequestSigner.Sha256([1]), [new(header, value)]);
        await ShouldBeS3ErrorAsync(response, status, code);
        (await SendAsync(HttpMethod.Head, "/refused", null, S3RequestSigner.Sha256([]))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UnknownSubResource_IsRefusedInS3Terms()
    {
        var response = await SendAsync(HttpMethod.Get, "/?torrent", null, S3RequestSigner.Sha256([]));
        await ShouldBeS3ErrorAsync(response, HttpStatusCode.NotImplemented, "NotImplemented");
    }

    [Fact]
    public async Task BucketEncryption_SpeaksS3_WithItsNotFoundCodeAndBucketKeyElement()
    {
        var missing = await SendAsync(HttpMethod.Get, "/?encryption", null, S3RequestSigner.Sha256([]));
        await ShouldBeS3ErrorAsync(missing, HttpStatusCode.NotFound, "ServerSideEncryptionConfigurationNotFoundError");

        var body = Encoding.UTF8.GetBytes("<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>" +
            "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>k-1</KMSMasterKeyID>" +
            "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>");
        (await SendAsync(HttpMethod.Put, "/?encryption", body, S3RequestSigner.Sha256(body))).StatusCode.Should().Be(HttpStatusCode.OK);
        var get = await SendAsync(HttpMethod.Get, "/?encryption", null, S3RequestSigner.Sha256([]));
        (await get.Content.ReadAsStringAsync()).Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?>" +
            "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ApplyServerSideEncryptionByDefault>" +
            "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>k-1</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>" +
            "<BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>");

        var put = await SendAsync(HttpMethod.Put, "/defaulted", [7], S3RequestSigner.Sha256([7]));
        put.Headers.GetValues("x-amz-server-side-encryption").Should().Equal("aws:kms");
        put.Headers.GetValues("x-amz-server-side-encryption-aws-kms-key-id").Should().Equal("k-1");
        (await SendAsync(HttpMethod.Delete, "/?encryption", null, S3RequestSigner.Sha256([]))).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    private static XName S3(string name) => XName.Get(name, "http://s3.amazonaws.com/doc/2006-03-01/");

    private static string? XElement(XElement root, string name) => root.Element(S3(name))?.Value;

    private async Task<XElement> ListV2Async(string query)
    {
        var response = await SendAsync(HttpMethod.Get, "/?" + query, null, S3RequestSigner.Sha256([]));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
    }

    private HttpRequestMessage Request(HttpMethod method, string pathAndQuery, byte[]? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(_server.BaseAddress, $"/{_bucket}{(pathAndQuery == "/" ? "" : pathAndQuery)}"));
        if (pathAndQuery.StartsWith("/?", StringComparison.Ordinal))
        {
            request.RequestUri = new Uri(_server.BaseAddress, $"/{_bucket}{pathAndQuery[1..]}");
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, byte[]? body, string payloadHash,
        KeyValuePair<string, string>[]? headers = null)
    {
        var request = Request(method, pathAndQuery, body);
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        S3RequestSigner.Sign(request, TestAccounts.Owner, DateTimeOffset.UtcNow, payloadHash);
        return await _server.SendRawAsync(request);
    }

    private async Task<byte[]> GetAsync(string path)
    {
        var response = await SendAsync(HttpMethod.Get, path, null, S3RequestSigner.Sha256([]));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<HttpResponseMessage> SendChunkedAsync(string path, byte[] data, int? tamperAt)
    {
        var now = DateTimeOffset.UtcNow;
        var request = Request(HttpMethod.Put, path, []);
        request.Headers.TryAddWithoutValidation("x-amz-decoded-content-length", data.Length.ToString());
        request.Content!.Headers.TryAddWithoutValidation("Content-Encoding", "aws-chunked");
        S3RequestSigner.Sign(request, TestAccounts.Owner, now, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
        var body = S3RequestSigner.SignedChunks(data, 64 * 1024, TestAccounts.Owner, now, S3RequestSigner.SignatureOf(request));
        if (tamperAt is { } position)
        {
            body[position + 100] ^= 0xFF;
        }

        var content = new ByteArrayContent(body);
        foreach (var header in request.Content.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        request.Content = content;
        return await _server.SendRawAsync(request);
    }

    private static async Task<XElement> ShouldBeS3ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        var root = XDocument.Parse(text).Root!;
        root.Element("Code")!.Value.Should().Be(code);
        root.Element("RequestId")!.Value.Should().Be(response.Headers.GetValues("x-amz-request-id").Single());
        response.Headers.Server.ToString().Should().Be("AmazonS3");
        return root;
    }
}
