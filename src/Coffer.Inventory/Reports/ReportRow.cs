using Coffer.Model.Objects;

namespace Coffer.Inventory.Reports;

/// <summary>Which version a column reads in a diff report: the one in the report (<see cref="Current"/>), or the earlier or later one.</summary>
public enum ColumnSide
{
    Current,
    Before,
    After,
}

/// <summary>What a journal report adds to a row: the change's sequence, operation and time (incremental), or how the object differs (diff).</summary>
public sealed record ChangeFields(long? Sequence, string Operation, DateTimeOffset? Time);

/// <summary>
/// One row of a report: an object version (the one full and incremental rows report; a diff row's identity), and for
/// journal reports what they add: the change, and a diff's versions before and after.
/// </summary>
public readonly record struct ReportRow(ObjectInfo Object)
{
    public ChangeFields? Change { get; init; }

    public ObjectInfo? Before { get; init; }

    public ObjectInfo? After { get; init; }

    /// <summary>The version a column on <paramref name="side"/> reads; null when that side has none (a diff's added or removed object).</summary>
    public ObjectInfo? On(ColumnSide side) => side switch
    {
        ColumnSide.Before => Before,
        ColumnSide.After => After,
        _ => Object,
    };

    public static implicit operator ReportRow(ObjectInfo version) => new(version);
}
