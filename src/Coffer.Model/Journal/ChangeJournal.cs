using Coffer.Common;
using Coffer.Model.Objects;
using Coffer.Storage;

namespace Coffer.Model.Journal;

/// <summary>One change of an object version, as the journal recorded it (<see cref="ChangeRecord"/>) in the model's terms.</summary>
/// <param name="Version">The version after the change; as it was, for a delete.</param>
/// <param name="Previous">For a retag, the version before it.</param>
/// <param name="VersionSequence">The version's place among its key's versions (higher is newer).</param>
public sealed record ObjectChange(long Sequence, ChangeOperation Operation, DateTimeOffset At, ObjectInfo Version, ObjectInfo? Previous, long VersionSequence);

/// <summary>
/// The store's change journal seen from the model: the instants runs marked, whether the journal still reaches back to
/// one, the changes of a bucket between two of them, and the purge that keeps it to its retention.
/// </summary>
public sealed class ChangeJournal(IMetadataStore metadata)
{
    /// <summary>How many changes one purge transaction removes, so the writer is never held long.</summary>
    public const int PurgeBatch = 10_000;

    /// <summary>The instant a run reported on (marked when it was first claimed), or null.</summary>
    public JournalMark? MarkOf(string jobId)
    {
        using var reader = metadata.OpenSnapshot();
        return reader.Journal.GetMark(jobId);
    }

    /// <summary>True when no change after <paramref name="mark"/> has been purged.</summary>
    public bool Covers(JournalMark mark)
    {
        using var reader = metadata.OpenSnapshot();
        return reader.Journal.Covers(mark.Point);
    }

    /// <summary>
    /// The changes of <paramref name="bucket"/>'s keys under <paramref name="prefix"/> after <paramref name="after"/> up to
    /// <paramref name="upTo"/>, streamed from one snapshot (held until the enumeration is disposed).
    /// </summary>
    public IEnumerable<ObjectChange> Read(string bucket, JournalMark after, JournalMark upTo, string prefix, ChangeOrder order, WalkOptions detail)
    {
        using var reader = metadata.OpenSnapshot();
        var bucketId = (reader.Buckets.Get(bucket) ?? throw new CofferException(ErrorCode.NoSuchBucket, "The specified bucket does not exist.")).Id;
        var versionDetail = (detail.WithTags ? VersionDetail.Tags : 0) | (detail.WithUserMetadata ? VersionDetail.UserMetadata : 0)
            | (detail.WithHeaders ? VersionDetail.Headers : 0);
        foreach (var change in reader.Journal.Read(bucketId, after.Point, upTo.Point, prefix, DelimitedListing.UpperBound(prefix), order, versionDetail))
        {
            yield return new ObjectChange(change.Sequence, change.Operation, change.At, ObjectService.ToInfo(bucket, change.Version),
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
