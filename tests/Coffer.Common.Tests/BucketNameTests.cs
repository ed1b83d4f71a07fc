namespace Coffer.Common.Tests;

public class BucketNameTests
{
    [Theory]
    [InlineData("examplebucket-1250000000", "examplebucket", "1250000000")]
    [InlineData("a-1", "a", "1")]
    [InlineData("my-bucket-2-1250000000", "my-bucket-2", "1250000000")]
    public void TryParse_SplitsNameAndAppId_WhenValid(string value, string shortName, string appId)
    {
        BucketName.TryParse(value, out var name).Should().BeTrue();
        name.ShortName.Should().Be(shortName);
        name.AppId.Should().Be(appId);
        name.Value.Should().Be(value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("examplebucket")]
    [InlineData("examplebucket-")]
    [InlineData("-1250000000")]
    [InlineData("Example-1250000000")]
    [InlineData("ex_ample-1250000000")]
    [InlineData("ex.ample-1250000000")]
    [InlineData("-ex-1250000000")]
    [InlineData("ex--1250000000")]
    [InlineData("ex-0125")]
    [InlineData("ex-12a")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-1250000000")]
    public void TryParse_Fails_WhenInvalid(string value)
    {
        BucketName.TryParse(value, out _).Should().BeFalse();
    }

    [Fact]
    public void Parse_ThrowsInvalidBucketName_WhenInvalid()
    {
        var act = () => BucketName.Parse("Bad");
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidBucketName);
    }
}
