namespace Coffer.Storage.Records;

/// <summary>The states of a run partition.</summary>
public static class PartitionStates
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Done = "done";
    public const string Failed = "failed";
}

/// <summary>
/// One key range of an inventory run, leased on its own so that the cores of a node and the nodes of a cluster scan a
/// run's partitions in parallel. Keys in [<see cref="FromKey"/>, <see cref="ToKey"/>) in UTF-8 byte order.
/// </summary>
public sealed record PartitionRecord
{
    public required string JobId { get; init; }

    /// <summary>The partition's place in key order, from 0.</summary>
    public int Index { get; init; }

    public required string FromKey { get; init; }

    /// <summary>The first key after the range; null when the range runs to the end of the bucket.</summary>
    public string? ToKey { get; init; }

    public required string State { get; init; }

    public string? LeaseOwner { get; init; }

    public DateTimeOffset? LeaseExpires { get; init; }

    /// <summary>The worker's cursor (last key written, part files finished, counters), encoded by the runner.</summary>
    public byte[]? Progress { get; init; }
}

/// <summary>
/// Keys spread evenly (in rows) over a key range, in UTF-8 order, from which a run picks its split points, and how many
/// rows the range holds: exact, or, when <see cref="Estimated"/>, estimated from the sample.
/// </summary>
public sealed record KeySample(long Rows, IReadOnlyList<string> Keys)
{
    /// <summary>True when <see cref="Rows"/> is an estimate (from sampled pages), not a count.</summary>
    public bool Estimated { get; init; }
}
