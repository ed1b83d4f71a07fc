using Coffer.Inventory.Reports;
using Coffer.Model.Journal;
using Coffer.Model.Objects;
using Coffer.Reports;

namespace Coffer.Inventory.Running;

/// <summary>
/// Turns the journal's changes into the rows of incremental and diff reports, in the terms of the report they follow: a
/// current-versions report has a row per key (its current object), an all-versions report a row per version. Replaying an
/// incremental report's rows in order on the previous report gives the next one: <c>Created</c> and <c>Updated</c> rows
/// are the row as it now is, <c>Deleted</c> rows remove the row (if there is one).
/// </summary>
internal static class JournalRows
{
    public const string Created = "Created";
    public const string Updated = "Updated";
    public const string Deleted = "Deleted";
    public const string Added = "Added";
    public const string Removed = "Removed";
    public const string Changed = "Changed";

    /// <summary>The incremental row of one change in an all-versions report, or null when the change leaves the report as it was.</summary>
    public static ReportRow? Incremental(ObjectChange change, ReportFilter filter)
    {
        string? operation = change.Operation switch
        {
            ObjectChangeKind.Create => filter.Matches(change.Version) ? Created : null,
            ObjectChangeKind.Delete => filter.Matches(change.Version) ? Deleted : null,
            ObjectChangeKind.Latest => filter.Matches(change.Version) ? Updated : null,
            _ => Retagged(change, filter),
        };
        return operation is null ? null : (ReportRow?)new ReportRow(change.Version) { Change = new ChangeFields(change.Sequence, operation, change.At) };
    }

    /// <summary>
    /// The incremental row of one key's consecutive changes in a current-versions report, whose row is the key's: how the
    /// row went from before the first change to after the last (an overwrite, which the journal holds as the old
    /// version's removal or demotion and the new one's creation, is one <c>Updated</c> row), at the last change's place;
    /// null when no reported value changed.
    /// </summary>
    public static ReportRow? CurrentIncremental(IReadOnlyList<ObjectChange> keyChanges, ReportFilter filter, ReportSchema schema, ReportContext context)
    {
        var (before, after) = CurrentRows(keyChanges, filter);
        string? operation = (before, after) switch
        {
            (null, null) => null,
            (null, _) => Created,
            (_, null) => Deleted,
            _ => Differ(before, after, schema, context) ? Updated : null,
        };
        var last = keyChanges[^1];
        return operation is null ? null : (ReportRow?)new ReportRow((after ?? before)!) { Change = new ChangeFields(last.Sequence, operation, last.At) };
    }

    /// <summary>A key's row in a current-versions report before its first change and after its last (null where it has none).</summary>
    private static (ObjectInfo? Before, ObjectInfo? After) CurrentRows(IReadOnlyList<ObjectChange> keyChanges, ReportFilter filter)
    {
        var relevant = keyChanges.Where(c => c.Version.IsLatest || c.Operation == ObjectChangeKind.Latest).ToArray();
        if (relevant.Length == 0)
        {
            return (null, null);
        }

        var before = Before(relevant[0], false);
        var after = After(relevant[^1], false);
        return (before is not null && filter.Matches(before) ? before : null, after is not null && filter.Matches(after) ? after : null);
    }

    /// <summary>A retag updates the row, or takes it out of (or into) a report whose filter reads tags.</summary>
    private static string? Retagged(ObjectChange change, ReportFilter filter) =>
        filter.Matches(change.Version) ? Updated : change.Previous is { } previous && filter.Matches(previous) ? Deleted : null;

    /// <summary>
    /// The diff rows of one key's changes (in sequence order): for each object the report names (the key, or each of its
    /// versions), its row before the first change and after the last; a row only when they differ in a reported value.
    /// </summary>
    public static IEnumerable<ReportRow> Diff(IReadOnlyList<ObjectChange> keyChanges, bool allVersions, ReportFilter filter, ReportSchema schema,
        ReportContext context)
    {
        if (!allVersions)
        {
            var (before, after) = CurrentRows(keyChanges, filter);
            return Row(before, after, filter, schema, context);
        }

        // Newest version first, as full reports list them.
        return keyChanges.GroupBy(c => c.Version.VersionId, StringComparer.Ordinal)
            .OrderByDescending(g => g.First().VersionSequence)
            .SelectMany(g => Row(Before(g.First(), allVersions), After(g.Last(), allVersions), filter, schema, context));
    }

    private static ObjectInfo? Before(ObjectChange first, bool allVersions) => first.Operation switch
    {
        ObjectChangeKind.Create => null,
        ObjectChangeKind.Delete => Object(first.Version, allVersions),
        ObjectChangeKind.Latest when allVersions => first.Version with { IsLatest = !first.Version.IsLatest },
        // Made latest: the key had no current object just before (the newer one went in the same transaction).
        ObjectChangeKind.Latest => first.Version.IsLatest ? null : Object(first.Version, false),
        _ => first.Previous,
    };

    private static ObjectInfo? After(ObjectChange last, bool allVersions) => last.Operation switch
    {
        ObjectChangeKind.Delete => null,
        ObjectChangeKind.Latest when !allVersions && !last.Version.IsLatest => null,
        _ => Object(last.Version, allVersions),
    };

    /// <summary>In a current-versions report a delete marker is no row.</summary>
    private static ObjectInfo? Object(ObjectInfo version, bool allVersions) => allVersions || !version.IsDeleteMarker ? version : null;

    private static IEnumerable<ReportRow> Row(ObjectInfo? before, ObjectInfo? after, ReportFilter filter, ReportSchema schema, ReportContext context)
    {
        before = before is not null && filter.Matches(before) ? before : null;
        after = after is not null && filter.Matches(after) ? after : null;
        var change = (before, after) switch
        {
            (null, null) => null,
            (null, _) => Added,
            (_, null) => Removed,
            _ => Differ(before, after, schema, context) ? Changed : null,
        };
        if (change is not null)
        {
            yield return new ReportRow((after ?? before)!) { Change = new ChangeFields(null, change, null), Before = before, After = after };
        }
    }

    private static bool Differ(ObjectInfo before, ObjectInfo after, ReportSchema schema, ReportContext context)
    {
        var (b, a) = (new ReportRow(before), new ReportRow(after));
        return schema.Columns.Any(c => c.Type switch
        {
            ColumnType.Int64 => ReportValues.Int64(c, b) != ReportValues.Int64(c, a),
            ColumnType.Boolean => ReportValues.Boolean(c, b) != ReportValues.Boolean(c, a),
            ColumnType.Timestamp => ReportValues.Timestamp(c, b, context) != ReportValues.Timestamp(c, a, context),
            _ => ReportValues.Text(c, b, context) != ReportValues.Text(c, a, context),
        });
    }
}
