using System.Buffers;
using Coffer.Storage.Encryption;
using Microsoft.Win32.SafeHandles;

namespace Coffer.Storage.Blobs;

/// <summary>
/// The temporary file a body is staged into and the ring of buffers it is read into (some fill while others are hashed
/// and written, see <c>BlobStore.StageFileAsync</c>).
/// Either through the page cache (<see cref="Buffered"/>: sealed on the way when encrypted, its writeback started as
/// it grows by <see cref="FileWriteback"/>) or around it (<see cref="Direct"/>: from aligned buffers, the last write
/// padded to the alignment and the file cut back to the body's length before the fsync).
/// </summary>
internal sealed class StagingFile : IAsyncDisposable
{
    /// <summary>The bytes read, hashed and written at once: a multiple of <see cref="DirectFile.Alignment"/>.</summary>
    internal const int BufferSize = 1 << 20;

    private readonly FileStream _file;
    private readonly SegmentSealer? _sealer;
    private readonly FileWriteback? _writeback;
    private readonly byte[][]? _pooled;
    private readonly DirectFile.AlignedBuffer[]? _aligned;
    private readonly Memory<byte>[] _buffers;

    private StagingFile(FileStream file, SegmentSealer? sealer, FileWriteback? writeback, byte[][]? pooled, DirectFile.AlignedBuffer[]? aligned)
    {
        _file = file;
        _sealer = sealer;
        _writeback = writeback;
        _pooled = pooled;
        _aligned = aligned;
        _buffers = pooled is not null
            ? Array.ConvertAll(pooled, buffer => buffer.AsMemory(0, BufferSize))
            : Array.ConvertAll(aligned!, buffer => buffer.Memory);
    }

    /// <summary>A file written through the page cache, with <paramref name="bufferCount"/> buffers; sealed with <paramref name="dataKey"/> when it is set.</summary>
    public static StagingFile Buffered(FileStream file, byte[]? dataKey, FileWriteback.RangeSync? writebackSync, int bufferCount)
    {
        var pooled = new byte[bufferCount][];
        for (var i = 0; i < bufferCount; i++)
        {
            pooled[i] = ArrayPool<byte>.Shared.Rent(BufferSize);
        }

        return new(file, dataKey is null ? null : new SegmentSealer(file, dataKey), new FileWriteback(file.SafeFileHandle, writebackSync), pooled, null);
    }

    /// <summary>A file opened for direct writes (<see cref="DirectFile"/>), with <paramref name="bufferCount"/> aligned buffers, written in plaintext.</summary>
    public static StagingFile Direct(SafeFileHandle handle, int bufferCount)
    {
        var aligned = new DirectFile.AlignedBuffer[bufferCount];
        try
        {
            for (var i = 0; i < bufferCount; i++)
            {
                aligned[i] = new DirectFile.AlignedBuffer(BufferSize);
            }

            return new(new FileStream(handle, FileAccess.Write, bufferSize: 0), null, null, null, aligned);
        }
        catch
        {
            FreeAligned(aligned);
            throw;
        }
    }

    /// <summary>How many buffers the ring has.</summary>
    public int BufferCount => _buffers.Length;

    /// <summary>Buffer <paramref name="index"/> (below <see cref="BufferCount"/>), <see cref="BufferSize"/> bytes.</summary>
    public Memory<byte> Buffer(int index) => _buffers[index];

    /// <summary>Appends the first <paramref name="length"/> bytes of buffer <paramref name="index"/>; only the last write may be short.</summary>
    public async Task WriteAsync(int index, int length, CancellationToken cancellationToken)
    {
        var chunk = _buffers[index][..length];
        if (_sealer is not null)
        {
            await _sealer.WriteAsync(chunk, cancellationToken);
        }
        else if (_aligned is not null)
        {
            // A direct write covers whole blocks: the tail's padding is cut off again in CompleteAsync.
            var padded = DirectFile.Padded(length);
            _buffers[index].Span[length..padded].Clear();
            await _file.WriteAsync(_buffers[index][..padded], cancellationToken);
        }
        else
        {
            await _file.WriteAsync(chunk, cancellationToken);
        }

        _writeback?.Advance(_file.Position);
    }

    /// <summary>Ends the file at the <paramref name="length"/> bytes of the body written (sealed when encrypted) and fsyncs it.</summary>
    public async Task CompleteAsync(long length, CancellationToken cancellationToken)
    {
        if (_sealer is not null)
        {
            await _sealer.CompleteAsync(cancellationToken);
        }
        else if (_file.Length != length)
        {
            _file.SetLength(length);
        }

        _file.Flush(flushToDisk: true);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _sealer?.Dispose();
            await _file.DisposeAsync();
        }
        finally
        {
            ReturnBuffers();
        }
    }

    // The aligned buffers are native memory with no finalizer: freed even when closing the file fails.
    private void ReturnBuffers()
    {
        if (_pooled is not null)
        {
            foreach (var buffer in _pooled)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        if (_aligned is not null)
        {
            FreeAligned(_aligned);
        }
    }

    private static void FreeAligned(DirectFile.AlignedBuffer?[] aligned)
    {
        foreach (var buffer in aligned)
        {
            ((IDisposable?)buffer)?.Dispose();
        }
    }
}
