using Coffer.Storage.Records;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// Buckets (by name) and bucket configurations as the writer connection last read them, used again by later writes on
/// the writer thread (every PUT reads its bucket and the bucket's notification configuration). The writer is the only
/// one that changes either table, so what it read stays true until a write of its own touches a bucket or a
/// configuration (<see cref="SqliteMetadataStore.BucketSettingsTouched"/>) or a rollback takes back what a write read
/// after its own change; both forget everything. Only the writer thread uses it.
/// </summary>
internal sealed class WriterSettingsCache
{
    // Past this many entries the cache starts over rather than keeping every bucket of a very large store.
    private const int MaxEntries = 4096;

    private readonly Dictionary<string, BucketRecord> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<(long BucketId, string Kind, string ConfigId), BucketConfigRecord?> _configs = [];

    public bool TryGetBucket(string name, out BucketRecord? bucket) => _buckets.TryGetValue(name, out bucket);

    public void KeepBucket(string name, BucketRecord bucket)
    {
        if (_buckets.Count >= MaxEntries)
        {
            _buckets.Clear();
        }

        _buckets[name] = bucket;
    }

    public bool TryGetConfig(long bucketId, string kind, string configId, out BucketConfigRecord? config) =>
        _configs.TryGetValue((bucketId, kind, configId), out config);

    /// <summary>Keeps a configuration, or that there is none (null): most buckets have no notification configuration.</summary>
    public void KeepConfig(long bucketId, string kind, string configId, BucketConfigRecord? config)
    {
        if (_configs.Count >= MaxEntries)
        {
            _configs.Clear();
        }

        _configs[(bucketId, kind, configId)] = config;
    }

    public void Forget()
    {
        _buckets.Clear();
        _configs.Clear();
    }
}
