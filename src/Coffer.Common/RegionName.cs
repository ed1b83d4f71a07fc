namespace Coffer.Common;

/// <summary>
/// A region's name as the SDKs accept one (<c>us-east-1</c>, <c>ap-guangzhou</c>, an OpenStack <c>RegionOne</c>): ASCII
/// letters, digits and hyphens, a letter or digit at each end, at most 63 characters, as botocore checks it. The name is a
/// field of every SigV4 credential scope and of COS's host names, so one with a '/', a dot or a space could never be signed for.
/// </summary>
public static class RegionName
{
    public const int MaxLength = 63;

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength } && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
