using Coffer.Storage.Records;

namespace Coffer.Storage;

/// <summary>
/// The ordered metadata store, one small interface per aggregate (<see cref="IBucketReader"/>,
/// <see cref="IVersionReader"/>, <see cref="IUploadReader"/>, <see cref="IConfigReader"/>, <see cref="IRunReader"/>,
/// <see cref="ICredentialReader"/>, <see cref="IInlineBlobReader"/>, <see cref="IPartitionReader"/>, <see cref="IJobReader"/>,
/// <see cref="IChangeJournalReader"/>, <see cref="IOutboxReader"/>). SQLite is the embedded engine and PostgreSQL the shared one; both pass the same
/// conformance suites. Reads happen in snapshots; writes happen in transactions.
/// </summary>
public interface IMetadataStore : IDisposable
{
    /// <summary>Which engine this is and where, for the start-up summary and logs (never with a password).</summary>
    string Description { get; }

    /// <summary>True when several processes may share this store (and so the blob folder) at once.</summary>
    bool IsShared { get; }

    /// <summary>Opens a read snapshot: everything read through it sees the store as of one instant.</summary>
    IMetadataSnapshot OpenSnapshot();

    /// <summary>
    /// The bucket named <paramref name="bucket"/>, the current version of <paramref name="key"/> in it (a delete marker
    /// included) and, with <paramref name="withInlineBody"/>, the body of a version kept as one inline blob, read as of
    /// one instant without opening a snapshot (on SQLite one statement, its own read transaction). Null when the engine
    /// has no such read: the caller reads in a snapshot.
    /// </summary>
    CurrentObjectRead? ReadCurrentObject(string bucket, string key, bool withInlineBody) => null;

    /// <summary>
    /// Whether <see cref="IVersionReader.ReadLatestRows"/> and <see cref="IVersionReader.ReadVersionRows"/> read the
    /// engine's rows in place (SQLite's column spans) rather than encode decoded records again: only then is a bulk
    /// reader faster with them than with records.
    /// </summary>
    bool ReadsRowsInPlace => false;

    /// <summary>
    /// A number that changes after every committed write that created, deleted or changed a bucket or one of its
    /// configurations, before that write is acknowledged: what a snapshot opened after reading the number saw of buckets
    /// and their configurations is current for as long as the number stays the same. Null when this process cannot know
    /// (a store other processes write to), so that such reads are made again each time.
    /// </summary>
    long? BucketSettingsGeneration { get; }

    /// <summary>
    /// Opens a read snapshot whose object versions are those of the pinned instant <paramref name="at"/>: a version
    /// written after it is not there, one deleted, replaced or retagged after it is there as it was. Everything else reads
    /// as of now.
    /// </summary>
    IMetadataSnapshot OpenSnapshot(SnapshotPoint at);

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction and commits it durably. The result of concurrent transactions
    /// is that of some serial order. <paramref name="work"/> may run more than once (an engine retries a transaction that
    /// lost a race), so it must have no effect outside the transaction. In a transaction, a point read of an object
    /// version, an upload or a run holds that entity until the commit; bucket reads keep the bucket from being deleted.
    /// </summary>
    Task<T> WriteAsync<T>(Func<IMetadataTransaction, T> work, CancellationToken cancellationToken = default);

    /// <summary>The ledger of blob files that may exist with no committed metadata pointing at them.</summary>
    IBlobLedger Blobs { get; }

    /// <summary>Removes superseded version revisions that no pinned instant needs any more; returns how many.</summary>
    Task<int> PurgeSupersededAsync(CancellationToken cancellationToken = default);
}

/// <summary>What a snapshot and a transaction can both read; model code that only reads takes this.</summary>
public interface IMetadataView
{
    IBucketReader Buckets { get; }

    IVersionReader Versions { get; }

    IUploadReader Uploads { get; }

    IConfigReader Configs { get; }

    IRunReader Runs { get; }

    ICredentialReader Credentials { get; }

    ISnapshotPinReader Pins { get; }

    IInlineBlobReader InlineBlobs { get; }
    IPartitionReader Partitions { get; }
    IJobReader Jobs { get; }

    IChangeJournalReader Journal { get; }

    IOutboxReader Outbox { get; }
}

/// <summary>Reads within one snapshot. Enumerations stream rows and must be disposed before the snapshot.</summary>
public interface IMetadataSnapshot : IMetadataView, IDisposable;

/// <summary>Reads and writes inside one write transaction.</summary>
public interface IMetadataTransaction : IMetadataView
{
    new IBucketWriter Buckets { get; }

    new IVersionWriter Versions { get; }

    new IUploadWriter Uploads { get; }

    new IConfigWriter Configs { get; }

    new IRunWriter Runs { get; }

    new ICredentialWriter Credentials { get; }

    new ISnapshotPinWriter Pins { get; }

    new IInlineBlobWriter InlineBlobs { get; }
    new IPartitionWriter Partitions { get; }
    new IJobWriter Jobs { get; }

    new IChangeJournalWriter Journal { get; }

    new IOutboxWriter Outbox { get; }

    /// <summary>
    /// The blob is now referenced by committed metadata: its intent record is dropped with this transaction. Fails when the
    /// intent is gone (a sweep took the blob as abandoned), so no metadata ever points at a deleted file.
    /// </summary>
    void ClaimBlob(string blobId);

    /// <summary>
    /// The layout's blobs are no longer referenced once this transaction commits: files are listed in the ledger (and
    /// in <see cref="ReleasedBlobIds"/>) for deletion after the commit; inline blobs are deleted in this transaction.
    /// </summary>
    void ReleaseBlobs(BlobLayout layout);

    /// <summary>The blob files released so far in this transaction.</summary>
    IReadOnlyCollection<string> ReleasedBlobIds { get; }
}

/// <summary>
/// Blob files that may have no metadata pointing at them: a staged upload between its rename and its commit, or a
/// version that a commit replaced or deleted. Entries are written outside the transactions that claim or release them.
/// </summary>
public interface IBlobLedger
{
    /// <summary>Records, without waiting for the disk, that a blob file may exist without metadata pointing at it.</summary>
    Task RecordIntentAsync(string blobId, CancellationToken cancellationToken = default);

    /// <summary>Every listed blob (what recovery deletes when no other process can be writing).</summary>
    IReadOnlyList<string> ListUnreferenced();

    /// <summary>
    /// Removes from the ledger, and returns, up to <paramref name="limit"/> blobs listed before <paramref name="notedBefore"/>:
    /// the caller deletes their files. A blob taken here can no longer be claimed.
    /// </summary>
    Task<IReadOnlyList<string>> TakeUnreferencedAsync(DateTimeOffset notedBefore, int limit, CancellationToken cancellationToken = default);

    /// <summary>Forgets blobs whose files have been deleted.</summary>
    Task ForgetAsync(IReadOnlyCollection<string> blobIds, CancellationToken cancellationToken = default);
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

    /// <summary>The multipart upload the version was completed from (what a retried completion answers with).</summary>
    UploadId = 16,
    All = Layout | UserMetadata | Headers | Tags | UploadId,
}

/// <summary>The store cannot be reached (the database is down or restarting): the request may be retried later.</summary>
public sealed class MetadataUnavailableException(string message, Exception inner) : Exception(message, inner)
{
    /// <summary>
    /// The write's COMMIT went out and no answer came back (the connection broke, or the database ignored the cancel of a
    /// commit past the command timeout): the database may have committed it, so nothing it would reference may be deleted.
    /// </summary>
    public bool MayHaveCommitted { get; init; }
}

/// <summary>The store's schema is one this build cannot use (newer than it knows, or a development one).</summary>
public sealed class MetadataSchemaException(string message) : InvalidOperationException(message);

/// <summary>
/// The store's server answered, and refused, when this node opened the store (a database or role that does not exist, a
/// wrong password, a missing permission, a standby that takes no writes): unlike <see cref="MetadataUnavailableException"/>,
/// the server was reached, and most such answers need the settings or the server fixed rather than another try.
/// </summary>
public sealed class MetadataRefusedException(string message, Exception inner) : Exception(message, inner);
