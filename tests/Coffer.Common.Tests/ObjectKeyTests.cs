using System.Text;

namespace Coffer.Common.Tests;

public class ObjectKeyTests
{
    [Theory]
    [InlineData("a/", "a0")]
    [InlineData("abc", "abd")]
    [InlineData("photos/2024/", "photos/20240")]
    [InlineData("\uD7FF", "\uE000")]
    [InlineData("z\U0010FFFF", "{")]
    public void PrefixSuccessor_IsTheNextStringAfterThePrefixRange(string prefix, string expected)
    {
        ObjectKey.PrefixSuccessor(prefix).Should().Be(expected);
    }

    [Fact]
    public void PrefixSuccessor_IsNull_WhenNoGreaterStringExists()
    {
        ObjectKey.PrefixSuccessor("\U0010FFFF").Should().BeNull();
    }

    [Fact]
    public void CompareUtf8_OrdersLikeUtf8Bytes_ForSupplementaryCharacters()
    {
        var pairs = new[] { "a", "\uFFFD", "\U0001F600", "b", "\uE000", "ab" };
        var byUtf8 = pairs.OrderBy(s => Encoding.UTF8.GetBytes(s), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).ToArray();
        pairs.Order(Comparer<string>.Create(ObjectKey.CompareUtf8)).Should().Equal(byUtf8);
    }

    [Fact]
    public void Validate_ThrowsKeyTooLong_Over1024Bytes()
    {
        var act = () => ObjectKey.Validate(new string('a', 1025));
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.KeyTooLong);
        ObjectKey.Validate(new string('a', 1024));
    }

    [Theory]
    [InlineData("..", true)]
    [InlineData(".", true)]
    [InlineData("../x", true)]
    [InlineData("a/../b", true)]
    [InlineData("a/./b", true)]
    [InlineData("a/..", true)]
    [InlineData("a\\..\\b", true)]
    [InlineData("...", false)]
    [InlineData("..a/b", false)]
    [InlineData("a../b", false)]
    [InlineData(".hidden", false)]
    [InlineData("a//b", false)]
    public void HasDotSegment_FindsWholeDotSegments_Only(string key, bool expected)
    {
        ObjectKey.HasDotSegment(key).Should().Be(expected);
        var act = () => ObjectKey.ValidateNew(key);
        if (expected)
        {
            act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
        }
        else
        {
            act.Should().NotThrow();
        }
    }

    [Fact]
    public void Validate_ThrowsInvalidArgument_WhenEmpty()
    {
        var act = () => ObjectKey.Validate("");
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }
}
