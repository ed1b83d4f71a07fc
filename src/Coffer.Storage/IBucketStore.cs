using Coffer.Storage.Records;

namespace Coffer.Storage;

public interface IBucketReader
{
    BucketRecord? Get(string name);

    BucketRecord? Get(long bucketId);

    /// <summary>The buckets of one owner, by name in UTF-8 byte order.</summary>
    IReadOnlyList<BucketRecord> List(string ownerAppId);

    /// <summary>True when the bucket holds any object version, delete marker or multipart upload.</summary>
    bool HasContent(long bucketId);
}

public interface IBucketWriter : IBucketReader
{
    /// <summary>Creates the bucket and returns it with its id; a name already taken fails.</summary>
    BucketRecord Create(BucketRecord bucket);

    /// <summary>
    /// Deletes the bucket and its configurations when it holds nothing (no version, delete marker or upload), checked
    /// here atomically with the delete; false when it is not empty.
    /// </summary>
    bool DeleteIfEmpty(long bucketId);

    void SetVersioning(long bucketId, VersioningState state);
}
