using Coffer.Storage.Records;

namespace Coffer.Storage;

/// <summary>
/// The ordered metadata store. SQLite is the embedded implementation; a server database can satisfy the same
/// contract. Reads happen in snapshots; writes happen one at a time in transactions.
/// </summary>
public interface IMetadataStore : IDisposable
{
    /// <summary>Opens a read snapshot: everything read through it sees the store as of its first read.</summary>
    IMetadataReader OpenReader();

    /// <summary>Runs <paramref name="work"/> in a write transaction and commits it; writers never run concurrently.</summary>
    Task<T> WriteAsync<T>(Func<IMetadataWriter, T> work, CancellationToken cancellationToken = default);

    /// <summary>Records, without waiting for the disk, that a blob file may exist without metadata pointing at it.</summary>
    Task RecordBlobIntentAsync(string blobId, CancellationToken cancellationToken = default);

    /// <summary>Blobs that may have no metadata pointing at them: abandoned intents and released versions.</summary>
    IReadOnlyList<string> ListUnreferencedBlobs();

    /// <summary>Forgets blobs whose files have been deleted.</summary>
    Task ForgetUnreferencedBlobsAsync(IReadOnlyCollection<string> blobIds, CancellationToken cancellationToken = default);
}

/// <summary>Which of the heavier columns a scan decodes; the others come back empty. Scans for reports skip what they do not report.</summary>
[Flags]
public enum VersionDetail
{
    Summary = 0,
    Layout = 1,
    UserMetadata = 2,
    Headers = 4,
    Tags = 8,
    All = Layout | UserMetadata | Headers | Tags,
}

/// <summary>Reads within one snapshot. Enumerations stream rows and must be disposed before the reader.</summary>
public interface IMetadataReader : IDisposable
{
    BucketRecord? GetBucket(string name);

    BucketRecord? GetBucketById(long bucketId);

    IReadOnlyList<BucketRecord> ListBuckets(string ownerAppId);

    /// <summary>The newest version of a key (it may be a delete marker), or null.</summary>
    ObjectVersionRecord? GetLatestVersion(long bucketId, string key);

    ObjectVersionRecord? GetVersion(long bucketId, string key, string versionId);

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

    /// <summary>True when the bucket holds any object version, delete marker or multipart upload.</summary>
    bool HasObjects(long bucketId);

    MultipartUploadRecord? GetUpload(long bucketId, string uploadId);

    /// <summary>
    /// Uploads in (key, initiation time) order from <paramref name="fromKey"/>; with <paramref name="afterUploadId"/>, the
    /// uploads of <paramref name="fromKey"/> up to and including that one are skipped.
    /// </summary>
    IEnumerable<MultipartUploadRecord> ScanUploads(long bucketId, string fromKey, bool fromKeyInclusive, string? afterUploadId, string? toKey);

    /// <summary>Parts of an upload in part-number order, after <paramref name="afterPartNumber"/>.</summary>
    IEnumerable<MultipartPartRecord> ScanParts(long bucketId, string uploadId, int afterPartNumber);

    BucketConfigRecord? GetConfig(long bucketId, string kind, string configId);

    /// <summary>Every configuration of one kind, in every bucket (what a scheduler looks at).</summary>
    IReadOnlyList<(BucketRecord Bucket, BucketConfigRecord Config)> ListAllConfigs(string kind);

    /// <summary>Configurations of one kind in creation order, after <paramref name="afterSequence"/>.</summary>
    IReadOnlyList<BucketConfigRecord> ListConfigs(long bucketId, string kind, long afterSequence, int limit);

    int CountConfigs(long bucketId, string kind);

    InventoryRunRecord? GetRun(string jobId);

    /// <summary>Runs of a bucket (or of one configuration), most recently queued first.</summary>
    IReadOnlyList<InventoryRunRecord> ListRuns(long bucketId, string? configId, int limit, InventoryRunRecord? after = null);

    /// <summary>Runs in a given state, oldest first (the runner's queue).</summary>
    IReadOnlyList<InventoryRunRecord> ListRunsInState(string state, int limit);

    CredentialRecord? GetCredential(string secretId);

    /// <summary>The stored credentials of a root account, sub-accounts' and temporary ones, by uin then creation.</summary>
    IReadOnlyList<CredentialRecord> ListCredentials(string appId);

    /// <summary>The stored credentials of one identity of a root account.</summary>
    IReadOnlyList<CredentialRecord> ListCredentials(string appId, string uin);

    /// <summary>The summary stored with a run (encoded by its writer), or null; kept apart from the run so lists stay small.</summary>
    byte[]? GetRunSummary(string jobId);
}

/// <summary>Reads and writes inside one write transaction.</summary>
public interface IMetadataWriter : IMetadataReader
{
    BucketRecord CreateBucket(BucketRecord bucket);

    void DeleteBucket(long bucketId);

    /// <summary>Inserts a version with a newly assigned sequence and returns it as stored.</summary>
    ObjectVersionRecord InsertVersion(ObjectVersionRecord version);

    void DeleteVersion(long bucketId, string key, long sequence);

    void SetLatest(long bucketId, string key, long sequence, bool isLatest);

    void SetVersioning(long bucketId, VersioningState state);

    void SetTags(long bucketId, string key, long sequence, IReadOnlyList<KeyValuePair<string, string>> tags);

    void InsertUpload(MultipartUploadRecord upload);

    /// <summary>Stores a part, replacing (and returning) the part with the same number, if any.</summary>
    MultipartPartRecord? PutPart(MultipartPartRecord part);

    /// <summary>Forgets an upload and its parts; the caller releases the parts' blobs it no longer needs.</summary>
    void DeleteUpload(long bucketId, string uploadId);

    /// <summary>Creates the configuration, or replaces its body keeping its place in creation order.</summary>
    BucketConfigRecord PutConfig(long bucketId, string kind, string configId, byte[] body, DateTimeOffset now);

    /// <summary>Deletes a configuration; false when there was none.</summary>
    bool DeleteConfig(long bucketId, string kind, string configId);

    void InsertCredential(CredentialRecord credential);

    /// <summary>Deletes a credential; false when there was none.</summary>
    bool DeleteCredential(string secretId);

    /// <summary>Deletes the temporary credentials that expired before <paramref name="now"/>; returns how many.</summary>
    int DeleteExpiredCredentials(DateTimeOffset now);

    void InsertRun(InventoryRunRecord run);

    /// <summary>Replaces the stored run with the same job id.</summary>
    void UpdateRun(InventoryRunRecord run);

    /// <summary>Stores the summary of a run (see <see cref="IMetadataReader.GetRunSummary"/>).</summary>
    void SetRunSummary(string jobId, byte[] summary);

    /// <summary>The blob is now referenced by committed metadata: its intent record is dropped with this transaction.</summary>
    void ClaimBlob(string blobId);

    /// <summary>The layout's blobs are no longer referenced once this transaction commits.</summary>
    void ReleaseBlobs(BlobLayout layout);

    /// <summary>The blobs released so far in this transaction.</summary>
    IReadOnlyCollection<string> ReleasedBlobIds { get; }
}
