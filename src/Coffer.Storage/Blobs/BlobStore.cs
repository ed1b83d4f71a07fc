using System.Buffers;
using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Storage.Records;

namespace Coffer.Storage.Blobs;

/// <summary>
/// Object bytes as files: <c>blobs/ab/cd/&lt;id&gt;</c> under the data folder. A blob is written to <c>tmp/</c>,
/// flushed to disk, and only then renamed into place; metadata is committed after the rename.
/// </summary>
public sealed class BlobStore
{
    private const int CopyBufferSize = 1 << 20;

    private readonly string _blobRoot;
    private readonly string _tempRoot;

    public BlobStore(string dataDirectory)
    {
        _blobRoot = Path.Combine(dataDirectory, "blobs");
        _tempRoot = Path.Combine(dataDirectory, "tmp");
        Directory.CreateDirectory(_blobRoot);
        Directory.CreateDirectory(_tempRoot);
    }

    /// <summary>
    /// Copies <paramref name="source"/> into a temporary file while computing MD5 and CRC-64, then flushes it to disk.
    /// Fails with <see cref="ErrorCode.IncompleteBody"/> when the source ends before <paramref name="expectedLength"/>,
    /// and with <see cref="ErrorCode.EntityTooLarge"/> past <paramref name="maxLength"/>.
    /// </summary>
    public async Task<StagedBlob> StageAsync(Stream source, long? expectedLength, long maxLength, CancellationToken cancellationToken)
    {
        var blobId = Guid.CreateVersion7().ToString("N");
        var tempPath = Path.Combine(_tempRoot, blobId);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        var completed = false;
        try
        {
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            var crc = new Crc64();
            long length = 0;
            await using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
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
                    await file.WriteAsync(chunk, cancellationToken);
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
                return new StagedBlob("", "", 0, md5.GetHashAndReset(), crc.Value);
            }

            return new StagedBlob(blobId, tempPath, length, md5.GetHashAndReset(), crc.Value);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!completed)
            {
                File.Delete(tempPath);
            }
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

    /// <summary>Opens <paramref name="length"/> bytes of an object starting at <paramref name="offset"/>.</summary>
    public Stream OpenRead(BlobLayout layout, long offset, long length) =>
        new SegmentedReadStream(layout, offset, length, PathOf);

    public void Delete(string blobId) => File.Delete(PathOf(blobId));

    /// <summary>Deletes temporary files left by uploads that never finished.</summary>
    public void ClearTemporaryFiles()
    {
        foreach (var file in Directory.EnumerateFiles(_tempRoot))
        {
            File.Delete(file);
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
