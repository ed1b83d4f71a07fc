namespace Coffer.Storage;

/// <summary>
/// An instant of the store, to read object versions as they were then (<see cref="IMetadataStore.OpenSnapshot(SnapshotPoint)"/>)
/// from any process and at any later time, for as long as it is pinned. The value is the engine's own: a commit
/// position (SQLite) or a transaction snapshot (PostgreSQL).
/// </summary>
public readonly record struct SnapshotPoint(string Value)
{
    public override string ToString() => Value;
}

/// <summary>
/// Pinned instants. While an instant is pinned, versions deleted, replaced or retagged after it are kept (as superseded
/// revisions that current reads never see) so reads at that instant find them; releasing the pin lets
/// <see cref="IMetadataStore.PurgeSupersededAsync"/> remove them.
/// </summary>
public interface ISnapshotPinReader
{
    /// <summary>The instant <paramref name="owner"/> pinned, or null.</summary>
    SnapshotPoint? Get(string owner);
}

public interface ISnapshotPinWriter : ISnapshotPinReader
{
    /// <summary>
    /// Pins the store's instant as of this transaction's start for <paramref name="owner"/> (an inventory run, say), or
    /// returns the instant it pinned already.
    /// </summary>
    SnapshotPoint Pin(string owner);

    /// <summary>Releases the owner's pin; false when it had none.</summary>
    bool Release(string owner);
}
