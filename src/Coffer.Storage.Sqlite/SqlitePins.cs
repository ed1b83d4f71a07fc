using System.Globalization;

namespace Coffer.Storage.Sqlite;

/// <summary>Pinned instants: commit positions, written <c>sqlite:&lt;position&gt;</c>.</summary>
internal sealed class SqlitePins(SqliteSession session) : SqliteAggregate(session), ISnapshotPinWriter
{
    private const string Prefix = "sqlite:";

    public SnapshotPoint? Get(string owner)
    {
        using var command = Command("SELECT point FROM snapshot_pins WHERE owner = $owner");
        command.Parameters.AddWithValue("$owner", owner);
        return command.ExecuteScalar() is long point ? Point(point) : null;
    }

    public SnapshotPoint Pin(string owner)
    {
        if (Get(owner) is { } pinned)
        {
            return pinned;
        }

        // Inside the one writer: every write at or below this position has committed, none above it has.
        var position = Session.Store.CurrentPosition(Session);
        using var command = Command("INSERT INTO snapshot_pins (owner, point, pinned_at) VALUES ($owner, $point, $at)");
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$point", position);
        command.Parameters.AddWithValue("$at", Session.Store.NowMilliseconds());
        command.ExecuteNonQuery();
        Session.PinsChanged = true;
        return Point(position);
    }

    public bool Release(string owner)
    {
        using var command = Command("DELETE FROM snapshot_pins WHERE owner = $owner");
        command.Parameters.AddWithValue("$owner", owner);
        var released = command.ExecuteNonQuery() > 0;
        Session.PinsChanged |= released;
        return released;
    }

    internal static long Position(SnapshotPoint point) =>
        point.Value.StartsWith(Prefix, StringComparison.Ordinal) && long.TryParse(point.Value.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var position)
            ? position
            : throw new ArgumentException($"'{point}' is not an instant of the embedded store.", nameof(point));

    private static SnapshotPoint Point(long position) => new(Prefix + position.ToString(CultureInfo.InvariantCulture));
}
