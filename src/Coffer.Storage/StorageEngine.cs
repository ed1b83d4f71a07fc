using Coffer.Storage.Blobs;
using Coffer.Storage.Encryption;
using Coffer.Storage.Sqlite;

namespace Coffer.Storage;

/// <summary>
/// The metadata store and the blob files together, with the one protocol that keeps them consistent:
/// stage the bytes, note the intent, rename into place, commit the metadata that claims the blob, and delete
/// released blobs only after the commit. A crash at any step leaves no visible object without its bytes, and
/// <see cref="Open"/> deletes whatever a crash left unreferenced.
/// </summary>
public sealed class StorageEngine : IDisposable
{
    private readonly DataDirectoryLock _lock;

    private StorageEngine(IMetadataStore metadata, BlobStore blobs, DataDirectoryLock directoryLock)
    {
        Metadata = metadata;
        Blobs = blobs;
        _lock = directoryLock;
    }

    /// <summary>The metadata database's file in the data folder: its presence is what makes a folder a Coffer store.</summary>
    public const string MetadataFileName = "metadata.db";

    public IMetadataStore Metadata { get; }

    public BlobStore Blobs { get; }

    /// <summary>
    /// Opens (creating if needed) the embedded engine in <paramref name="dataDirectory"/> and recovers it. Fails with
    /// <see cref="DataDirectoryInUseException"/> while another process has it open. Blobs are encrypted under
    /// <paramref name="masterKey"/>, or, when none is configured, under the key saved in the data folder (created now
    /// if there is none).
    /// </summary>
    public static StorageEngine Open(string dataDirectory, TimeProvider time, MasterKey? masterKey = null)
    {
        Directory.CreateDirectory(dataDirectory);
        var directoryLock = DataDirectoryLock.Acquire(dataDirectory);
        try
        {
            var key = masterKey ?? MasterKey.LoadOrCreate(dataDirectory);
            var metadata = SqliteMetadataStore.Open(MetadataPath(dataDirectory), time);
            var engine = new StorageEngine(metadata, new BlobStore(dataDirectory, key), directoryLock);
            engine.Recover();
            return engine;
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>Whether another process has <paramref name="dataDirectory"/> open; creates nothing.</summary>
    public static bool IsInUse(string dataDirectory) => DataDirectoryLock.IsHeld(dataDirectory);

    /// <summary>
    /// The metadata alone, for a tool beside a running server (queueing a run, say): SQLite lets both processes in,
    /// and nothing here touches blob files or recovers anything.
    /// </summary>
    public static IMetadataStore OpenMetadataBesideServer(string dataDirectory, TimeProvider time) =>
        SqliteMetadataStore.Open(MetadataPath(dataDirectory), time);

    /// <summary>
    /// Makes <paramref name="blob"/> permanent and commits <paramref name="work"/>, which must reference it
    /// (and calls <see cref="IMetadataWriter.ClaimBlob"/> through this method). Blobs that <paramref name="work"/>
    /// releases are deleted once the commit is durable.
    /// </summary>
    public async Task<T> CommitAsync<T>(StagedBlob? blob, Func<IMetadataWriter, T> work, CancellationToken cancellationToken = default)
    {
        if (blob is { IsEmpty: true })
        {
            blob = null;
        }

        if (blob is not null)
        {
            await Metadata.RecordBlobIntentAsync(blob.BlobId, cancellationToken);
            Blobs.Promote(blob);
        }

        (T Value, IReadOnlyCollection<string> Released) outcome;
        try
        {
            outcome = await Metadata.WriteAsync(writer =>
            {
                var value = work(writer);
                if (blob is not null)
                {
                    writer.ClaimBlob(blob.BlobId);
                }

                return (value, writer.ReleasedBlobIds.ToArray());
            }, CancellationToken.None);
        }
        catch
        {
            // The transaction rolled back: the promoted blob is referenced by nothing but its intent.
            if (blob is { Promoted: true })
            {
                await ReclaimAsync([blob.BlobId]);
            }

            throw;
        }

        await ReclaimAsync(outcome.Released);
        return outcome.Value;
    }

    private async Task ReclaimAsync(IReadOnlyCollection<string> blobIds)
    {
        foreach (var id in blobIds)
        {
            Blobs.Delete(id);
        }

        await Metadata.ForgetUnreferencedBlobsAsync(blobIds);
    }

    public void Dispose()
    {
        Metadata.Dispose();
        _lock.Dispose();
    }

    private static string MetadataPath(string dataDirectory) => Path.Combine(dataDirectory, MetadataFileName);

    private void Recover()
    {
        // Nothing is in flight yet, so every listed blob is an abandoned intent or a released version.
        Blobs.ClearTemporaryFiles();
        ReclaimAsync(Metadata.ListUnreferencedBlobs()).GetAwaiter().GetResult();
    }
}
