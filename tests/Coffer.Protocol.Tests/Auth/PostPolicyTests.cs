using System.Text;
using Coffer.Common;
using Coffer.Protocol.Auth;

namespace Coffer.Protocol.Tests.Auth;

/// <summary>The POST Object policy document: what S3 refuses as malformed, and how conditions match the form.</summary>
public class PostPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("{\"conditions\":[]}")]
    [InlineData("{\"EXPIRATION\":\"2100-01-01T00:00:00Z\",\"conditions\":[]}")]
    [InlineData("{\"expiration\":\"2100-01-01T00:00:00Z\",\"CONDITIONS\":[]}")]
    [InlineData("{\"expiration\":\"Mon, 01 Jan 2100 00:00:00 GMT\",\"conditions\":[]}")]
    [InlineData("{\"expiration\":\"2100-01-01T00:00:00Z\",\"conditions\":[{}]}")]
    [InlineData("{\"expiration\":\"2100-01-01T00:00:00Z\",\"conditions\":[[\"content-length-range\", 0]]}")]
    [InlineData("{\"expiration\":\"2100-01-01T00:00:00Z\",\"conditions\":[[\"content-length-range\", -1, 0]]}")]
    [InlineData("{\"expiration\":\"2100-01-01T00:00:00Z\",\"conditions\":[[\"matches\", \"$key\", \"a\"]]}")]
    [InlineData("[]")]
    public void Parse_RefusesMalformedDocuments_AsInvalidPolicyDocument(string json)
    {
        var act = () => PostPolicy.Parse(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)));
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidPolicyDocument);
    }

    [Fact]
    public void Parse_RefusesTextThatIsNotBase64()
    {
        var act = () => PostPolicy.Parse("not base64!");
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidPolicyDocument);
    }

    [Fact]
    public void Check_MatchesNamesCaseInsensitively_AndValuesExactly()
    {
        var policy = Policy("[{\"bUcKeT\":\"b\"},[\"StArTs-WiTh\",\"$KeY\",\"foo\"],[\"eq\",\"$Content-Type\",\"text/plain\"],[\"content-length-range\",\"1\",10]]");
        policy.LengthRange.Should().Be((1L, 10L));
        policy.Check(Fields(("bucket", "b"), ("key", "foo.txt"), ("content-type", "text/plain")), Now, _ => false);

        var wrongCase = () => policy.Check(Fields(("bucket", "b"), ("key", "FOO.txt"), ("content-type", "text/plain")), Now, _ => false);
        wrongCase.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.AccessDenied);
    }

    [Fact]
    public void Check_StartsWithOnContentType_NeedsEveryListedType()
    {
        var policy = Policy("[{\"bucket\":\"b\"},[\"starts-with\",\"$Content-Type\",\"image/\"]]");
        policy.Check(Fields(("bucket", "b"), ("content-type", "image/png, image/jpeg")), Now, null);
        var mixed = () => policy.Check(Fields(("bucket", "b"), ("content-type", "image/png, text/html")), Now, null);
        mixed.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.AccessDenied);
    }

    [Fact]
    public void Check_RefusesAnExpiredPolicy_AtItsExpirationInstant()
    {
        var policy = PostPolicy.Parse(Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"expiration\":\"2026-12-05T12:00:00.000Z\",\"conditions\":[]}")));
        var act = () => policy.Check(Fields(), Now, null);
        act.Should().Throw<CofferException>().WithMessage("Invalid according to Policy: Policy expired.");
        policy.Check(Fields(), Now.AddSeconds(-1), null);
    }

    private static PostPolicy Policy(string conditions) =>
        PostPolicy.Parse(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"expiration\":\"2100-01-01T00:00:00Z\",\"conditions\":{conditions}}}")));

    private static Dictionary<string, string> Fields(params (string Name, string Value)[] fields) =>
        fields.ToDictionary(f => f.Name, f => f.Value, StringComparer.Ordinal);
}
