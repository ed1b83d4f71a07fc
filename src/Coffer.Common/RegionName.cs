namespace Coffer.Common;

/// <summary>
/// A region's name as S3 and COS spell them (<c>us-east-1</c>, <c>ap-guangzhou</c>, <c>ap-shanghai-fsi</c>): lower-case
/// letters and digits in words joined by single hyphens, a letter first. The name is a field of every SigV4 credential
/// scope and of COS's host names, so one with a '/', a dot or a space could never be signed for.
/// </summary>
public static class RegionName
{
    public const int MaxLength = 63;

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength } && char.IsAsciiLetterLower(name[0]) && name[^1] != '-' && !name.Contains("--", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
