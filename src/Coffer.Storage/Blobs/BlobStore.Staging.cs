using System.Buffers;
using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Storage.Encryption;
using Coffer.Storage.Records;

namespace Coffer.Storage.Blobs;

/// <summary>
/// Staging a body: in memory when it is small enough to go inline, otherwise into a temporary file through the ring of
/// buffers (<see cref="CopyThroughRingAsync"/>), hashed and sealed on the way; <see cref="Promote"/> moves it into place.
/// </summary>
public sealed partial class BlobStore
{
    [ThreadStatic]
    private static IncrementalHash? _threadMd5;

    /// <summary>What starts the disk writes of a staged file as it grows (see <see cref="FileWriteback"/>); tests record it.</summary>
    internal FileWriteback.RangeSync? WritebackSync { get; set; } = FileWriteback.Native;

    /// <summary>What creates a staging file for direct writes (see <see cref="DirectFile"/>), or null for none; tests replace it.</summary>
    internal DirectFile.Create? DirectCreate { get; set; } = DirectFile.Native;

    /// <summary>How many buffers of <see cref="StagingFile.BufferSize"/> a body staged into a file passes through (at least 2): the memory an upload holds.</summary>
    internal int StagingBuffers
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2);
            field = value;
        }
    } = 4;

    /// <summary>Runs before each chunk of a staged file is written, given the chunk's offset in the body; tests replace it to slow or fail a write.</summary>
    internal Func<long, CancellationToken, Task>? BeforeStagingWrite { get; set; }

    /// <summary>
    /// The smallest announced length of a plaintext body written around the page cache (64 MiB): below it the page
    /// cache's copy costs little, and a GET soon after finds the body in memory. Each direct write holds its thread for
    /// the device's time, so the multipart parts clients upload many at once (awscli's 8 MiB, rclone's 5 MiB) stay on
    /// the page cache, whose writes return at memory speed.
    /// </summary>
    internal long DirectWriteThreshold { get; set; } = 64 << 20;

    /// <summary>
    /// Copies <paramref name="source"/> into a temporary file while computing MD5 and CRC-64 of the plaintext, encrypting
    /// it on the way when <paramref name="encrypt"/> is set, then flushes it to disk. When <paramref name="inline"/> is
    /// set and the body turns out to be at most <see cref="InlineThreshold"/> bytes, it is kept in memory instead (see
    /// <see cref="StagedBlob.InlineData"/>), sealed the same way, for the commit to store in the metadata. Fails with
    /// <see cref="ErrorCode.IncompleteBody"/> when the source ends before <paramref name="expectedLength"/>, and with
    /// <see cref="ErrorCode.EntityTooLarge"/> past <paramref name="maxLength"/>. With <paramref name="customerKey"/> the
    /// blob is encrypted with a key derived from it (SSE-C) instead of one wrapped by the master key.
    /// </summary>
    public async Task<StagedBlob> StageAsync(Stream source, long? expectedLength, long maxLength, bool encrypt, CancellationToken cancellationToken,
        bool inline = false, CustomerKey? customerKey = null)
    {
        var sealing = encrypt || customerKey is not null ? new BlobSealing(customerKey) : null;
        if (!inline || InlineThreshold == 0 || expectedLength > InlineThreshold)
        {
            return await StageFileAsync(source, ReadOnlyMemory<byte>.Empty, expectedLength, maxLength, sealing, cancellationToken);
        }

        // One byte more than the threshold tells a small body from the start of a large one.
        var buffer = ArrayPool<byte>.Shared.Rent(InlineThreshold + 1);
        try
        {
            var filled = 0;
            int read;
            while (filled <= InlineThreshold && (read = await source.ReadAsync(buffer.AsMemory(filled, InlineThreshold + 1 - filled), cancellationToken)) > 0)
            {
                filled += read;
            }

            return filled <= InlineThreshold
                ? StageInline(buffer.AsSpan(0, filled), expectedLength, maxLength, sealing)
                : await StageFileAsync(source, buffer.AsMemory(0, filled), expectedLength, maxLength, sealing, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>How a blob is encrypted: under a fresh data key wrapped by the master key, or one derived from a customer key.</summary>
    private sealed record BlobSealing(CustomerKey? CustomerKey);

    /// <summary>A new blob's data key and the entry stored in its place (<see cref="BlobSegment.WrappedKey"/>).</summary>
    private (byte[] DataKey, byte[] Entry) NewDataKey(BlobSealing sealing, string blobId)
    {
        if (sealing.CustomerKey is { } customerKey)
        {
            return customerKey.NewDataKey(blobId);
        }

        var dataKey = RandomNumberGenerator.GetBytes(MasterKey.KeySize);
        return (dataKey, _masterKey.Wrap(dataKey, blobId));
    }

    private StagedBlob StageInline(ReadOnlySpan<byte> body, long? expectedLength, long maxLength, BlobSealing? sealing)
    {
        CheckLength(body.Length, expectedLength, maxLength);
        var md5 = Md5Of(body);
        var crc = Crc64.Compute(body);
        if (body.IsEmpty)
        {
            return new StagedBlob("", "", 0, md5, crc, null);
        }

        var blobId = BlobIds.New(DateTimeOffset.UtcNow);
        if (sealing is null)
        {
            return new StagedBlob(blobId, "", body.Length, md5, crc, null, body.ToArray());
        }

        var (dataKey, entry) = NewDataKey(sealing, blobId);
        try
        {
            var sealedBytes = SegmentSealer.Seal(body, dataKey);
            return new StagedBlob(blobId, "", body.Length, md5, crc, entry, sealedBytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// MD5 of a small body with this thread's hash object, reset for the next body: the one-shot
    /// <see cref="MD5.HashData(ReadOnlySpan{byte})"/> sets a new digest context up and tears it down for every body.
    /// </summary>
    private static byte[] Md5Of(ReadOnlySpan<byte> body)
    {
        var md5 = _threadMd5 ??= IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        try
        {
            md5.AppendData(body);
            return md5.GetHashAndReset();
        }
        catch
        {
            // A hash left holding part of this body would corrupt the next one hashed on this thread.
            _threadMd5 = null;
            md5.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Streams <paramref name="prefix"/> and then the rest of <paramref name="source"/> into a temporary file, through a
    /// ring of <see cref="StagingBuffers"/> buffers of <see cref="StagingFile.BufferSize"/> (see <see cref="CopyThroughRingAsync"/>),
    /// so a large upload runs at the pace of its slowest stage (MD5, about 0.7 GB/s a core) rather than of the three one
    /// after another. A plaintext body of at least <see cref="DirectWriteThreshold"/> announced bytes is written around
    /// the page cache (<see cref="DirectFile"/>) where the file system allows it; other files start their disk writes as
    /// they grow (<see cref="FileWriteback"/>). Either way the final fsync finds little left to write.
    /// </summary>
    private async Task<StagedBlob> StageFileAsync(Stream source, ReadOnlyMemory<byte> prefix, long? expectedLength, long maxLength,
        BlobSealing? sealing, CancellationToken cancellationToken)
    {
        var blobId = BlobIds.New(DateTimeOffset.UtcNow);
        var tempPath = Path.Combine(_stagingFolder, blobId);
        var (dataKey, entry) = sealing is null ? (null, null) : NewDataKey(sealing, blobId);
        var completed = false;
        try
        {
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            var crc = new Crc64();
            long length;
            await using (var file = CreateStagingFile(tempPath, dataKey, expectedLength))
            {
                length = await CopyThroughRingAsync(source, prefix, file, maxLength, md5, crc, cancellationToken);
                await file.CompleteAsync(length, cancellationToken);
            }

            CheckLength(length, expectedLength, maxLength);
            completed = true;
            if (length == 0)
            {
                File.Delete(tempPath);
                return new StagedBlob("", "", 0, md5.GetHashAndReset(), crc.Value, null);
            }

            return new StagedBlob(blobId, tempPath, length, md5.GetHashAndReset(), crc.Value, entry);
        }
        finally
        {
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

    /// <summary>
    /// Copies the body into <paramref name="file"/> chunk by chunk through its ring of buffers, hashing each chunk on this
    /// thread; the body's length. Chunk k lives in buffer k mod N. Three chains run side by side, each in order: the
    /// reads (chunk k is read once chunk k-1 is and its buffer is free again, up to N-1 chunks ahead of the hash), the
    /// writes (chunk k's starts once it is read and chunk k-1's is written, without waiting for its hash, which only
    /// reads the buffer) and the hash. A buffer is read into again only after both the hash and the write of its last
    /// chunk are done. On any failure the reads still waiting are cancelled, and no buffer is given back (by disposing
    /// the file) before every read and write using it has ended.
    /// </summary>
    private async Task<long> CopyThroughRingAsync(Stream source, ReadOnlyMemory<byte> prefix, StagingFile file, long maxLength, IncrementalHash md5,
        Crc64 crc, CancellationToken cancellationToken)
    {
        var ring = file.BufferCount;
        var reads = new Task<int>[ring];
        var writes = new Task[ring];
        Array.Fill(writes, Task.CompletedTask);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            prefix.CopyTo(file.Buffer(0));
            reads[0] = FillAsync(source, file.Buffer(0), prefix.Length, stop.Token);
            for (var slot = 1; slot < ring - 1; slot++)
            {
                reads[slot] = ReadAfterAsync(reads[slot - 1], Task.CompletedTask, source, file.Buffer(slot), stop.Token);
            }

            var lastWrite = Task.CompletedTask;
            long length = 0;
            for (long chunk = 0; ; chunk++)
            {
                var slot = (int)(chunk % ring);
                var filled = await reads[slot];
                if (filled == 0)
                {
                    break;
                }

                length += filled;
                if (length > maxLength)
                {
                    throw new CofferException(ErrorCode.EntityTooLarge, $"The object is larger than {maxLength} bytes.");
                }

                lastWrite = writes[slot] = WriteAfterAsync(lastWrite, file, slot, filled, chunk * StagingFile.BufferSize, stop.Token);

                // The previous chunk's buffer is hashed already: it takes chunk + N - 1 once its write is done.
                var previous = (slot + ring - 1) % ring;
                reads[previous] = ReadAfterAsync(reads[(slot + ring - 2) % ring], writes[previous], source, file.Buffer(previous), stop.Token);

                var bytes = file.Buffer(slot).Span[..filled];
                md5.AppendData(bytes);
                crc.Append(bytes);
            }

            await lastWrite;
            return length;
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
        finally
        {
            await WhenEndedAsync(reads, writes);
        }
    }

    /// <summary>The next chunk, read into <paramref name="buffer"/> once <paramref name="previousRead"/> has filled its buffer and <paramref name="bufferWritten"/> is done; 0 past the end.</summary>
    private static async Task<int> ReadAfterAsync(Task<int> previousRead, Task bufferWritten, Stream source, Memory<byte> buffer,
        CancellationToken cancellationToken)
    {
        // A chunk short of a full buffer was the body's last: the source is not asked again after it ended.
        if (await previousRead < buffer.Length)
        {
            return 0;
        }

        await bufferWritten;
        // Continuations run inline: after a failure elsewhere, a source that ignores the token must not be read again.
        cancellationToken.ThrowIfCancellationRequested();
        return await FillAsync(source, buffer, 0, cancellationToken);
    }

    private async Task WriteAfterAsync(Task previousWrite, StagingFile file, int slot, int length, long offset, CancellationToken cancellationToken)
    {
        await previousWrite;
        if (BeforeStagingWrite is { } before)
        {
            await before(offset, cancellationToken);
        }

        await file.WriteAsync(slot, length, cancellationToken);
    }

    /// <summary>Waits for every read and write of the ring to end, whether it succeeded or not (their failures are the caller's to report).</summary>
    private static async Task WhenEndedAsync(Task?[] reads, Task[] writes)
    {
        foreach (var task in reads.Concat(writes))
        {
            if (task is not null)
            {
                await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Reads from <paramref name="filled"/> until <paramref name="buffer"/> is full or the source ends (a socket hands over a few KiB a read); the bytes in it.</summary>
    private static async Task<int> FillAsync(Stream source, Memory<byte> buffer, int filled, CancellationToken cancellationToken)
    {
        int read;
        while (filled < buffer.Length && (read = await source.ReadAsync(buffer[filled..], cancellationToken)) > 0)
        {
            filled += read;
        }

        return filled;
    }

    private static void CheckLength(long length, long? expectedLength, long maxLength)
    {
        if (length > maxLength)
        {
            throw new CofferException(ErrorCode.EntityTooLarge, $"The object is larger than {maxLength} bytes.");
        }

        if (expectedLength is { } expected && expected != length)
        {
            throw new CofferException(ErrorCode.IncompleteBody,
                $"The body had {length} bytes where Content-Length announced {expected}.");
        }
    }

    /// <summary>
    /// The staging file at <paramref name="path"/>: for direct writes when the body is plaintext, announced at
    /// <see cref="DirectWriteThreshold"/> bytes or more and the file system takes them, else through the page cache.
    /// </summary>
    private StagingFile CreateStagingFile(string path, byte[]? dataKey, long? expectedLength)
    {
        if (dataKey is null && expectedLength >= DirectWriteThreshold && DirectCreate is { } createDirect)
        {
            if (CreateInStagingFolder(path, createDirect.Invoke) is { } direct)
            {
                return StagingFile.Direct(direct, RingFor(expectedLength));
            }

            // Refused, perhaps after the file was created (O_EXCL made it ours): the page-cache path creates it anew.
            File.Delete(path);
        }

        return StagingFile.Buffered(
            CreateInStagingFolder(path, at => new FileStream(at, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous)),
            dataKey, WritebackSync, RingFor(expectedLength));
    }

    /// <summary>
    /// The buffers a body needs: one more than its chunks (so the read of the next never waits for a hash), at least
    /// two and at most <see cref="StagingBuffers"/>; all of them when its length is not announced. A body of 100 KiB
    /// holds 2 MiB, not the ring of a large upload.
    /// </summary>
    private int RingFor(long? expectedLength)
    {
        if (expectedLength is not { } length)
        {
            return StagingBuffers;
        }

        var chunks = (length + StagingFile.BufferSize - 1) / StagingFile.BufferSize;
        return (int)Math.Clamp(chunks + 1, 2, StagingBuffers);
    }

    private T CreateInStagingFolder<T>(string path, Func<string, T> create)
    {
        try
        {
            return create(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Another node's start-up swept this idle node's staging folder.
            Directory.CreateDirectory(_stagingFolder);
            return create(path);
        }
    }
}
