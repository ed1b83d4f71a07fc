using Coffer.Storage.Records;

namespace Coffer.Storage.Blobs;

/// <summary>
/// Read leases on the files a read spanning several blobs (a multipart object's parts) has yet to open. Such a read opens
/// its first file before it answers and each next one when it gets there, so an overwrite or delete that released the
/// object's files meanwhile would cut the answer off part way. A leased file's deletion waits for the last read that
/// leased it instead. A file a read has open needs no lease: an open file outlives its deletion. Leases are this
/// process's: a cluster node's read is not protected from another node's deletion.
/// </summary>
public sealed partial class BlobStore
{
    // One lock for both sides, so that a deletion either sees a lease taken or happens before it (and the read then finds
    // the file missing before it answers, and reads the object again).
    private readonly Lock _leaseLock = new();
    private readonly Dictionary<string, int> _leases = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deferred = new(StringComparer.Ordinal);

    /// <summary>Blob files whose deletion waits for a read (for tests).</summary>
    internal int DeferredCount
    {
        get
        {
            lock (_leaseLock)
            {
                return _deferred.Count;
            }
        }
    }

    /// <summary>
    /// Deletes a blob file wherever it is (at its path, and where builds before the random-bits folders put it); false
    /// when a read has it leased, and its deletion waits for the read to end.
    /// </summary>
    public bool Delete(string blobId)
    {
        lock (_leaseLock)
        {
            if (_leases.ContainsKey(blobId))
            {
                _deferred.Add(blobId);
                return false;
            }

            DeleteFiles(blobId);
            return true;
        }
    }

    /// <summary>
    /// Leases the files of <paramref name="layout"/> after the first that the range reads, and checks they are there;
    /// null when the range reads one file. A file already gone is <see cref="FileNotFoundException"/>, before any byte
    /// is read, as opening the first one is.
    /// </summary>
    private ReadLease? LeaseLaterFiles(BlobLayout layout, long offset, long length)
    {
        List<string>? later = null;
        var start = 0L;
        var first = true;
        foreach (var segment in layout.Segments)
        {
            var end = start + segment.Length;
            if (end > offset && start < offset + length && segment.Length > 0)
            {
                if (!first && !segment.Inline)
                {
                    (later ??= []).Add(segment.BlobId);
                }

                first = false;
            }

            start = end;
        }

        if (later is null)
        {
            return null;
        }

        lock (_leaseLock)
        {
            foreach (var id in later)
            {
                _leases[id] = _leases.GetValueOrDefault(id) + 1;
            }
        }

        var lease = new ReadLease(this, later);
        foreach (var id in later)
        {
            if (!File.Exists(PathOf(id)) && !File.Exists(LegacyPathOf(id)))
            {
                lease.Dispose();
                throw new FileNotFoundException($"Blob file '{PathOf(id)}' does not exist.", PathOf(id));
            }
        }

        return lease;
    }

    private void Release(IReadOnlyList<string> blobIds)
    {
        lock (_leaseLock)
        {
            foreach (var id in blobIds)
            {
                var count = _leases[id] - 1;
                if (count > 0)
                {
                    _leases[id] = count;
                    continue;
                }

                _leases.Remove(id);
                if (_deferred.Remove(id))
                {
                    DeleteFiles(id);
                }
            }
        }
    }

    private sealed class ReadLease(BlobStore store, IReadOnlyList<string> blobIds) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                store.Release(blobIds);
            }
        }
    }
}
