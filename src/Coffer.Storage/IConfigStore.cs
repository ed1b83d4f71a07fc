using Coffer.Storage.Records;

namespace Coffer.Storage;

/// <summary>Bucket sub-resource configurations (inventory, policy, ACL, encryption), one per (bucket, kind, id).</summary>
public interface IConfigReader
{
    BucketConfigRecord? Get(long bucketId, string kind, string configId);

    /// <summary>
    /// One bucket's configurations of any of <paramref name="kinds"/>, in one read: what a request needs of its bucket
    /// (policy, lifecycle, logging, encryption) without a round trip per kind. In no particular order.
    /// </summary>
    IReadOnlyList<BucketConfigRecord> GetKinds(long bucketId, IReadOnlyList<string> kinds);

    /// <summary>Every configuration of one kind, in every bucket (what a scheduler looks at), in creation order.</summary>
    IReadOnlyList<(BucketRecord Bucket, BucketConfigRecord Config)> ListAll(string kind);

    /// <summary>Configurations of one kind in creation order, after <paramref name="afterSequence"/>.</summary>
    IReadOnlyList<BucketConfigRecord> List(long bucketId, string kind, long afterSequence, int limit);

    int Count(long bucketId, string kind);
}

public interface IConfigWriter : IConfigReader
{
    /// <summary>Creates the configuration, or replaces its body keeping its place in creation order.</summary>
    BucketConfigRecord Put(long bucketId, string kind, string configId, byte[] body, DateTimeOffset now);

    /// <summary>Deletes a configuration; false when there was none.</summary>
    bool Delete(long bucketId, string kind, string configId);
}
