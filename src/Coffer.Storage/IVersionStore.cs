using Coffer.Storage.Records;

namespace Coffer.Storage;

/// <summary>Object versions and delete markers, kept in (bucket, key in UTF-8 byte order, newest first) order.</summary>
public interface IVersionReader
{
    /// <summary>The newest version of a key (it may be a delete marker), or null.</summary>
    ObjectVersionRecord? GetLatest(long bucketId, string key);

    ObjectVersionRecord? Get(long bucketId, string key, string versionId);

    /// <summary>
    /// The latest version of every key in [<paramref name="fromKey"/>, <paramref name="toKey"/>), in UTF-8 byte order,
    /// delete markers included. <paramref name="fromKeyInclusive"/> says whether <paramref name="fromKey"/> itself may appear.
    /// </summary>
    IEnumerable<ObjectVersionRecord> ScanLatest(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey, VersionDetail detail = VersionDetail.All);

    /// <summary>
    /// Every version and delete marker in key order, newest version of each key first: the versions of
    /// <paramref name="fromKey"/> older than <paramref name="olderThanSequence"/> (all of them when null and
    /// <paramref name="fromKeyInclusive"/>), then every key after it, up to <paramref name="toKey"/> (exclusive).
    /// </summary>
    IEnumerable<ObjectVersionRecord> ScanVersions(
        long bucketId, string fromKey, bool fromKeyInclusive, long? olderThanSequence, string? toKey, VersionDetail detail = VersionDetail.All);

    /// <summary>
    /// <see cref="ScanLatest(long, string, bool, string?, VersionDetail)"/>, each row made by <paramref name="create"/>. An
    /// engine that decodes straight into it spares a large scan an <see cref="ObjectVersionRecord"/> a row.
    /// </summary>
    IEnumerable<T> ScanLatest<T>(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey, VersionDetail detail, VersionFactory<T> create) =>
        ScanLatest(bucketId, fromKey, fromKeyInclusive, toKey, detail).Select(v => create(VersionRecordCodec.IdentityOf(v), VersionRecordCodec.AttributesOf(v)));

    /// <summary><see cref="ScanVersions(long, string, bool, long?, string?, VersionDetail)"/>, each row made by <paramref name="create"/>.</summary>
    IEnumerable<T> ScanVersions<T>(
        long bucketId, string fromKey, bool fromKeyInclusive, long? olderThanSequence, string? toKey, VersionDetail detail, VersionFactory<T> create) =>
        ScanVersions(bucketId, fromKey, fromKeyInclusive, olderThanSequence, toKey, detail)
            .Select(v => create(VersionRecordCodec.IdentityOf(v), VersionRecordCodec.AttributesOf(v)));

    /// <summary>
    /// The rows of <see cref="ScanLatest(long, string, bool, string?, VersionDetail)"/>, read in place as spans. An engine
    /// that does not read rows in place answers with records encoded again (see <see cref="IMetadataStore.ReadsRowsInPlace"/>).
    /// </summary>
    IVersionRowReader ReadLatestRows(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey) =>
        new EncodedVersionRows(ScanLatest(bucketId, fromKey, fromKeyInclusive, toKey));

    /// <summary>The rows of <see cref="ScanVersions(long, string, bool, long?, string?, VersionDetail)"/> from the start of <paramref name="fromKey"/>, read in place as spans.</summary>
    IVersionRowReader ReadVersionRows(long bucketId, string fromKey, bool fromKeyInclusive, string? toKey) =>
        new EncodedVersionRows(ScanVersions(bucketId, fromKey, fromKeyInclusive, null, toKey));
}

public interface IVersionWriter : IVersionReader
{
    /// <summary>Inserts a version with a newly assigned sequence (higher than any before it) and returns it as stored.</summary>
    ObjectVersionRecord Insert(ObjectVersionRecord version);

    /// <summary>
    /// Inserts many versions at once (an import, a seeded benchmark), each with a new sequence in list order, faster than
    /// one <see cref="Insert"/> each; nothing is read or checked, so the caller makes sure no key gets two latest versions.
    /// </summary>
    void InsertMany(IReadOnlyList<ObjectVersionRecord> versions);

    void Delete(long bucketId, string key, long sequence);

    void SetLatest(long bucketId, string key, long sequence, bool isLatest);

    void SetTags(long bucketId, string key, long sequence, IReadOnlyList<KeyValuePair<string, string>> tags);

    /// <summary>
    /// Sets the tags of <paramref name="current"/>, a version this transaction has just read with every section (a batch
    /// job tags thousands in one transaction): an engine may skip reading it again.
    /// </summary>
    void SetTags(ObjectVersionRecord current, IReadOnlyList<KeyValuePair<string, string>> tags) => SetTags(current.BucketId, current.Key, current.Sequence, tags);

    /// <summary>
    /// Rewrites the attributes of the version <paramref name="version"/> names by bucket, key and sequence (its storage
    /// class, ACL, retention...): the packed record only, so its version id and its latest and delete-marker flags stay.
    /// The caller passes a version read with every section, changed with <c>with</c>.
    /// </summary>
    void UpdateRecord(ObjectVersionRecord version);
}
