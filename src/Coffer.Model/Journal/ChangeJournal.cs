using Coffer.Common;
using Coffer.Model.Objects;
using Coffer.Storage;

namespace Coffer.Model.Journal;

/// <summary>One change of an object version, as the journal recorded it (<see cref="ChangeRecord"/>) in the model's terms.</summary>
/// <param name="Version">The version after the change; as it was, for a delete.</param>
/// <param name="Previous">For a retag, the version before it.</param>
/// <param name="VersionSequence">The version's place among its key's versions (higher is newer).</param>
public sealed record ObjectChange(long Sequence, ObjectChangeKind Operation, DateTimeOffset At, ObjectInfo Version, ObjectInfo? Previous, long VersionSequence);

/// <summary>What happened to an object version (the journal's <see cref="ChangeOperation"/>, in the model's terms).</summary>
public enum ObjectChangeKind
{
    Create = ChangeOperation.Create,
    Delete = ChangeOperation.Delete,
    Latest = ChangeOperation.Latest,
    Tags = ChangeOperation.Tags,
}

/// <summary>In which order <see cref="ChangeJournal.Read"/> returns changes: by sequence, or by key then sequence.</summary>
public enum ChangeReadOrder
{
    Sequence,
    Key,
}

/// <summary>The instant a run reported on, as the journal marked it: what reports start and end at.</summary>
public sealed record RunInstant
{
    internal RunInstant(JournalMark mark) => Mark = mark;

    /// <summary>The instant's sequence: no change before it has a higher one.</summary>
    public long Sequence => Mark.Sequence;

    internal JournalMark Mark { get; }
}

/// <summary>
/// The store's change journal seen from the model: the instants runs marked, whether the journal still reaches back to
/// one, the changes of a bucket between two of them, and the purge that keeps it to its retention.
/// </summary>
public sealed class ChangeJournal(IMetadataStore metadata)
{
    /// <summary>How many changes one purge transaction removes, so the writer is never held long.</summary>
    public const int PurgeBatch = 10_000;

    /// <summary>The instant a run reported on (marked when it was first claimed), or null.</summary>
    public RunInstant? MarkOf(string jobId)
    {
        using var reader = metadata.OpenSnapshot();
        return reader.Journal.GetMark(jobId) is { } mark ? new RunInstant(mark) : null;
    }

    /// <summary>True when no change after <paramref name="instant"/> has been purged.</summary>
    public bool Covers(RunInstant instant)
    {
        using var reader = metadata.OpenSnapshot();
        return reader.Journal.Covers(instant.Mark.Point);
    }

    /// <summary>
    /// The changes of <paramref name="bucket"/>'s keys under <paramref name="prefix"/> after <paramref name="after"/> up to
    /// <paramref name="upTo"/>, streamed from one snapshot (held until the enumeration is disposed).
    /// </summary>
    public IEnumerable<ObjectChange> Read(string bucket, RunInstant after, RunInstant upTo, string prefix, ChangeReadOrder order, WalkOptions detail)
    {
        using var reader = metadata.OpenSnapshot();
        var bucketId = (reader.Buckets.Get(bucket) ?? throw new CofferException(ErrorCode.NoSuchBucket, "The specified bucket does not exist.")).Id;
        var versionDetail = (detail.WithTags ? VersionDetail.Tags : 0) | (detail.WithUserMetadata ? VersionDetail.UserMetadata : 0)
            | (detail.WithHeaders ? VersionDetail.Headers : 0);
        foreach (var change in reader.Journal.Read(bucketId, after.Mark.Point, upTo.Mark.Point, prefix, DelimitedListing.UpperBound(prefix),
                     order == ChangeReadOrder.Key ? ChangeOrder.Key : ChangeOrder.Sequence, versionDetail))
        {
            yield return new ObjectChange(change.Sequence, (ObjectChangeKind)change.Operation, change.At, ObjectService.ToInfo(bucket, change.Version),
                change.Previous is null ? null : ObjectService.ToInfo(bucket, change.Previous), change.Version.Sequence);
        }
    }

    /// <summary>Removes the changes (and marks) recorded before <paramref name="before"/>; returns how many changes went.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        var purged = 0;
        while (true)
        {
            var batch = await metadata.WriteAsync(writer => writer.Journal.Purge(before, PurgeBatch), cancellationToken);
            purged += batch;
            if (batch < PurgeBatch)
            {
                return purged;
            }
        }
    }
}
