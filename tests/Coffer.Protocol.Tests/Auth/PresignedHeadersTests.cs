using Coffer.Common;
using Coffer.Protocol.Auth;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Tests.Auth;

/// <summary>The headers a presigned URL carries in its query, as @aws-sdk/s3-request-presigner writes them.</summary>
public class PresignedHeadersTests
{
    // A URL of @aws-sdk/s3-request-presigner 3.1162 for a PutObjectCommand with an ACL, metadata, tags and a storage class.
    private const string SdkPut = "/b/a.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD"
        + "&X-Amz-Credential=AKID%2F20261208%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261208T031548Z&X-Amz-Expires=300"
        + "&X-Amz-Signature=79cd&X-Amz-SignedHeaders=host&x-amz-acl=public-read&x-amz-checksum-crc32=AAAAAA%3D%3D"
        + "&x-amz-meta-color=blue&x-amz-sdk-checksum-algorithm=CRC32&x-amz-storage-class=STANDARD_IA&x-amz-tagging=k%3Dv&x-id=PutObject";

    [Fact]
    public void Of_ReadsTheHoistedHeaders_ButNotTheSignaturesParametersOrTheChecksums()
    {
        Lines(SdkPut).Should().Equal("x-amz-acl: public-read", "x-amz-meta-color: blue", "x-amz-storage-class: STANDARD_IA", "x-amz-tagging: k=v");
    }

    [Fact]
    public void Of_KeepsTheFirstValue_WhenANameRepeatsInAnyCase()
    {
        Lines("/b/k?X-Amz-Acl=private&x-amz-acl=public-read").Should().Equal("x-amz-acl: private");
    }

    [Theory]
    [InlineData("x-amz-meta-name=caf%C3%A9")]
    [InlineData("x-amz-meta-name=a%0Ab")]
    public void Of_RefusesAValueNoHeaderLineCouldCarry(string parameter)
    {
        var act = () => PresignedHeaders.Of(RequestTarget.Parse("/b/k?" + parameter)).ToList();
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }

    [Theory]
    [InlineData(null, SdkPut, true)]
    [InlineData("AWS4-HMAC-SHA256 Credential=…", SdkPut, false)]
    [InlineData(null, "/b/a.txt?x-amz-acl=public-read", false)]
    public void IsQuerySigned_OnlyForASignatureInTheQuery(string? authorization, string target, bool expected)
    {
        PresignedHeaders.IsQuerySigned(RequestTarget.Parse(target), authorization).Should().Be(expected);
    }

    [Theory]
    [InlineData("X-AMZ-ACL", true)]
    [InlineData("x-amz-meta-color", true)]
    [InlineData("x-amz-checksum-crc32", false)]
    [InlineData("X-Amz-Date", false)]
    [InlineData("x-amz-copy-source", false)]
    public void Carries_NamesOnlyTheHoistedHeadersThatAreThere(string name, bool expected)
    {
        PresignedHeaders.Carries(RequestTarget.Parse(SdkPut), name).Should().Be(expected);
    }

    private static IEnumerable<string> Lines(string target) =>
        PresignedHeaders.Of(RequestTarget.Parse(target)).Select(header => $"{header.Key}: {header.Value}");
}
