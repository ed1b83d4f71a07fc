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

    /// <summary>The incremental row of one change, or null when the change leaves the report as it was.</summary>
    public static ReportRow? Incremental(ObjectChange change, bool allVersions, ReportFilter filter)
    {
        var version = change.Version;
        string? operation = allVersions ? AllVersions(change, filter) : Current(change, filter);
        return operation is null ? null : (ReportRow?)new ReportRow(version) { Change = new ChangeFields(change.Sequence, operation, change.At) };
    }

    private static string? AllVersions(ObjectChange change, ReportFilter filter) => change.Operation switch
    {
        ObjectChangeKind.Create => filter.Matches(change.Version) ? Created : null,
        ObjectChangeKind.Delete => filter.Matches(change.Version) ? Deleted : null,
        ObjectChangeKind.Latest => filter.Matches(change.Version) ? Updated : null,
        _ => Retagged(change, filter),
    };

    private static string? Current(ObjectChange change, ReportFilter filter)
    {
        var version = change.Version;
        return change.Operation switch
        {
            // A new latest version: the key's current object, unless it is a delete marker or the filter leaves it out.
            ObjectChangeKind.Create when version.IsLatest => !version.IsDeleteMarker && filter.Matches(version) ? Created : Deleted,
            // The current object deleted for good; if an older version takes its place, its own change follows.
            ObjectChangeKind.Delete when version.IsLatest && !version.IsDeleteMarker => filter.Matches(version) ? Deleted : null,
            // An older version current again, after the newer ones were deleted in the same transaction.
            ObjectChangeKind.Latest when version.IsLatest && !version.IsDeleteMarker => filter.Matches(version) ? Created : null,
            ObjectChangeKind.Tags when version.IsLatest => Retagged(change, filter),
            _ => null,
        };
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
            var relevant = keyChanges.Where(c => c.Version.IsLatest || c.Operation == ObjectChangeKind.Latest).ToArray();
            return relevant.Length == 0 ? [] : Row(Before(relevant[0], allVersions), After(relevant[^1], allVersions), filter, schema, context);
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
