namespace Coffer.Common;

/// <summary>
/// The storage classes COS accepts in <c>x-cos-storage-class</c>; objects keep the class they were written with until a
/// batch copy or a lifecycle transition changes it (the bytes stay in the one tier Coffer has).
/// </summary>
public static class StorageClass
{
    public const string Standard = "STANDARD";

    private static readonly HashSet<string> CosClasses = new(StringComparer.Ordinal)
    {
        "STANDARD", "STANDARD_IA", "ARCHIVE", "DEEP_ARCHIVE", "INTELLIGENT_TIERING",
        "MAZ_STANDARD", "MAZ_STANDARD_IA", "MAZ_INTELLIGENT_TIERING", "MAZ_ARCHIVE",
    };

    // S3's classes, plus COS's: COS's S3 endpoint takes its own names too.
    private static readonly HashSet<string> S3Classes = new(CosClasses, StringComparer.Ordinal)
    {
        "REDUCED_REDUNDANCY", "ONEZONE_IA", "GLACIER", "GLACIER_IR", "OUTPOSTS", "SNOW", "EXPRESS_ONEZONE",
    };

    // What a lifecycle transition may move a version to: S3's TransitionStorageClass values, and COS's.
    private static readonly HashSet<string> CosTransitionTargets = new(StringComparer.Ordinal)
    {
        "STANDARD_IA", "MAZ_STANDARD_IA", "INTELLIGENT_TIERING", "MAZ_INTELLIGENT_TIERING", "ARCHIVE", "DEEP_ARCHIVE",
    };

    private static readonly HashSet<string> S3TransitionTargets = new(CosTransitionTargets, StringComparer.Ordinal)
    {
        "ONEZONE_IA", "GLACIER_IR", "GLACIER",
    };

    public static IReadOnlyCollection<string> Cos => CosClasses;

    /// <summary>The classes a lifecycle transition may name in each dialect.</summary>
    public static bool IsTransitionTarget(string value, bool s3) => (s3 ? S3TransitionTargets : CosTransitionTargets).Contains(value);

    /// <summary>
    /// How cold a class is, S3's waterfall (STANDARD, INTELLIGENT_TIERING, STANDARD_IA, ONEZONE_IA, GLACIER_IR,
    /// GLACIER, DEEP_ARCHIVE) with COS's names beside their S3 peers: lifecycle only ever moves a version to a colder class.
    /// </summary>
    public static int Coldness(string value) => value switch
    {
        "INTELLIGENT_TIERING" or "MAZ_INTELLIGENT_TIERING" => 1,
        "STANDARD_IA" or "MAZ_STANDARD_IA" => 2,
        "ONEZONE_IA" => 3,
        "GLACIER_IR" => 4,
        "GLACIER" or "ARCHIVE" or "MAZ_ARCHIVE" => 5,
        "DEEP_ARCHIVE" => 6,
        _ => 0,
    };

    /// <summary>The canonical class for an S3-dialect request, or an <see cref="ErrorCode.InvalidStorageClass"/> failure.</summary>
    public static string NormalizeS3(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return Standard;
        }

        var upper = value.ToUpperInvariant();
        return S3Classes.Contains(upper)
            ? upper
            : throw new CofferException(ErrorCode.InvalidStorageClass, $"The storage class '{value}' is not valid.");
    }

    /// <summary>The canonical (upper-case) class, or an <see cref="ErrorCode.InvalidStorageClass"/> failure.</summary>
    public static string NormalizeCos(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return Standard;
        }

        var upper = value.ToUpperInvariant();
        return CosClasses.Contains(upper)
            ? upper
            : throw new CofferException(ErrorCode.InvalidStorageClass, $"The storage class '{value}' is not valid.");
    }
}
