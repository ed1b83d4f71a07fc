using Coffer.Storage.Records;

namespace Coffer.Storage;

/// <summary>What happened to an object version. Every change of a version is one of these.</summary>
public enum ChangeOperation : byte
{
    /// <summary>The version (or delete marker) was added: a PUT, a copy, a completed multipart upload, a DELETE that left a marker.</summary>
    Create = 1,

    /// <summary>The version was removed for good.</summary>
    Delete = 2,

    /// <summary>The version became, or stopped being, its key's latest (<see cref="ChangeRecord.Version"/>'s IsLatest says which).</summary>
    Latest = 3,

    /// <summary>The version's tags were replaced (<see cref="ChangeRecord.Previous"/> holds it as it was).</summary>
    Tags = 4,
}

/// <summary>
/// One change of the journal: its sequence (for display and ordering; ordered as the changes of one key committed), what
/// happened, when, and the version as it is after the change (as it was, for a delete).
/// </summary>
public sealed record ChangeRecord(long Sequence, ChangeOperation Operation, DateTimeOffset At, ObjectVersionRecord Version, ObjectVersionRecord? Previous);

/// <summary>
/// A pinned instant remembered under an owner (an inventory run) with its sequence: no change before the instant has a
/// higher one. On the embedded engine a change after it has a higher one; on PostgreSQL a change that committed after
/// the instant may carry a lower sequence (sequences are handed out before commit), which the journal still places after it.
/// </summary>
public sealed record JournalMark(string Owner, SnapshotPoint Point, long Sequence, DateTimeOffset At);

/// <summary>In which order <see cref="IChangeJournalReader.Read"/> returns changes.</summary>
public enum ChangeOrder
{
    /// <summary>By sequence: the order to replay them in.</summary>
    Sequence,

    /// <summary>By key in UTF-8 byte order, then sequence: all the changes of one key together.</summary>
    Key,
}

/// <summary>
/// The change journal: every change of an object version (<see cref="IVersionWriter"/>'s inserts, deletes, latest flags and
/// retags) is recorded with it, in its transaction, so the changes between two pinned instants are exactly those visible at
/// the later one and not at the earlier one. Changes are kept until purged (a retention the caller decides).
/// </summary>
public interface IChangeJournalReader
{
    /// <summary>
    /// The changes of a bucket's versions after <paramref name="after"/> up to <paramref name="upTo"/> with keys in
    /// [<paramref name="fromKey"/>, <paramref name="toKey"/>), streamed (dispose before the snapshot). Only
    /// <see cref="Covers"/> tells whether a purge removed some of them.
    /// </summary>
    IEnumerable<ChangeRecord> Read(long bucketId, SnapshotPoint after, SnapshotPoint upTo, string fromKey, string? toKey, ChangeOrder order,
        VersionDetail detail = VersionDetail.All);

    /// <summary>True when no change after <paramref name="after"/> has been purged, so reads from it are complete.</summary>
    bool Covers(SnapshotPoint after);

    /// <summary>The instant <paramref name="owner"/> marked, or null (never marked, or purged with the changes it bounded).</summary>
    JournalMark? GetMark(string owner);
}

public interface IChangeJournalWriter : IChangeJournalReader
{
    /// <summary>Remembers <paramref name="point"/> under <paramref name="owner"/> with a sequence, or returns what it marked already.</summary>
    JournalMark Mark(string owner, SnapshotPoint point);

    /// <summary>
    /// Removes up to <paramref name="limit"/> changes (and marks) recorded before <paramref name="before"/>, oldest first,
    /// and remembers how far the journal no longer reaches; returns how many changes went.
    /// </summary>
    int Purge(DateTimeOffset before, int limit);
}
