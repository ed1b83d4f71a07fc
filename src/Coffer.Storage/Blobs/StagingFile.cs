using System.Buffers;
using Coffer.Storage.Encryption;
using Microsoft.Win32.SafeHandles;

namespace Coffer.Storage.Blobs;

/// <summary>
/// The temporary file a body is staged into and the two buffers it is read into (one is written while the other fills).
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
        _buffers = pooled is not null ? [pooled[0].AsMemory(0, BufferSize), pooled[1].AsMemory(0, BufferSize)] : [aligned![0].Memory, aligned[1].Memory];
    }

    /// <summary>A file written through the page cache; sealed with <paramref name="dataKey"/> when it is set.</summary>
    public static StagingFile Buffered(FileStream file, byte[]? dataKey, FileWriteback.RangeSync? writebackSync) =>
        new(file, dataKey is null ? null : new SegmentSealer(file, dataKey), new FileWriteback(file.SafeFileHandle, writebackSync),
            [ArrayPool<byte>.Shared.Rent(BufferSize), ArrayPool<byte>.Shared.Rent(BufferSize)], null);

    /// <summary>A file opened for direct writes (<see cref="DirectFile"/>), written in plaintext.</summary>
    public static StagingFile Direct(SafeFileHandle handle)
    {
        var first = new DirectFile.AlignedBuffer(BufferSize);
        try
        {
            return new(new FileStream(handle, FileAccess.Write, bufferSize: 0), null, null, null, [first, new DirectFile.AlignedBuffer(BufferSize)]);
        }
        catch
        {
            ((IDisposable)first).Dispose();
            throw;
        }
    }

    /// <summary>Buffer 0 or 1, <see cref="BufferSize"/> bytes.</summary>
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
            ArrayPool<byte>.Shared.Return(_pooled[0]);
            ArrayPool<byte>.Shared.Return(_pooled[1]);
        }

        if (_aligned is not null)
        {
            ((IDisposable)_aligned[0]).Dispose();
            ((IDisposable)_aligned[1]).Dispose();
        }
    }
}
