namespace Coffer.Common.Lifecycle;

/// <summary>How a rule wrote its filter, so that it is read back the way it was written.</summary>
public enum LifecycleFilterForm
{
    /// <summary>The rule's own <c>Prefix</c> element (S3's older form, still accepted).</summary>
    RulePrefix,

    /// <summary>A <c>Filter</c> with one condition (or none).</summary>
    Filter,

    /// <summary>A <c>Filter</c> whose conditions are inside <c>And</c>.</summary>
    And,
}

/// <summary>Which objects a rule applies to: all of these that are set must hold.</summary>
public sealed record LifecycleFilter
{
    public string Prefix { get; init; } = "";

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    public long? ObjectSizeGreaterThan { get; init; }

    public long? ObjectSizeLessThan { get; init; }

    public LifecycleFilterForm Form { get; init; } = LifecycleFilterForm.Filter;

    public bool Matches(string key, IReadOnlyList<KeyValuePair<string, string>> tags, long size) =>
        key.StartsWith(Prefix, StringComparison.Ordinal)
        && (ObjectSizeGreaterThan is not { } greater || size > greater)
        && (ObjectSizeLessThan is not { } less || size < less)
        && Tags.All(t => tags.Any(o => o.Key == t.Key && o.Value == t.Value));
}

/// <summary>When current versions expire: a number of days after they were written, a date, or (alone) removing delete markers left with no versions.</summary>
public sealed record LifecycleExpiration(int? Days, DateTimeOffset? Date, bool ExpiredObjectDeleteMarker = false);

/// <summary>
/// Noncurrent versions go <see cref="NoncurrentDays"/> after they became noncurrent, except the
/// <see cref="NewerNoncurrentVersions"/> newest of them.
/// </summary>
public sealed record NoncurrentVersionAction(int NoncurrentDays, int? NewerNoncurrentVersions);

/// <summary>Current versions move to <see cref="StorageClass"/> <see cref="Days"/> after they were written, or on <see cref="Date"/>.</summary>
public sealed record LifecycleTransition(int? Days, DateTimeOffset? Date, string StorageClass);

/// <summary>
/// Noncurrent versions move to <see cref="StorageClass"/> <see cref="NoncurrentDays"/> after they became noncurrent,
/// except the <see cref="NewerNoncurrentVersions"/> newest of them.
/// </summary>
public sealed record NoncurrentVersionTransition(int NoncurrentDays, int? NewerNoncurrentVersions, string StorageClass);

public sealed record LifecycleRule
{
    /// <summary>The rule's ID (at most 255 characters); null when the request gave none.</summary>
    public string? Id { get; init; }

    public bool Enabled { get; init; }

    public LifecycleFilter Filter { get; init; } = new();

    public LifecycleExpiration? Expiration { get; init; }

    public NoncurrentVersionAction? NoncurrentVersionExpiration { get; init; }

    public IReadOnlyList<LifecycleTransition> Transitions { get; init; } = [];

    public IReadOnlyList<NoncurrentVersionTransition> NoncurrentVersionTransitions { get; init; } = [];

    /// <summary>Multipart uploads not completed this many days after they were initiated are aborted.</summary>
    public int? AbortIncompleteMultipartUploadDays { get; init; }
}

/// <summary>A bucket's lifecycle configuration: up to 1,000 rules.</summary>
public sealed record LifecycleConfiguration(IReadOnlyList<LifecycleRule> Rules)
{
    public const int MaxRules = 1000;

    /// <summary>
    /// When the enabled rules expire a current version with this key, tags and size, written at
    /// <paramref name="createdAt"/>: the earliest expiration of a matching rule, and that rule's ID; null when none does.
    /// </summary>
    public (DateTimeOffset Date, string? RuleId)? ExpirationOf(string key, IReadOnlyList<KeyValuePair<string, string>> tags, long size, DateTimeOffset createdAt)
    {
        (DateTimeOffset Date, string? RuleId)? earliest = null;
        foreach (var rule in Rules)
        {
            if (!rule.Enabled || rule.Expiration is not { } expiration || !rule.Filter.Matches(key, tags, size))
            {
                continue;
            }

            DateTimeOffset? due = expiration.Days is { } days ? DueAfter(createdAt, days) : expiration.Date;
            if (due is { } date && (earliest is null || date < earliest.Value.Date))
            {
                earliest = (date, rule.Id);
            }
        }

        return earliest;
    }

    /// <summary>
    /// S3 counts lifecycle days from the moment an object was written (or became noncurrent), then rounds up to the
    /// next midnight UTC: an object written at 10:30 on the 15th with one day expires at 00:00 on the 17th.
    /// </summary>
    public static DateTimeOffset DueAfter(DateTimeOffset since, int days)
    {
        var moment = since.UtcDateTime.AddDays(days);
        var midnight = moment.Date;
        return new DateTimeOffset(midnight == moment ? midnight : midnight.AddDays(1), TimeSpan.Zero);
    }
}
