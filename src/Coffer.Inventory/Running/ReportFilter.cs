using Coffer.Model.Inventory;
using Coffer.Model.Objects;

namespace Coffer.Inventory.Running;

/// <summary>
/// The filters beyond the prefix (which the scan's key range applies): every filter tag must be on the object, the
/// object's creation time (Unix seconds) must fall in the Period, and its storage class must be the one named (COS
/// writes one; a comma-separated list is read as any of them).
/// </summary>
public sealed class ReportFilter(InventoryFilter filter)
{
    private readonly HashSet<string>? _storageClasses = filter.StorageClass is { Length: > 0 } classes
        ? classes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.ToUpperInvariant()).ToHashSet()
        : null;

    private readonly KeyValuePair<string, string>[] _tags = [.. filter.Tags];

    public bool NeedsTags => _tags.Length > 0;

    /// <summary>No filter beyond the prefix: every object the scan reads is in the report.</summary>
    public bool MatchesAll => _tags.Length == 0 && filter.PeriodStart is null && filter.PeriodEnd is null && _storageClasses is null;

    public bool Matches(ObjectInfo info)
    {
        foreach (var (key, value) in _tags)
        {
            if (!info.Tags.Any(t => t.Key == key && t.Value == value))
            {
                return false;
            }
        }

        var created = info.CreatedAt.ToUnixTimeSeconds();
        if (filter.PeriodStart is { } start && created < start)
        {
            return false;
        }

        if (filter.PeriodEnd is { } end && created > end)
        {
            return false;
        }

        return _storageClasses is null || (!info.IsDeleteMarker && _storageClasses.Contains(info.StorageClass));
    }
}
