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

    [Theory]
    [InlineData("GLACIER")]
    [InlineData("ONEZONE_IA")]
    public void NormalizeCos_ThrowsInvalidStorageClass_ForAnS3OnlyClass(string value)
    {
        var act = () => StorageClass.NormalizeCos(value);
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidStorageClass);
    }

    [Theory]
    [InlineData(null, "STANDARD")]
    [InlineData("", "STANDARD")]
    [InlineData("GLACIER", "GLACIER")]
    [InlineData("GLACIER_IR", "GLACIER_IR")]
    [InlineData("ONEZONE_IA", "ONEZONE_IA")]
    [InlineData("REDUCED_REDUNDANCY", "REDUCED_REDUNDANCY")]
    [InlineData("OUTPOSTS", "OUTPOSTS")]
    [InlineData("SNOW", "SNOW")]
    [InlineData("EXPRESS_ONEZONE", "EXPRESS_ONEZONE")]
    [InlineData("glacier", "GLACIER")]
    [InlineData("Onezone_Ia", "ONEZONE_IA")]
    [InlineData("deep_archive", "DEEP_ARCHIVE")]
    [InlineData("MAZ_STANDARD_IA", "MAZ_STANDARD_IA")]
    public void NormalizeS3_ReturnsCanonicalName_ForS3AndCosClassesInAnyCase(string? value, string expected)
    {
        StorageClass.NormalizeS3(value).Should().Be(expected);
    }

    [Theory]
    [InlineData("GLACIER_PLUS")]
    [InlineData("COLD")]
    [InlineData("STANDARD-IA")]
    public void NormalizeS3_ThrowsInvalidStorageClass_ForUnknownClass(string value)
    {
        var act = () => StorageClass.NormalizeS3(value);
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidStorageClass);
    }

    [Fact]
    public void Coldness_FollowsS3sWaterfall_WithCosNamesBesideTheirPeers()
    {
        string[] waterfall = ["STANDARD", "INTELLIGENT_TIERING", "STANDARD_IA", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"];
        waterfall.Select(StorageClass.Coldness).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        (StorageClass.Coldness("ARCHIVE"), StorageClass.Coldness("MAZ_STANDARD_IA"), StorageClass.Coldness("REDUCED_REDUNDANCY"))
            .Should().Be((StorageClass.Coldness("GLACIER"), StorageClass.Coldness("STANDARD_IA"), StorageClass.Coldness("STANDARD")));
    }

    [Theory]
    [InlineData("GLACIER", true, true)]
    [InlineData("GLACIER", false, false)]
    [InlineData("ARCHIVE", false, true)]
    [InlineData("ARCHIVE", true, true)]
    [InlineData("STANDARD", true, false)]
    [InlineData("MAZ_STANDARD", false, false)]
    public void IsTransitionTarget_NamesTheClassesALifecycleRuleMayMoveTo_InEachDialect(string value, bool s3, bool expected)
    {
        StorageClass.IsTransitionTarget(value, s3).Should().Be(expected);
    }
}
