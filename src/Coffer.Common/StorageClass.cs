namespace Coffer.Common;

/// <summary>The storage classes COS accepts in <c>x-cos-storage-class</c>; objects keep the class they were written with.</summary>
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

    public static IReadOnlyCollection<string> Cos => CosClasses;

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
