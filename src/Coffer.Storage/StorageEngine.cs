using Coffer.Storage.Blobs;
using Coffer.Storage.Encryption;
using Coffer.Storage.Records;

namespace Coffer.Storage;

/// <summary>
/// The metadata store and the blob files together, with the one protocol that keeps them consistent:
/// stage the bytes, note the intent, rename into place, commit the metadata that claims the blob, and delete
/// released blobs only after the commit. A crash at any step leaves no visible object without its bytes, and
/// recovery deletes whatever a crash left unreferenced.
/// </summary>
public sealed class StorageEngine : IDisposable
{
    /// <summary>How long a blob may sit in the ledger before a sweep takes it as abandoned (a commit never takes that long).</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(10);

    private const int SweepBatch = 1000;

    private readonly DataDirectoryLock _lock;
    private readonly DataDirectoryLock? _stagingLock;
    private readonly TimeProvider _time;

    private StorageEngine(IMetadataStore metadata, BlobStore blobs, DataDirectoryLock directoryLock, DataDirectoryLock? stagingLock, TimeProvider time)
    {
        Metadata = metadata;
        Blobs = blobs;
        _lock = directoryLock;
        _stagingLock = stagingLock;
        _time = time;
    }

    public IMetadataStore Metadata { get; }

    public BlobStore Blobs { get; }

    /// <summary>
    /// True while this engine holds the data folder's lock alone, so no other process can be using it: whatever an earlier
    /// process left claimed (an inventory run's lease) belongs to a process that is gone. The embedded engine always does
    /// (<see cref="Open"/> takes the lock or fails); nodes sharing a database never do (they share the lock), since the
    /// others may be alive.
    /// </summary>
    public bool OwnsDataFolder => !Metadata.IsShared;

    /// <summary>
    /// Opens the engine: the blob files in <paramref name="dataDirectory"/> and the metadata store that
    /// <paramref name="openMetadata"/> opens (owned by the engine from then on), and recovers it. A store of its own
    /// (SQLite, <paramref name="shared"/> false) takes the data folder for this process alone, before the store is opened,
    /// failing with <see cref="DataDirectoryInUseException"/> while another process has it, and deletes everything a crash
    /// left unreferenced. A shared store (PostgreSQL) shares the folder with the other nodes and leaves their uploads in
    /// flight alone. Blobs are encrypted under <paramref name="masterKey"/>, or, when none is configured, under the key
    /// saved in the data folder (created now if there is none).
    /// </summary>
    public static StorageEngine Open(string dataDirectory, bool shared, Func<IMetadataStore> openMetadata, TimeProvider time, MasterKey? masterKey = null,
        int inlineThreshold = BlobStore.DefaultInlineThreshold)
    {
        DataDirectoryLock? directoryLock = null;
        DataDirectoryLock? stagingLock = null;
        IMetadataStore? metadata = null;
        try
        {
            Directory.CreateDirectory(dataDirectory);
            directoryLock = DataDirectoryLock.Acquire(dataDirectory, shared);
            metadata = openMetadata();
            if (metadata.IsShared != shared)
            {
                throw new InvalidOperationException($"{metadata.Description} is {(metadata.IsShared ? "" : "not ")}a shared store.");
            }

            var key = masterKey ?? MasterKey.LoadOrCreate(dataDirectory);
            // Nodes sharing the folder stage in folders of their own, each locked while its node lives, so that no node's
            // sweep takes another's slow upload (its file untouched for minutes between two writes) for an abandoned one.
            var stagingName = shared ? Guid.NewGuid().ToString("N") : null;
            var blobs = new BlobStore(dataDirectory, key, stagingName, inlineThreshold);
            stagingLock = stagingName is null ? null : DataDirectoryLock.Acquire(Path.Combine(dataDirectory, "tmp", stagingName), shared: false);
            var engine = new StorageEngine(metadata, blobs, directoryLock, stagingLock, time);
            engine.Recover();
            return engine;
        }
        catch
        {
            metadata?.Dispose();
            stagingLock?.Dispose();
            directoryLock?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether another process has <paramref name="dataDirectory"/> open so that this one may not: an embedded engine keeps
    /// out everyone else, the nodes of a cluster (<paramref name="shared"/>) keep out an embedded engine. Creates nothing.
    /// Fails with the reason when the folder's lock file cannot be opened otherwise (a read-only file system, no permission).
    /// </summary>
    public static bool IsInUse(string dataDirectory, bool shared) => DataDirectoryLock.IsHeld(dataDirectory, shared);

    /// <summary>
    /// Makes <paramref name="blob"/> permanent and commits <paramref name="work"/>, which must reference it: a file is
    /// noted as an intent, renamed into place and claimed by the transaction; an inline blob is written in the transaction
    /// itself, so nothing happens outside it. Blob files that <paramref name="work"/> releases are deleted once the
    /// commit is durable.
    /// </summary>
    public async Task<T> CommitAsync<T>(StagedBlob? blob, Func<IMetadataTransaction, T> work, CancellationToken cancellationToken = default)
    {
        if (blob is { IsEmpty: true })
        {
            blob = null;
        }

        if (blob is { IsInline: false })
        {
            await Metadata.Blobs.RecordIntentAsync(blob.BlobId, cancellationToken);
            Blobs.Promote(blob);
        }

        (T Value, IReadOnlyCollection<string> Released) outcome;
        try
        {
            outcome = await Metadata.WriteAsync(transaction =>
            {
                var value = work(transaction);
                if (blob?.InlineData is { } inline)
                {
                    transaction.InlineBlobs.Insert(blob.BlobId, inline);
                }
                else if (blob is not null)
                {
                    transaction.ClaimBlob(blob.BlobId);
                }

                return (value, transaction.ReleasedBlobIds.Count == 0 ? [] : transaction.ReleasedBlobIds.ToArray());
            }, CancellationToken.None);
        }
        catch (Exception error)
        {
            // The transaction rolled back: the promoted blob is referenced by nothing but its intent. When it may have
            // committed, the blob stays: the commit claimed it, or else the sweep deletes it with its intent in time.
            if (blob is { Promoted: true } && error is not MetadataUnavailableException { MayHaveCommitted: true })
            {
                await ReclaimAsync([blob.BlobId]);
            }

            throw;
        }

        await ReclaimAsync(outcome.Released);
        return outcome.Value;
    }

    /// <summary>
    /// What opens <paramref name="length"/> bytes of an object from <paramref name="offset"/>, given the
    /// <paramref name="view"/> its version was read in: inline blobs are read now, in that view, so a version replaced
    /// later still reads whole; files are opened when the returned function is called.
    /// </summary>
    public Func<Stream> OpenContent(IMetadataView view, BlobLayout layout, long offset, long length, CustomerKey? customerKey = null)
    {
        if (length == 0 || !layout.HasInline)
        {
            return () => Blobs.OpenRead(layout, offset, length, customerKey: customerKey);
        }

        var inline = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var segment in layout.Segments)
        {
            if (segment.Inline)
            {
                inline[segment.BlobId] = view.InlineBlobs.Get(segment.BlobId)
                    ?? throw new InvalidDataException($"Inline blob {segment.BlobId} is missing from the metadata store.");
            }
        }

        return () => Blobs.OpenRead(layout, offset, length, inline, customerKey);
    }

    /// <summary>
    /// What opens a body already read: files are opened when the returned function is called, and a body kept as one
    /// inline blob is <paramref name="inlineBody"/> (<see cref="IMetadataStore.ReadCurrentObject"/> read it with its version).
    /// </summary>
    public Func<Stream> OpenContent(BlobLayout layout, long offset, long length, byte[]? inlineBody, CustomerKey? customerKey = null)
    {
        if (length == 0 || !layout.HasInline)
        {
            return () => Blobs.OpenRead(layout, offset, length, customerKey: customerKey);
        }

        var segment = layout.Segments.Count == 1 && inlineBody is not null ? layout.Segments[0]
            : throw new ArgumentException("A layout with inline segments needs its one inline blob's bytes.", nameof(inlineBody));
        var inline = new Dictionary<string, byte[]>(1, StringComparer.Ordinal) { [segment.BlobId] = inlineBody };
        return () => Blobs.OpenRead(layout, offset, length, inline, customerKey);
    }

    private async Task ReclaimAsync(IReadOnlyCollection<string> blobIds)
    {
        // A file whose deletion waits for a read stays in the ledger, so the sweep deletes it if this process dies first.
        var deleted = blobIds.Where(Blobs.Delete).ToArray();
        await Metadata.Blobs.ForgetAsync(deleted);
    }

    /// <summary>
    /// Deletes blobs that have sat in the ledger for <see cref="AbandonedAfter"/>: uploads whose node died between the rename
    /// and the commit, and released versions whose node died before deleting them. Returns how many were deleted. On a
    /// shared folder it also deletes other nodes' staging files untouched for as long (a node killed mid-upload leaves its
    /// own, and its successor stages elsewhere); this node's own are in flight as long as it lives.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        if (Metadata.IsShared)
        {
            Blobs.ClearTemporaryFiles(_time.GetUtcNow() - AbandonedAfter, keepOwn: true);
        }

        var swept = 0;
        while (true)
        {
            // Taken out of the ledger first: a taken blob can no longer be claimed, so its file is safe to delete.
            var taken = await Metadata.Blobs.TakeUnreferencedAsync(_time.GetUtcNow() - AbandonedAfter, SweepBatch, cancellationToken);
            foreach (var id in taken)
            {
                Blobs.Delete(id);
            }

            swept += taken.Count;
            if (taken.Count < SweepBatch)
            {
                return swept;
            }
        }
    }

    public void Dispose()
    {
        Metadata.Dispose();
        _stagingLock?.Dispose();
        _lock.Dispose();
    }

    private void Recover()
    {
        if (Metadata.IsShared)
        {
            // Other nodes may be mid-upload: only what is old enough to be abandoned goes, staging files too.
            SweepAsync().GetAwaiter().GetResult();
            return;
        }

        // Nothing is in flight yet, so every listed blob is an abandoned intent or a released version.
        Blobs.ClearTemporaryFiles(DateTimeOffset.MaxValue);
        ReclaimAsync(Metadata.Blobs.ListUnreferenced()).GetAwaiter().GetResult();
    }
}
