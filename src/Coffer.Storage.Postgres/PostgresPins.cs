using System.Text.RegularExpressions;

namespace Coffer.Storage.Postgres;

/// <summary>Pinned snapshots: <c>pg_current_snapshot()</c> as text (<c>xmin:xmax:xip,...</c>).</summary>
internal sealed partial class PostgresPins(PostgresSession session) : PostgresAggregate(session), ISnapshotPinWriter
{
    public SnapshotPoint? Get(string owner) =>
        ReadOne(Command("SELECT point FROM snapshot_pins WHERE owner = $1", owner), r => r.GetString(0)) is { } point ? new SnapshotPoint(point) : null;

    public SnapshotPoint Pin(string owner)
    {
        // The statement's snapshot: every transaction it sees as done is in, every other is out, wherever it commits.
        var point = ReadOne(Command(
            "INSERT INTO snapshot_pins (owner, point, pinned_at) VALUES ($1, pg_current_snapshot()::text, $2) ON CONFLICT (owner) DO NOTHING RETURNING point",
            owner, Session.Store.NowMilliseconds()), r => r.GetString(0));
        return point is not null ? new SnapshotPoint(point) : Get(owner)!.Value;
    }

    public bool Release(string owner) => NonQuery(Command("DELETE FROM snapshot_pins WHERE owner = $1", owner)) > 0;

    /// <summary>The snapshot text of <paramref name="point"/>, checked to be nothing but a snapshot before it goes into SQL.</summary>
    internal static string Snapshot(SnapshotPoint point) =>
        SnapshotText().IsMatch(point.Value) ? point.Value : throw new ArgumentException($"'{point}' is not a PostgreSQL snapshot.", nameof(point));

    /// <summary>The oldest transaction a snapshot may not see (<c>xmin</c>).</summary>
    internal static ulong Xmin(string snapshot) => ulong.Parse(snapshot.AsSpan(0, snapshot.IndexOf(':', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The first transaction a snapshot had not yet seen start (<c>xmax</c>): none at or above it is visible in it.</summary>
    internal static ulong Xmax(string snapshot)
    {
        var first = snapshot.IndexOf(':', StringComparison.Ordinal) + 1;
        var second = snapshot.IndexOf(':', first);
        return ulong.Parse(snapshot.AsSpan(first, second - first), System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^\d{1,20}:\d{1,20}:(\d{1,20}(,\d{1,20})*)?$")]
    private static partial Regex SnapshotText();
}
