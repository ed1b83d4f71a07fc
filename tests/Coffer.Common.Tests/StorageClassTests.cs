namespace Coffer.Common.Tests;

public class StorageClassTests
{
    [Theory]
    [InlineData(null, "STANDARD")]
    [InlineData("standard_ia", "STANDARD_IA")]
    [InlineData("ARCHIVE", "ARCHIVE")]
    [InlineData("MAZ_STANDARD", "MAZ_STANDARD")]
    public void NormalizeCos_ReturnsCanonicalName(string? value, string expected)
    {
        StorageClass.NormalizeCos(value).Should().Be(expected);
    }

    [Fact]
    public void NormalizeCos_ThrowsInvalidStorageClass_ForUnknownClass()
    {
        var act = () => StorageClass.NormalizeCos("GLACIER_PLUS");
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidStorageClass);
    }
}
