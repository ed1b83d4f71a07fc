using System.Text;
using Coffer.Common;
using Coffer.Protocol.Auth;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Tests;

/// <summary>The examples of the AWS S3 API reference, "Signature Calculations for the Authorization Header" and "Query Parameters".</summary>
public class SigV4Tests
{
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string Host = "examplebucket.s3.amazonaws.com";
    private static readonly DateTimeOffset RequestTime = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void SigningKeyCache_GivesTheDerivedKey_OnePerSecretDateRegionAndService()
    {
        var key = SigningKeyCache.Get(SecretKey, "20130524", "us-east-1", "s3");
        key.Should().Equal(SigV4.SigningKey(SecretKey, "20130524", "us-east-1", "s3"));
        SigningKeyCache.Get(SecretKey, "20130524", "us-east-1", "s3").Should().BeSameAs(key, "a key in use is derived once");
        SigningKeyCache.Get(SecretKey, "20130525", "us-east-1", "s3").Should().Equal(SigV4.SigningKey(SecretKey, "20130525", "us-east-1", "s3"))
            .And.NotEqual(key);
        SigningKeyCache.Get(SecretKey + "x", "20130524", "us-east-1", "s3").Should().NotEqual(key);
        SigningKeyCache.Get(SecretKey, "20130524", "eu-west-1", "s3").Should().NotEqual(key);
    }

    [Theory]
    [InlineData("GET", "/test.txt", "", "bytes=0-9")]
    [InlineData("PUT", "/dir/%E8%85%BE%E8%AE%AF%E4%BA%91", "acl=&versionId=abc", "  inner   spaces  and é 腾讯 😀  ")]
    [InlineData("HEAD", "/", "", null)]
    public void Matches_GivesWhatTheStringsGive_AndRefusesAnyOtherSignature(string method, string uri, string query, string? range)
    {
        var key = SigV4.SigningKey(SecretKey, "20130524", "us-east-1", "s3");
        List<KeyValuePair<string, string>> headers = range is null
            ? []
            : [new("host", Host), new("range", range), new("x-amz-date", "20130524T000000Z"), new("x-long", new string('x', 5000))];
        var scope = "20130524/us-east-1/s3/aws4_request";
        var signature = SigV4.Sign(key, SigV4.StringToSign("20130524T000000Z", scope, SigV4.CanonicalRequest(method, uri, query, headers, SigV4.EmptySha256)));

        bool Matches(string candidate) => SigV4.Matches(candidate, key, "20130524T000000Z", scope, method, uri, query, headers, SigV4.EmptySha256);

        Matches(signature).Should().BeTrue();
        Matches(signature.ToUpperInvariant()).Should().BeFalse();
        Matches(signature[..^1] + (signature[^1] == '0' ? '1' : '0')).Should().BeFalse();
        Matches(signature[..^1]).Should().BeFalse();
        Matches("").Should().BeFalse();
    }

    [Fact]
    public void Verify_AcceptsTheDocumentedGetObjectExample()
    {
        var headers = Headers(("host", Host), ("range", "bytes=0-9"), ("x-amz-content-sha256", SigV4.EmptySha256), ("x-amz-date", "20130524T000000Z"));
        var authorization = Authorization(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date," +
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", "/test.txt", headers);
        var target = RequestTarget.Parse("/test.txt");
        SigV4Verifier.Verify(authorization, "GET", target, headers, SigV4Verifier.PayloadHash(authorization, headers), SecretKey, out _)
            .Should().BeTrue();
    }

    [Fact]
    public void Verify_AcceptsTheDocumentedPutObjectExample_WithAnEncodedKey()
    {
        var headers = Headers(
            ("date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("host", Host),
            ("x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"));
        var authorization = Authorization(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class," +
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd", "/test$file.text", headers);
        var target = RequestTarget.Parse("/test%24file.text");
        SigV4Verifier.Verify(authorization, "PUT", target, headers, SigV4Verifier.PayloadHash(authorization, headers), SecretKey, out _)
            .Should().BeTrue();
    }

    [Fact]
    public void Verify_AcceptsTheDocumentedPresignedUrl_AndCheckTimeEnforcesItsLifetime()
    {
        var target = RequestTarget.Parse(
            "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
        var headers = Headers(("host", Host));
        var authorization = SigV4Authorization.From(null, target, headers)!;
        authorization.IsPresigned.Should().BeTrue();
        SigV4Verifier.Verify(authorization, "GET", target, headers, SigV4Verifier.PayloadHash(authorization, headers), SecretKey, out _)
            .Should().BeTrue();

        SigV4Verifier.CheckTime(authorization, RequestTime.AddHours(23));
        var expired = () => SigV4Verifier.CheckTime(authorization, RequestTime.AddDays(1).AddSeconds(1));
        expired.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.RequestExpired);
    }

    [Theory]
    [InlineData("604801")]
    [InlineData("99999999999999")]
    [InlineData("9223372036854775807")]
    [InlineData("-1")]
    [InlineData("soon")]
    public void From_ThrowsAuthorizationQueryParametersError_ForAnExpiryOutsideAWeek(string expires)
    {
        var target = RequestTarget.Parse(
            "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
            $"&X-Amz-Date=20130524T000000Z&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bb");
        var act = () => SigV4Authorization.From(null, target, Headers(("host", Host)));
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.AuthorizationQueryParametersError);
    }

    [Fact]
    public void From_AcceptsAnExpiryOfExactlyAWeek()
    {
        var target = RequestTarget.Parse(
            "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bb");
        SigV4Authorization.From(null, target, Headers(("host", Host)))!.Expires.Should().Be(TimeSpan.FromDays(7));
    }

    [Fact]
    public void Verify_Rejects_WhenTheQueryDiffersFromWhatWasSigned()
    {
        var headers = Headers(("host", Host), ("range", "bytes=0-9"), ("x-amz-content-sha256", SigV4.EmptySha256), ("x-amz-date", "20130524T000000Z"));
        var authorization = Authorization(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date," +
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", "/test.txt", headers);
        SigV4Verifier.Verify(authorization, "GET", RequestTarget.Parse("/test.txt?acl"), headers, SigV4.EmptySha256, SecretKey, out _)
            .Should().BeFalse();
    }

    [Fact]
    public void CheckTime_ThrowsRequestTimeTooSkewed_Beyond15Minutes()
    {
        var headers = Headers(("x-amz-date", "20130524T000000Z"));
        var authorization = SigV4Authorization.From(
            "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=x", RequestTarget.Parse("/"), headers)!;
        SigV4Verifier.CheckTime(authorization, RequestTime.AddMinutes(14));
        var act = () => SigV4Verifier.CheckTime(authorization, RequestTime.AddMinutes(16));
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.RequestTimeTooSkewed);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,Signature=x")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/2013/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=x")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20130525/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=x")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,SignedHeaders=x-amz-date,Signature=x")]
    [InlineData("AWS4-HMAC-SHA1 Credential=AKID/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=x")]
    public void From_ThrowsAuthorizationHeaderMalformed_ForBrokenHeaders(string header)
    {
        var act = () => SigV4Authorization.From(header, RequestTarget.Parse("/"), Headers(("x-amz-date", "20130524T000000Z")));
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.AuthorizationHeaderMalformed);
    }

    [Fact]
    public void From_RefusesSignatureVersion2()
    {
        var act = () => SigV4Authorization.From("AWS AKID:c2lnbmF0dXJl", RequestTarget.Parse("/"), _ => null);
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidRequest);
    }

    [Fact]
    public void PayloadHash_IsRequired_ForHeaderSignatures()
    {
        var headers = Headers(("x-amz-date", "20130524T000000Z"));
        var authorization = SigV4Authorization.From(
            "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=x", RequestTarget.Parse("/"), headers)!;
        var act = () => SigV4Verifier.PayloadHash(authorization, headers);
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidRequest);
    }

    internal static Func<string, string?> Headers(params (string Name, string Value)[] headers) =>
        name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static SigV4Authorization Authorization(string header, string path, Func<string, string?> headers) =>
        SigV4Authorization.From(header, RequestTarget.Parse(path), headers)!;
}

/// <summary>The chunked upload example of the AWS S3 API reference ("Transferring Payload in Multiple Chunks").</summary>
public class AwsChunkedStreamTests
{
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string SeedSignature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    private static readonly string[] ChunkSignatures =
    [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ];

    private static readonly byte[] SigningKey = SigV4.SigningKey(SecretKey, "20130524", "us-east-1", "s3");

    [Fact]
    public void SeedSignature_MatchesTheDocumentedExample()
    {
        var headers = SigV4Tests.Headers(
            ("content-encoding", "aws-chunked"),
            ("content-length", "66824"),
            ("host", "s3.amazonaws.com"),
            ("x-amz-content-sha256", SigV4.StreamingSigned),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-decoded-content-length", "66560"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"));
        var authorization = SigV4Authorization.From(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
            "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class," +
            $"Signature={SeedSignature}", RequestTarget.Parse("/examplebucket/chunkObject.txt"), headers)!;
        SigV4Verifier.Verify(authorization, "PUT", RequestTarget.Parse("/examplebucket/chunkObject.txt"), headers, SigV4.StreamingSigned,
            SecretKey, out var key).Should().BeTrue();
        key.Should().Equal(SigningKey);
    }

    [Fact]
    public async Task Read_DecodesTheDocumentedBody_AndVerifiesEveryChunkSignature()
    {
        var decoded = await ReadAllAsync(DocumentedBody(), Options(66560));
        decoded.Should().HaveCount(66560).And.OnlyContain(b => b == (byte)'a');
    }

    [Fact]
    public async Task Read_ThrowsSignatureDoesNotMatch_WhenAChunkIsTampered()
    {
        var body = DocumentedBody();
        body[200] = (byte)'b';
        var act = () => ReadAllAsync(body, Options(66560));
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task Read_ThrowsIncompleteBody_WhenTheDecodedLengthDiffers()
    {
        var act = () => ReadAllAsync(DocumentedBody(), Options(66561));
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.IncompleteBody);
    }

    [Fact]
    public async Task Read_ThrowsIncompleteBody_WhenTheBodyIsCutShort()
    {
        var act = () => ReadAllAsync(DocumentedBody()[..40_000], Options(66560));
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.IncompleteBody);
    }

    [Fact]
    public async Task Read_VerifiesAnUnsignedTrailingChecksum()
    {
        var data = Encoding.ASCII.GetBytes("Hello, trailing checksums!");
        var crc = FlexibleChecksum.ForHeader("x-amz-checksum-crc32");
        crc.Append(data);
        var good = UnsignedBody(data, crc.ValueBase64());
        var options = new AwsChunkedOptions(null, "", "", "", FlexibleChecksum.ForHeader("x-amz-checksum-crc32"), data.Length, SignedTrailer: false);
        (await ReadAllAsync(good, options)).Should().Equal(data);

        var bad = UnsignedBody(data, "AAAAAA==");
        var act = () => ReadAllAsync(bad, options with { TrailerChecksum = FlexibleChecksum.ForHeader("x-amz-checksum-crc32") });
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.BadDigest);
    }

    private static AwsChunkedOptions Options(long decodedLength) =>
        new(SigningKey, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", SeedSignature, null, decodedLength, SignedTrailer: false);

    private static byte[] DocumentedBody()
    {
        var body = new MemoryStream();
        void Chunk(int size, string signature)
        {
            body.Write(Encoding.ASCII.GetBytes($"{size:x};chunk-signature={signature}\r\n"));
            body.Write(Enumerable.Repeat((byte)'a', size).ToArray());
            body.Write("\r\n"u8);
        }

        Chunk(65536, ChunkSignatures[0]);
        Chunk(1024, ChunkSignatures[1]);
        Chunk(0, ChunkSignatures[2]);
        return body.ToArray();
    }

    private static byte[] UnsignedBody(byte[] data, string checksum) =>
        [.. Encoding.ASCII.GetBytes($"{data.Length:x}\r\n"), .. data, .. "\r\n0\r\n"u8, .. Encoding.ASCII.GetBytes($"x-amz-checksum-crc32:{checksum}\r\n\r\n")];

    private static async Task<byte[]> ReadAllAsync(byte[] body, AwsChunkedOptions options)
    {
        await using var stream = new AwsChunkedStream(new MemoryStream(body), options);
        var output = new MemoryStream();
        await stream.CopyToAsync(output, 7000);
        return output.ToArray();
    }
}
