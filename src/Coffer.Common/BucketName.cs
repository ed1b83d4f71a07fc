namespace Coffer.Common;

/// <summary>
/// A COS bucket name, <c>&lt;name&gt;-&lt;appid&gt;</c>: the name part is 1-50 characters of lowercase letters,
/// digits and hyphens, neither starting nor ending with a hyphen; the APPID is the owner's numeric account id.
/// </summary>
public readonly record struct BucketName
{
    public const int MaxShortNameLength = 50;

    private BucketName(string value, string shortName, string appId)
    {
        Value = value;
        ShortName = shortName;
        AppId = appId;
    }

    /// <summary>The full name, as clients write it (<c>examplebucket-1250000000</c>).</summary>
    public string Value { get; }

    /// <summary>The name without its APPID suffix (<c>examplebucket</c>).</summary>
    public string ShortName { get; }

    public string AppId { get; }

    public static bool TryParse(string? value, out BucketName name)
    {
        name = default;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var dash = value.LastIndexOf('-');
        if (dash <= 0 || dash == value.Length - 1)
        {
            return false;
        }

        var shortName = value[..dash];
        var appId = value[(dash + 1)..];
        if (!IsValidShortName(shortName) || !IsValidAppId(appId))
        {
            return false;
        }

        name = new BucketName(value, shortName, appId);
        return true;
    }

    public static BucketName Parse(string value) =>
        TryParse(value, out var name)
            ? name
            : throw new CofferException(ErrorCode.InvalidBucketName, $"The bucket name '{value}' is invalid.");

    public static bool IsValidAppId(string appId) =>
        appId.Length is > 0 and <= 20 && appId.All(char.IsAsciiDigit) && appId[0] != '0';

    private static bool IsValidShortName(string shortName) =>
        shortName.Length is > 0 and <= MaxShortNameLength
        && shortName[0] != '-'
        && shortName[^1] != '-'
        && shortName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    public override string ToString() => Value;
}
