using Coffer.Common;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Tests;

public class UrlEncodingTests
{
    [Theory]
    [InlineData("a b+c%.txt", "a%20b%2Bc%25.txt")]
    [InlineData("dir/file", "dir%2Ffile")]
    [InlineData("腾讯云", "%E8%85%BE%E8%AE%AF%E4%BA%91")]
    [InlineData("-_.~AZaz09", "-_.~AZaz09")]
    [InlineData("!'()*", "%21%27%28%29%2A")]
    [InlineData("😀", "%F0%9F%98%80")]
    public void Encode_EncodesEverythingButUnreserved(string value, string expected)
    {
        UrlEncoding.Encode(value).Should().Be(expected);
        UrlEncoding.Decode(expected, plusIsSpace: false).Should().Be(value);
    }

    [Fact]
    public void EncodePath_KeepsSlashes()
    {
        UrlEncoding.EncodePath("dir/a b").Should().Be("dir/a%20b");
    }

    [Fact]
    public void Decode_TreatsPlusAsSpace_OnlyInQueries()
    {
        UrlEncoding.Decode("a+b", plusIsSpace: true).Should().Be("a b");
        UrlEncoding.Decode("a+b", plusIsSpace: false).Should().Be("a+b");
    }

    [Theory]
    [InlineData("%")]
    [InlineData("%4")]
    [InlineData("%GG")]
    [InlineData("%C3%28")]
    public void Decode_ThrowsInvalidUri_ForMalformedInput(string value)
    {
        var act = () => UrlEncoding.Decode(value, plusIsSpace: false);
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidUri);
    }

    [Fact]
    public void RequestTarget_DistinguishesValuelessParameters()
    {
        var target = RequestTarget.Parse("/k?acl&id=&prefix=a%2Fb&x=1+2");
        target.Path.Should().Be("/k");
        target.Query.Should().Equal(
            new QueryParameter("acl", "", false),
            new QueryParameter("id", "", true),
            new QueryParameter("prefix", "a/b", true),
            new QueryParameter("x", "1 2", true));
    }
}
