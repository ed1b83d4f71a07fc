using System.Security.Cryptography;
using Coffer.Storage.Encryption;
using Coffer.Storage.Records;

namespace Coffer.Storage.Blobs;

/// <summary>
/// Object bytes as files: <c>blobs/wx/yz/&lt;id&gt;</c> under the data folder, named by random ids and never by object
/// keys, in folders named by the id's last four (random) hex digits. A blob is written to <c>tmp/</c>, flushed to disk, and only then renamed into place; metadata is committed after
/// the rename. Bodies up to <see cref="InlineThreshold"/> may instead stay in memory, to be stored in the metadata
/// (<see cref="IInlineBlobWriter"/>) with the version that points at them. Encrypted blobs get a fresh data key each,
/// wrapped by the <see cref="MasterKey"/>, files and inline blobs alike. This file places, reads and deletes blobs;
/// staging a body is in <c>BlobStore.Staging.cs</c>.
/// </summary>
public sealed partial class BlobStore
{
    /// <summary>
    /// The largest body kept in the metadata store instead of a file of its own (64 KiB): measured in
    /// docs/performance.md, where the PUT rate of inline bodies stops paying for the database they grow.
    /// </summary>
    public const int DefaultInlineThreshold = 64 * 1024;

    private readonly string _blobRoot;
    private readonly string _tempRoot;
    private readonly string _stagingFolder;
    private readonly MasterKey _masterKey;

    /// <param name="dataDirectory">The data folder: blobs live under <c>blobs/</c>, uploads are staged under <c>tmp/</c>.</param>
    /// <param name="masterKey">The key every blob's data key is wrapped with.</param>
    /// <param name="stagingName">A folder of <c>tmp/</c> of this process's own, when other processes stage into the same <c>tmp/</c>.</param>
    /// <param name="inlineThreshold">The largest body that may be kept inline, below 1 MiB; 0 writes every body to a file.</param>
    public BlobStore(string dataDirectory, MasterKey masterKey, string? stagingName = null, int inlineThreshold = DefaultInlineThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inlineThreshold);
        // The start of a body read to tell a small one from a large one must fit a staging buffer.
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(inlineThreshold, StagingFile.BufferSize);
        InlineThreshold = inlineThreshold;
        _blobRoot = Path.Combine(dataDirectory, "blobs");
        _tempRoot = Path.Combine(dataDirectory, "tmp");
        _stagingFolder = stagingName is null ? _tempRoot : Path.Combine(_tempRoot, stagingName);
        _masterKey = masterKey;
        Directory.CreateDirectory(_blobRoot);
        Directory.CreateDirectory(_stagingFolder);
    }

    /// <summary>The fingerprint of the master key, for logs and the start-up summary.</summary>
    public string MasterKeyId => _masterKey.Id;

    /// <summary>The largest body <see cref="StageAsync"/> keeps in memory for the metadata store, when asked to.</summary>
    public int InlineThreshold { get; }

    /// <summary>Moves a staged blob to its final place and makes the rename durable.</summary>
    public void Promote(StagedBlob blob)
    {
        if (blob.IsEmpty)
        {
            return;
        }

        var path = PathOf(blob.BlobId);
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        File.Move(blob.TempPath, path);
        blob.Promoted = true;
        DirectorySync.Flush(directory);
    }

    /// <summary>
    /// Opens <paramref name="length"/> bytes of an object starting at <paramref name="offset"/>, decrypting encrypted
    /// blobs. Fails with <see cref="BlobIntegrityException"/> when they do not authenticate. The bytes of inline
    /// segments come from <paramref name="inlineBlobs"/> (read from the metadata store by the caller); blobs encrypted with
    /// a customer-provided key open with <paramref name="customerKey"/> only.
    /// </summary>
    public Stream OpenRead(BlobLayout layout, long offset, long length, IReadOnlyDictionary<string, byte[]>? inlineBlobs = null,
        CustomerKey? customerKey = null)
    {
        var lease = LeaseLaterFiles(layout, offset, length);
        try
        {
            return new SegmentedReadStream(layout, offset, length,
                (segment, at, wanted) => segment.Inline ? OpenInline(segment, at, inlineBlobs, customerKey) : OpenSegment(segment, at, wanted, customerKey),
                lease);
        }
        catch
        {
            lease?.Dispose();
            throw;
        }
    }

    private void DeleteFiles(string blobId)
    {
        DeleteFile(PathOf(blobId));
        DeleteFile(LegacyPathOf(blobId));
    }

    private static void DeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Blob folders are created on demand (and Windows reports a missing folder), so there is nothing to delete.
        }
    }

    /// <summary>
    /// Deletes temporary files (and empty staging folders) last written before <paramref name="writtenBefore"/>: uploads
    /// that never finished. This process's own staging folder stays, and with <paramref name="keepOwn"/> what is in it,
    /// as does every staging folder whose node holds its lock (a live node's slow upload); another live process recreates
    /// its own folder if it goes. An entry that cannot be deleted is left for the next time, not the end of the rest.
    /// </summary>
    public void ClearTemporaryFiles(DateTimeOffset writtenBefore, bool keepOwn = false)
    {
        // This node's own staging folder counts as a live one when its uploads are to be kept.
        var liveFolders = new HashSet<string>(StringComparer.Ordinal);
        if (keepOwn)
        {
            liveFolders.Add(_stagingFolder);
        }

        foreach (var folder in Directory.EnumerateDirectories(_tempRoot))
        {
            if (folder != _stagingFolder && IsHeldByItsNode(folder))
            {
                liveFolders.Add(folder);
            }
        }

        // Deepest first, so a folder is looked at after the files in it.
        foreach (var entry in new DirectoryInfo(_tempRoot).EnumerateFileSystemInfos("*", SearchOption.AllDirectories).Reverse().ToArray())
        {
            var parent = Path.GetDirectoryName(entry.FullName)!;
            if (entry.FullName == _stagingFolder || liveFolders.Contains(entry.FullName) || liveFolders.Contains(parent)
                || !entry.Exists || entry.LastWriteTimeUtc >= writtenBefore.UtcDateTime)
            {
                continue;
            }

            try
            {
                if (entry is DirectoryInfo folder)
                {
                    if (!folder.EnumerateFileSystemInfos().Any())
                    {
                        folder.Delete();
                    }
                }
                else
                {
                    entry.Delete();
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not this process's to delete: the next sweep looks again.
            }
        }
    }

    private static bool IsHeldByItsNode(string folder)
    {
        try
        {
            return DataDirectoryLock.IsHeld(folder, shared: false);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // A lock file that cannot be opened: its node's to mend, and never this sweep's to delete.
            return true;
        }
    }

    /// <summary>The data key of an encrypted blob; a blob under a customer key opens only with that key.</summary>
    private byte[] DataKeyOf(BlobSegment segment, byte[] entry, CustomerKey? customerKey)
    {
        if (entry.Length > 0 && entry[0] == CustomerKey.DerivedFormat)
        {
            return customerKey?.DataKeyOf(entry, segment.BlobId)
                ?? throw new BlobIntegrityException($"Blob {segment.BlobId} is encrypted with a customer-provided key, and none was given.");
        }

        return _masterKey.Unwrap(entry, segment.BlobId);
    }

    /// <summary>An inline blob from <paramref name="offset"/> (plaintext bytes) to its end.</summary>
    private Stream OpenInline(BlobSegment segment, long offset, IReadOnlyDictionary<string, byte[]>? inlineBlobs, CustomerKey? customerKey)
    {
        if (inlineBlobs is null || !inlineBlobs.TryGetValue(segment.BlobId, out var stored))
        {
            throw new InvalidDataException($"The bytes of inline blob {segment.BlobId} were not read from the metadata store.");
        }

        if (segment.WrappedKey is not { } wrappedKey)
        {
            return stored.Length == segment.Length
                ? new MemoryStream(stored, (int)offset, stored.Length - (int)offset, writable: false)
                : throw new BlobIntegrityException($"Inline blob {segment.BlobId} has {stored.Length} bytes where its version says {segment.Length}.");
        }

        var dataKey = DataKeyOf(segment, wrappedKey, customerKey);
        try
        {
            return new UnsealingStream(SealedSource.Of(stored), segment.BlobId, segment.Length, offset, dataKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>What opens a blob file for direct reads (see <see cref="DirectFile"/>), or null for none; tests replace it.</summary>
    internal DirectFile.OpenForReading? DirectOpen { get; set; } = DirectFile.NativeRead;

    /// <summary>
    /// The fewest bytes of a plaintext blob file one read takes around the page cache (64 MiB, as
    /// <see cref="DirectWriteThreshold"/>, which writes such bodies around it: their reads would find nothing cached, and
    /// filling the page cache costs more CPU than the disk's time). Shorter ranges and smaller files are read through the
    /// page cache, where a GET soon after a PUT, or a ranged GET's neighbours, find them.
    /// </summary>
    internal long DirectReadThreshold { get; set; } = 64 << 20;

    /// <summary>One blob file from <paramref name="offset"/> (plaintext bytes), <paramref name="wanted"/> bytes of it read.</summary>
    private Stream OpenSegment(BlobSegment segment, long offset, long wanted, CustomerKey? customerKey)
    {
        if (segment.WrappedKey is not { } wrappedKey)
        {
            if (wanted >= DirectReadThreshold && DirectOpen is { } openDirect && OpenFile(segment.BlobId, path => openDirect(path)) is { } direct)
            {
                return new DirectReadStream(direct, offset, offset + wanted);
            }

            var file = OpenFile(segment.BlobId, path => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan));
            file.Seek(offset, SeekOrigin.Begin);
            return file;
        }

        var dataKey = DataKeyOf(segment, wrappedKey, customerKey);
        try
        {
            var handle = OpenFile(segment.BlobId,
                path => File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous));
            return new UnsealingStream(SealedSource.Of(handle), segment.BlobId, segment.Length, offset, dataKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Opens a blob file with <paramref name="open"/> at its path, or, when it is not there, where builds before the
    /// random-bits folders put it: data folders they wrote stay readable without a migration.
    /// </summary>
    private T OpenFile<T>(string blobId, Func<string, T> open)
    {
        var path = PathOf(blobId);
        try
        {
            return open(path);
        }
        catch (Exception missing) when (missing is FileNotFoundException or DirectoryNotFoundException)
        {
            try
            {
                return open(LegacyPathOf(blobId));
            }
            catch (Exception legacyMissing) when (legacyMissing is FileNotFoundException or DirectoryNotFoundException)
            {
                // Blob folders are created on demand, so a missing folder is a missing blob.
                throw new FileNotFoundException($"Blob file '{path}' does not exist.", path, missing);
            }
        }
    }

    /// <summary>
    /// Where a blob file goes: under folders named by the id's last four hex digits, which are random. (Its first ones
    /// are the millisecond clock, so folders named by them would put every blob of about 50 days in one folder.)
    /// </summary>
    internal string PathOf(string blobId)
    {
        CheckBlobId(blobId);
        return Path.Combine(_blobRoot, blobId[^4..^2], blobId[^2..], blobId);
    }

    /// <summary>Where builds before the random-bits folders put a blob file: under its id's first four hex digits.</summary>
    private string LegacyPathOf(string blobId)
    {
        CheckBlobId(blobId);
        return Path.Combine(_blobRoot, blobId[..2], blobId[2..4], blobId);
    }

    private static void CheckBlobId(string blobId)
    {
        if (blobId.Length < 8 || !blobId.All(char.IsAsciiHexDigitLower))
        {
            throw new InvalidDataException($"'{blobId}' is not a blob id.");
        }
    }
}
