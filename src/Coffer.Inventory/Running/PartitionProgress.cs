using System.Text.Json;

namespace Coffer.Inventory.Running;

/// <summary>A report file a partition finished: what the manifest lists, and the version to remove should the run fail.</summary>
public sealed record FinishedPart(string Key, long Size, string Md5, string VersionId);

/// <summary>What a partition scanned and matched up to its cursor.</summary>
public sealed record PartitionCounters(long Scanned, long ScannedBytes, long Matched, long MatchedBytes)
{
    public static PartitionCounters Zero { get; } = new(0, 0, 0, 0);
}

/// <summary>
/// A partition's cursor, saved by its worker as it goes. Rows up to and including every version of <see cref="LastKey"/>
/// are in <see cref="Parts"/>, counted in <see cref="Counters"/> and added up in <see cref="Summary"/>; a worker that
/// takes the partition over keeps those parts, removes the part that was being written (<see cref="InFlight"/>: recorded
/// before its write starts, so a write that committed just before its worker died is found too), and scans on after
/// <see cref="LastKey"/>. <see cref="ScanStart"/> is the run's, set when the partitions were planned.
/// </summary>
public sealed record PartitionProgress
{
    private const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    public DateTimeOffset ScanStart { get; init; }

    public int Attempt { get; init; }

    public DateTimeOffset AttemptStarted { get; init; }

    public string? LastKey { get; init; }

    public IReadOnlyList<FinishedPart> Parts { get; init; } = [];

    public string? InFlight { get; init; }

    public PartitionCounters Counters { get; init; } = PartitionCounters.Zero;

    /// <summary>The encoded <see cref="Summary.ReportSummary"/> of the rows in <see cref="Parts"/>.</summary>
    public byte[]? Summary { get; init; }

    /// <summary>Why the partition failed (an <see cref="Common.ErrorCode"/> name and a message).</summary>
    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    public static PartitionProgress Decode(byte[]? data)
    {
        var progress = data is null ? null : JsonSerializer.Deserialize<PartitionProgress>(data);
        return progress is null ? throw new InvalidDataException("A partition without progress.")
            : progress.Format == CurrentFormat ? progress : throw new InvalidDataException($"Unknown partition progress format {progress.Format}.");
    }

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this);
}
