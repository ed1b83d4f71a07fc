namespace Coffer.Common.ObjectLock;

/// <summary>The two retention modes of object lock, as COS and S3 spell them.</summary>
public static class RetentionModes
{
    /// <summary>Shortened or removed only by a caller allowed to bypass it who asks to (<c>x-amz-bypass-governance-retention</c>).</summary>
    public const string Governance = "GOVERNANCE";

    /// <summary>Never shortened nor removed by anyone until it ends.</summary>
    public const string Compliance = "COMPLIANCE";

    public static bool IsMode(string? value) => value is Governance or Compliance;
}

/// <summary>
/// A bucket's object lock: present once the bucket has object lock enabled (it can never be turned off), with an
/// optional default retention that versions written without lock headers of their own get.
/// </summary>
public sealed record ObjectLockConfiguration(DefaultRetention? Rule);

/// <summary>The default retention of a bucket with object lock: a mode and a period of either days or years.</summary>
public sealed record DefaultRetention(string Mode, int? Days, int? Years)
{
    /// <summary>The longest default period S3 accepts, in days (100 years); COS documents 1 to 36,500 days.</summary>
    public const int MaxDays = 36_500;

    public const int MaxYears = 100;

    /// <summary>Until when a version written at <paramref name="written"/> is retained.</summary>
    public DateTimeOffset RetainUntil(DateTimeOffset written) => Years is { } years ? written.AddYears(years) : written.AddDays(Days ?? 0);

    /// <summary>A mode, and exactly one period within its bounds; MalformedXML otherwise (S3's answer).</summary>
    public void Validate()
    {
        if (!RetentionModes.IsMode(Mode))
        {
            throw new CofferException(ErrorCode.MalformedXml, "The default retention mode must be GOVERNANCE or COMPLIANCE.");
        }

        if ((Days is null) == (Years is null))
        {
            throw new CofferException(ErrorCode.MalformedXml, "A default retention takes either Days or Years.");
        }

        if (Days is < 1 or > MaxDays || Years is < 1 or > MaxYears)
        {
            throw new CofferException(ErrorCode.InvalidArgument,
                $"Default retention period must be a positive integer: 1 to {MaxDays} days or 1 to {MaxYears} years.");
        }
    }
}

/// <summary>
/// What a write asks of object lock (PutObject, CopyObject, CreateMultipartUpload headers): a retention (mode and
/// date together) and a legal hold, each optional. <see cref="None"/> when the request carries no lock header.
/// </summary>
public sealed record ObjectLockRequest(string? Mode, DateTimeOffset? RetainUntil, bool? LegalHold)
{
    public static ObjectLockRequest None { get; } = new(null, null, null);

    public bool IsEmpty => Mode is null && LegalHold is null;
}
