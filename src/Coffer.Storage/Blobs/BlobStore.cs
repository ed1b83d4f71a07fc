using System.Buffers;
using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Storage.Encryption;
using Coffer.Storage.Records;

namespace Coffer.Storage.Blobs;

/// <summary>
/// Object bytes as files: <c>blobs/ab/cd/&lt;id&gt;</c> under the data folder, named by random ids and never by object
/// keys. A blob is written to <c>tmp/</c>, flushed to disk, and only then renamed into place; metadata is committed after
/// the rename. Encrypted blobs get a fresh data key each, wrapped by the <see cref="MasterKey"/>.
/// </summary>
public sealed class BlobStore
{
    private const int CopyBufferSize = 1 << 20;

    private readonly string _blobRoot;
    private readonly string _tempRoot;
    private readonly string _stagingFolder;
    private readonly MasterKey _masterKey;

    /// <param name="dataDirectory">The data folder: blobs live under <c>blobs/</c>, uploads are staged under <c>tmp/</c>.</param>
    /// <param name="masterKey">The key every blob's data key is wrapped with.</param>
    /// <param name="stagingName">A folder of <c>tmp/</c> of this process's own, when other processes stage into the same <c>tmp/</c>.</param>
    public BlobStore(string dataDirectory, MasterKey masterKey, string? stagingName = null)
    {
        _blobRoot = Path.Combine(dataDirectory, "blobs");
        _tempRoot = Path.Combine(dataDirectory, "tmp");
        _stagingFolder = stagingName is null ? _tempRoot : Path.Combine(_tempRoot, stagingName);
        _masterKey = masterKey;
        Directory.CreateDirectory(_blobRoot);
        Directory.CreateDirectory(_stagingFolder);
    }

    /// <summary>The fingerprint of the master key, for logs and the start-up summary.</summary>
    public string MasterKeyId => _masterKey.Id;

    /// <summary>
    /// Copies <paramref name="source"/> into a temporary file while computing MD5 and CRC-64 of the plaintext, encrypting
    /// it on the way when <paramref name="encrypt"/> is set, then flushes it to disk. Fails with
    /// <see cref="ErrorCode.IncompleteBody"/> when the source ends before <paramref name="expectedLength"/>, and with
    /// <see cref="ErrorCode.EntityTooLarge"/> past <paramref name="maxLength"/>.
    /// </summary>
    public async Task<StagedBlob> StageAsync(Stream source, long? expectedLength, long maxLength, bool encrypt, CancellationToken cancellationToken)
    {
        var blobId = Guid.CreateVersion7().ToString("N");
        var tempPath = Path.Combine(_stagingFolder, blobId);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        var dataKey = encrypt ? RandomNumberGenerator.GetBytes(MasterKey.KeySize) : null;
        var completed = false;
        try
        {
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            var crc = new Crc64();
            long length = 0;
            await using (var file = CreateTemporary(tempPath))
            {
                using var sealer = dataKey is null ? null : new SegmentSealer(file, dataKey);
                int read;
                while ((read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken)) > 0)
                {
                    length += read;
                    if (length > maxLength)
                    {
                        throw new CofferException(ErrorCode.EntityTooLarge, $"The object is larger than {maxLength} bytes.");
                    }

                    var chunk = buffer.AsMemory(0, read);
                    md5.AppendData(chunk.Span);
                    crc.Append(chunk.Span);
                    if (sealer is not null)
                    {
                        await sealer.WriteAsync(chunk, cancellationToken);
                    }
                    else
                    {
                        await file.WriteAsync(chunk, cancellationToken);
                    }
                }

                if (sealer is not null)
                {
                    await sealer.CompleteAsync(cancellationToken);
                }

                file.Flush(flushToDisk: true);
            }

            if (expectedLength is { } expected && expected != length)
            {
                throw new CofferException(ErrorCode.IncompleteBody,
                    $"The body had {length} bytes where Content-Length announced {expected}.");
            }

            completed = true;
            if (length == 0)
            {
                File.Delete(tempPath);
                return new StagedBlob("", "", 0, md5.GetHashAndReset(), crc.Value, null);
            }

            var wrappedKey = dataKey is null ? null : _masterKey.Wrap(dataKey, blobId);
            return new StagedBlob(blobId, tempPath, length, md5.GetHashAndReset(), crc.Value, wrappedKey);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (dataKey is not null)
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }

            if (!completed)
            {
                File.Delete(tempPath);
            }
        }
    }

    private FileStream CreateTemporary(string path)
    {
        try
        {
            return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);
        }
        catch (DirectoryNotFoundException)
        {
            // Another node's start-up swept this idle node's staging folder.
            Directory.CreateDirectory(_stagingFolder);
            return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);
        }
    }

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
    /// blobs. Fails with <see cref="BlobIntegrityException"/> when they do not authenticate.
    /// </summary>
    public Stream OpenRead(BlobLayout layout, long offset, long length) =>
        new SegmentedReadStream(layout, offset, length, OpenSegment);

    public void Delete(string blobId) => File.Delete(PathOf(blobId));

    /// <summary>
    /// Deletes temporary files (and empty staging folders) last written before <paramref name="writtenBefore"/>: uploads
    /// that never finished. This process's own staging folder stays; another live process recreates its own if it goes.
    /// </summary>
    public void ClearTemporaryFiles(DateTimeOffset writtenBefore)
    {
        // Deepest first, so a folder is looked at after the files in it.
        foreach (var entry in new DirectoryInfo(_tempRoot).EnumerateFileSystemInfos("*", SearchOption.AllDirectories).Reverse().ToArray())
        {
            if (entry.FullName == _stagingFolder || !entry.Exists || entry.LastWriteTimeUtc >= writtenBefore.UtcDateTime)
            {
                continue;
            }

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
    }

    /// <summary>One blob from <paramref name="offset"/> (plaintext bytes) to its end.</summary>
    private Stream OpenSegment(BlobSegment segment, long offset)
    {
        var path = PathOf(segment.BlobId);
        try
        {
            if (segment.WrappedKey is not { } wrappedKey)
            {
                var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                    bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
                file.Seek(offset, SeekOrigin.Begin);
                return file;
            }

            var dataKey = _masterKey.Unwrap(wrappedKey, segment.BlobId);
            try
            {
                var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
                return new UnsealingStream(handle, segment.BlobId, segment.Length, offset, dataKey);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        }
        catch (DirectoryNotFoundException e)
        {
            // Blob folders are created on demand, so a missing folder is a missing blob.
            throw new FileNotFoundException($"Blob file '{path}' does not exist.", path, e);
        }
    }

    internal string PathOf(string blobId)
    {
        if (blobId.Length < 8 || !blobId.All(char.IsAsciiHexDigitLower))
        {
            throw new InvalidDataException($"'{blobId}' is not a blob id.");
        }

        return Path.Combine(_blobRoot, blobId[..2], blobId[2..4], blobId);
    }
}
