using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>
/// The base of the conformance suites: each suite states what one aggregate interface promises, and runs once per engine
/// (a <c>Sqlite…</c> and a <c>Postgres…</c> class derive from it), on a fresh store of its own.
/// </summary>
public abstract class StoreContract<TEngine> : IDisposable
    where TEngine : ITestEngine, new()
{
    protected StoreContract()
    {
        Engine = new TEngine();
        Store = Engine.OpenStore();
    }

    protected TEngine Engine { get; }

    protected IMetadataStore Store { get; private set; }

    /// <summary>Closes the store and opens it again, as a restart would (with <paramref name="time"/> as its clock, when given).</summary>
    protected void Reopen(TimeProvider? time = null)
    {
        Store.Dispose();
        Store = Engine.OpenStore(time);
    }

    protected Task<BucketRecord> CreateBucketAsync(string name = "b-1250000000", string owner = "1250000000") =>
        Store.WriteAsync(w => w.Buckets.Create(new BucketRecord
        {
            Name = name,
            OwnerAppId = owner,
            Region = "ap-guangzhou",
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
        }));

    protected Task<ObjectVersionRecord> InsertAsync(BucketRecord bucket, string key, string versionId = ObjectVersionRecord.NullVersionId,
        bool isLatest = true, bool isDeleteMarker = false) =>
        Store.WriteAsync(w => w.Versions.Insert(Version(bucket, key, versionId, isLatest, isDeleteMarker)));

    /// <summary>Inserts a latest null version of each of <paramref name="keys"/> in one transaction.</summary>
    protected Task InsertManyAsync(BucketRecord bucket, IEnumerable<string> keys) =>
        Store.WriteAsync(w =>
        {
            w.Versions.InsertMany([.. keys.Select(k => Version(bucket, k))]);
            return 0;
        });

    /// <summary>A PUT into a bucket that does not version, as the object service makes it: the null version it finds goes, a new one takes its place.</summary>
    protected static ObjectVersionRecord Put(IMetadataTransaction w, BucketRecord bucket, string key, long size)
    {
        if (w.Versions.Get(bucket.Id, key, ObjectVersionRecord.NullVersionId) is { } previous)
        {
            w.Versions.Delete(bucket.Id, key, previous.Sequence);
        }

        return w.Versions.Insert(Version(bucket, key) with { Size = size });
    }

    protected static ObjectVersionRecord Version(BucketRecord bucket, string key, string versionId = ObjectVersionRecord.NullVersionId,
        bool isLatest = true, bool isDeleteMarker = false) => new()
        {
            BucketId = bucket.Id,
            Key = key,
            VersionId = versionId,
            IsLatest = isLatest,
            IsDeleteMarker = isDeleteMarker,
            Size = key.Length,
            ETag = isDeleteMarker ? "" : "0123456789abcdef0123456789abcdef",
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
            LastModified = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
        };

    public void Dispose()
    {
        Store.Dispose();
        Engine.Dispose();
        GC.SuppressFinalize(this);
    }
}
