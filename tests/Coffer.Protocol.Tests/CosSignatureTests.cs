using Coffer.Common;
using Coffer.Protocol.Auth;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Tests;

/// <summary>The official COS test vector (cos-wire.md §4.1, COS document 436/7778).</summary>
public class CosSignatureTests
{
    private const string SecretKey = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz";
    private const string KeyTime = "1557989151;1557996351";

    private static readonly KeyValuePair<string, string>[] Headers =
    [
        new("Content-Type", "text/plain"),
        new("Content-Length", "13"),
        new("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
        new("Date", "Thu, 16 May 2019 06:45:51 GMT"),
        new("Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"),
        new("x-cos-acl", "private"),
        new("x-cos-grant-read", "uin=\"100000000011\""),
    ];

    [Fact]
    public void SignKey_MatchesOfficialVector()
    {
        CosSignature.SignKey(SecretKey, KeyTime).Should().Be("eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f");
    }

    [Fact]
    public void StringToSign_HashesTheHttpStringOfTheOfficialVector()
    {
        var httpString = CosSignature.HttpString("PUT", "/exampleobject(腾讯云)", [], Headers);
        CosSignature.StringToSign(KeyTime, httpString)
            .Should().Be($"sha1\n{KeyTime}\n8b2751e77f43a0995d6e9eb9477f4b685cca4172\n");
    }

    [Fact]
    public void Sign_MatchesOfficialVector_WithDecodedPath()
    {
        var httpString = CosSignature.HttpString("PUT", "/exampleobject(腾讯云)", [], Headers);
        CosSignature.Sign(SecretKey, KeyTime, KeyTime, httpString).Should().Be("3b8851a11a569213c17ba8fa7dcf2abec6935172");
    }

    [Fact]
    public void NameList_IsSortedLowerCaseEncodedNames()
    {
        CosSignature.NameList(Headers).Should().Be("content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read");
    }

    [Fact]
    public void HttpString_KeepsEmptySections()
    {
        CosSignature.HttpString("GET", "/exampleobject", [], []).Should().Be("get\n/exampleobject\n\n\n");
    }

    [Fact]
    public void Verify_AcceptsOfficialVector_FromAuthorizationHeader()
    {
        var target = RequestTarget.Parse("/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)");
        var authorization = CosAuthorization.From(OfficialAuthorization(), target)!;
        CosSignatureVerifier.Verify(authorization, "PUT", target, Header, SecretKey).Should().BeTrue();
    }

    [Fact]
    public void Verify_Rejects_WhenASignedHeaderChanged()
    {
        var target = RequestTarget.Parse("/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)");
        var authorization = CosAuthorization.From(OfficialAuthorization(), target)!;
        CosSignatureVerifier.Verify(authorization, "PUT", target,
            name => name == "x-cos-acl" ? "public-read" : Header(name), SecretKey).Should().BeFalse();
    }

    [Fact]
    public void Verify_Rejects_WithAnotherSecretKey()
    {
        var target = RequestTarget.Parse("/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)");
        var authorization = CosAuthorization.From(OfficialAuthorization(), target)!;
        CosSignatureVerifier.Verify(authorization, "PUT", target, Header, SecretKey + "x").Should().BeFalse();
    }

    [Fact]
    public void Verify_AcceptsHostSignedWithoutPort_WhenRequestHostHasPort()
    {
        // The Python SDK in Domain mode signs the host name without the port it connects to.
        var target = RequestTarget.Parse("/a.txt?acl");
        var parameters = new KeyValuePair<string, string>[] { new("acl", "") };
        var signedHeaders = new KeyValuePair<string, string>[] { new("host", "127.0.0.1") };
        var signature = CosSignature.Sign(SecretKey, KeyTime, KeyTime, CosSignature.HttpString("GET", "/a.txt", parameters, signedHeaders));
        var header = $"q-sign-algorithm=sha1&q-ak=AKID&q-sign-time={KeyTime}&q-key-time={KeyTime}&q-header-list=host&q-url-param-list=acl&q-signature={signature}";
        var authorization = CosAuthorization.From(header, target)!;
        CosSignatureVerifier.Verify(authorization, "GET", target, n => n == "host" ? "127.0.0.1:9000" : null, SecretKey).Should().BeTrue();
    }

    [Fact]
    public void From_ReadsSignatureFromQueryParameters()
    {
        var target = RequestTarget.Parse(
            "/a.txt?q-sign-algorithm=sha1&q-ak=AKIDx&q-sign-time=1%3B2&q-key-time=1%3B2&q-header-list=host&q-url-param-list=&q-signature=abc");
        var authorization = CosAuthorization.From(null, target)!;
        authorization.SecretId.Should().Be("AKIDx");
        authorization.SignTime.Should().Be("1;2");
        authorization.HeaderList.Should().Equal("host");
        authorization.ParameterList.Should().BeEmpty();
    }

    [Fact]
    public void From_RejectsOtherAlgorithms()
    {
        var act = () => CosAuthorization.From("q-sign-algorithm=md5&q-ak=a&q-sign-time=1;2&q-key-time=1;2&q-signature=x", RequestTarget.Parse("/"));
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.AccessDenied);
    }

    [Fact]
    public void CheckWindow_ThrowsRequestExpired_AfterEnd()
    {
        var authorization = CosAuthorization.From(OfficialAuthorization(), RequestTarget.Parse("/"))!;
        var act = () => CosSignatureVerifier.CheckWindow(authorization, DateTimeOffset.FromUnixTimeSeconds(1557996352));
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.RequestExpired);
        CosSignatureVerifier.CheckWindow(authorization, DateTimeOffset.FromUnixTimeSeconds(1557996351));
    }

    [Fact]
    public void CheckWindow_ThrowsRequestTimeTooSkewed_WhenSignedFarInTheFuture()
    {
        var authorization = CosAuthorization.From(OfficialAuthorization(), RequestTarget.Parse("/"))!;
        var act = () => CosSignatureVerifier.CheckWindow(authorization, DateTimeOffset.FromUnixTimeSeconds(1557989151 - 3600));
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.RequestTimeTooSkewed);
    }

    private static string OfficialAuthorization() =>
        $"q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time={KeyTime}&q-key-time={KeyTime}" +
        "&q-header-list=content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read" +
        "&q-url-param-list=&q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172";

    private static string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
