using Coffer.Storage.Records;

namespace Coffer.Storage;

/// <summary>The partitions of inventory runs, each with its own lease, and the key samples their split points come from.</summary>
public interface IPartitionReader
{
    /// <summary>Every partition of a run, in key order.</summary>
    IReadOnlyList<PartitionRecord> List(string jobId);

    /// <summary>
    /// Up to about <paramref name="maxKeys"/> keys of the object versions of [<paramref name="fromKey"/>, <paramref name="toKey"/>)
    /// (to the end when null), spread evenly over the range's rows, in UTF-8 order (a key may repeat), and the number of
    /// rows. Read at the reader's instant (a pinned one included).
    /// </summary>
    KeySample SampleKeys(long bucketId, string fromKey, string? toKey, int maxKeys);

    /// <summary>
    /// Split candidates of [<paramref name="fromKey"/>, <paramref name="toKey"/>): up to about <paramref name="maxKeys"/> keys
    /// in UTF-8 order, each after <paramref name="fromKey"/> or the range's first key, spread about evenly over the range's
    /// rows, and the rows, which may be an estimate (<see cref="KeySample.Estimated"/>). An engine may take them from its
    /// index's pages or a sample of its table's blocks rather than the rows, so a key may be one no longer visible at the
    /// reader's instant (any key is a correct split point: the scans filter by instant). A range estimated at fewer than
    /// <paramref name="exactBelow"/> rows is sampled as <see cref="SampleKeys"/> does, with its rows counted exactly
    /// where the engine counts them.
    /// </summary>
    KeySample SplitCandidates(long bucketId, string fromKey, string? toKey, int maxKeys, long exactBelow);
}

public interface IPartitionWriter : IPartitionReader
{
    /// <summary>One partition; in a write transaction it is held until the commit.</summary>
    PartitionRecord? Get(string jobId, int index);

    /// <summary>
    /// Partitions that a worker may take, in (run, key) order: pending ones, and running ones whose lease expired before
    /// <paramref name="now"/> (or was released); of one run, or of any when <paramref name="jobId"/> is null. They are held
    /// until the commit, and partitions another transaction holds are skipped, so two workers never take the same one.
    /// </summary>
    IReadOnlyList<PartitionRecord> ListClaimable(string? jobId, DateTimeOffset now, int limit);

    void Insert(PartitionRecord partition);

    /// <summary>Replaces the stored partition with the same job and index.</summary>
    void Update(PartitionRecord partition);

    /// <summary>Removes every partition of a run (when the run ends); returns how many.</summary>
    int DeleteAll(string jobId);
}
