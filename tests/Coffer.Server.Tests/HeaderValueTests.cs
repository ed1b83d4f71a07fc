using System.Net;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// Header values that HTTP cannot send back as they came: control characters in stored headers are written as RFC 2047
/// encoded words (as S3 writes such metadata), and response overrides with control characters are refused.
/// </summary>
public sealed class HeaderValueTests() : ServerTestBase("headers")
{
    public static TheoryData<string, string> StoredHeaders => new()
    {
        { "x-cos-meta-a", "x\u0001y" },
        { "x-cos-meta-del", "x\u007Fy" },
        { "Content-Type", "text/plain\u0001" },
        { "Content-Disposition", "attachment; filename=\"a\u0002b\"" },
        { "Cache-Control", "max-age=1\u001f" },
        { "Content-Language", "en\u0003" },
    };

    [Theory]
    [MemberData(nameof(StoredHeaders))]
    public async Task StoredHeader_WithAControlCharacter_IsReadBackAsAnEncodedWord_InCos(string name, string value)
    {
        var key = "cos-" + name;
        (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, key, content: new ByteArrayContent([7]), headers: [new(name, value)])))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        foreach (var method in new[] { HttpMethod.Head, HttpMethod.Get })
        {
            var response = await Server.SendAsync(Server.Request(method, Bucket, key));
            response.StatusCode.Should().Be(HttpStatusCode.OK, $"{method} must read what PUT accepted");
            ValueOf(response, name).Should().Be(EncodedWord(value));
        }
    }

    [Theory]
    [MemberData(nameof(StoredHeaders))]
    public async Task StoredHeader_WithAControlCharacter_IsReadBackAsAnEncodedWord_InS3(string name, string value)
    {
        var s3Name = name.Replace("x-cos-", "x-amz-", StringComparison.Ordinal);
        var key = "s3-" + name;
        (await S3.SendAsync(HttpMethod.Put, Bucket, key, body: [7], headers: [new(s3Name, value)])).StatusCode.Should().Be(HttpStatusCode.OK);

        foreach (var method in new[] { HttpMethod.Head, HttpMethod.Get })
        {
            var response = await S3.SendAsync(method, Bucket, key);
            response.StatusCode.Should().Be(HttpStatusCode.OK, $"{method} must read what PUT accepted");
            ValueOf(response, s3Name).Should().Be(EncodedWord(value));
        }
    }

    [Fact]
    public async Task StoredHeader_WithoutControlCharacters_IsReadBackAsSent()
    {
        await Server.PutObjectAsync(Bucket, "plain", [1], [new("x-cos-meta-city", "Zurich = ok?"), new("Content-Encoding", "deflate, gzip")]);
        var head = await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "plain"));
        head.Headers.GetValues("x-cos-meta-city").Single().Should().Be("Zurich = ok?");
        RawContentEncoding(head).Should().Be("deflate, gzip", "the client's spelling is kept");
    }

    [Fact]
    public async Task ContentEncoding_KeepsItsSpacing_WhenAwsChunkedIsRemoved()
    {
        (await S3.SendAsync(HttpMethod.Put, Bucket, "encoded", body: [1], headers: [new("Content-Encoding", "deflate, gzip")])).StatusCode
            .Should().Be(HttpStatusCode.OK);
        RawContentEncoding(await S3.SendAsync(HttpMethod.Head, Bucket, "encoded")).Should().Be("deflate, gzip");
    }

    [Theory]
    [InlineData("aws-chunked")]
    [InlineData("aws-chunked, aws-chunked")]
    public async Task ContentEncoding_IsNotStored_WhenItNamesOnlyAwsChunked(string contentEncoding)
    {
        (await S3.SendAsync(HttpMethod.Put, Bucket, "chunked", body: [1], headers: [new("Content-Encoding", contentEncoding)])).StatusCode
            .Should().Be(HttpStatusCode.OK);
        var head = await S3.SendAsync(HttpMethod.Head, Bucket, "chunked");
        head.Content.Headers.Contains("Content-Encoding").Should().BeFalse("aws-chunked is how the body travelled, not how the object is encoded");
    }

    [Theory]
    [InlineData("response-content-disposition=a%01b")]
    [InlineData("response-cache-control=no%01cache")]
    [InlineData("response-content-type=text%2Fplain%0D%0AX-Injected%3A%201")]
    [InlineData("response-expires=%7F")]
    public async Task GetObject_ReturnsInvalidArgument_ForAResponseOverrideWithAControlCharacter(string query)
    {
        await Server.PutObjectAsync(Bucket, "override", [1]);
        await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "override", query)))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        await (await S3.SendAsync(HttpMethod.Get, Bucket, "override", query)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
    }

    [Theory]
    [InlineData("x-amz-server-side-encryption", "AES256")]
    [InlineData("x-amz-server-side-encryption-aws-kms-key-id", "k-1")]
    public async Task GetAndHead_ReturnInvalidArgument_WithAnEncryptionHeader_InS3(string header, string value)
    {
        await S3.SendAsync(HttpMethod.Put, Bucket, "sse", body: [1], headers: [new("x-amz-server-side-encryption", "AES256")]);
        await (await S3.SendAsync(HttpMethod.Get, Bucket, "sse", headers: [new(header, value)]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        (await S3.SendAsync(HttpMethod.Head, Bucket, "sse", headers: [new(header, value)])).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task GetAndHead_ReturnInvalidArgument_WithAnEncryptionHeader_InCos()
    {
        await Server.PutObjectAsync(Bucket, "sse-cos", [1], [new("x-cos-server-side-encryption", "AES256")]);
        await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "sse-cos", headers: [new("x-cos-server-side-encryption", "AES256")])))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        (await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "sse-cos", headers: [new("x-cos-server-side-encryption", "AES256")])))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    /// <summary>RFC 2047 Q encoding of UTF-8, as written here: printable ASCII but = ? _ as is, space as _, the rest =XX.</summary>
    private static string EncodedWord(string value) =>
        "=?UTF-8?Q?" + string.Concat(System.Text.Encoding.UTF8.GetBytes(value).Select(b =>
            b is > 0x20 and < 0x7F and not (byte)'=' and not (byte)'?' and not (byte)'_' ? ((char)b).ToString() : b == 0x20 ? "_" : $"={b:X2}")) + "?=";

    /// <summary>The header as it came over the wire (HttpClient would split it into its values).</summary>
    private static string RawContentEncoding(HttpResponseMessage response) => response.Content.Headers.NonValidated["Content-Encoding"].ToString();

    private static string ValueOf(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : response.Content.Headers.GetValues(name).Single();
}
