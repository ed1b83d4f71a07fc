using Coffer.Common.IO;
using Microsoft.Win32.SafeHandles;

namespace Coffer.Storage.Blobs;

/// <summary>
/// A blob file read around the page cache (<see cref="DirectFile"/>), from a plaintext offset on. Each read of
/// the file fills one of two aligned buffers of <see cref="BufferSize"/> from an aligned offset, straight from the disk;
/// the caller's reads copy out of it, and while they do the next buffer is already being read. A large blob is written
/// around the page cache too, so a buffered read of it finds nothing cached: on this machine such a cold read of a GiB
/// cost 1.9 s of kernel CPU filling the page cache (552 MB/s), a direct one 0.08 s (2.8 GB/s). A blob that an earlier
/// buffered read left cached is read from the disk again all the same (docs/performance.md, "Large objects").
/// </summary>
internal sealed class DirectReadStream : ForwardReadStream
{
    /// <summary>
    /// The bytes one read of the file asks for (a multiple of <see cref="DirectFile.Alignment"/>): 2 MiB, so a GET holds
    /// 4 MiB as an upload's staging ring does. 1 MiB reads sent a GiB at 1.2-1.5 GB/s here, 2 and 4 MiB at 1.9-2.2.
    /// </summary>
    internal const int BufferSize = 2 << 20;

    private readonly SafeFileHandle _file;
    private readonly DirectFile.AlignedBuffer[] _buffers = [new(BufferSize), new(BufferSize)];
    private readonly long _limit;
    private long _fileOffset;
    private int _skip;
    private int _filling;
    private int _current = -1;
    private int _start;
    private int _end;
    private bool _atEnd;
    private bool _disposed;
    private Task<int>? _next;

    /// <param name="file">A handle opened for direct reads; the stream owns it.</param>
    /// <param name="offset">Where in the file the first byte read is.</param>
    /// <param name="limit">
    /// Where in the file the caller stops reading: nothing is read ahead from there on (a read may still run past it to
    /// the end of its buffer, or stop short of it at the end of the file).
    /// </param>
    public DirectReadStream(SafeFileHandle file, long offset, long limit)
    {
        _file = file;
        _fileOffset = offset & -DirectFile.Alignment;
        _skip = (int)(offset - _fileOffset);
        _limit = limit;
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_start == _end)
        {
            if (_atEnd)
            {
                return 0;
            }

            _next ??= Task.FromResult(ReadFile());
            if (!Advance(_next.GetAwaiter().GetResult(), prefetch: false))
            {
                return 0;
            }
        }

        return CopyOut(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_start == _end)
        {
            if (_atEnd)
            {
                return 0;
            }

            // Kept in _next until it ends, so a Dispose meanwhile waits for it before the buffer is freed.
            _next ??= ReadFileAsync();
            if (!Advance(await _next, prefetch: true))
            {
                return 0;
            }
        }

        return CopyOut(buffer.Span);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            // The kernel may still be writing into the other buffer: it is freed only once that read has ended, however it ended.
            if (_next is { } next)
            {
                ((IAsyncResult)next).AsyncWaitHandle.WaitOne();
                _ = next.Exception;
            }

            Free();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            if (_next is { } next)
            {
                await Task.WhenAny(next);
                _ = next.Exception;
            }

            Free();
        }

        await base.DisposeAsync();
    }

    private void Free()
    {
        _disposed = true;
        _file.Dispose();
        foreach (IDisposable buffer in _buffers)
        {
            buffer.Dispose();
        }
    }

    /// <summary>
    /// Takes the buffer just filled with <paramref name="read"/> bytes as the current one; false when it holds none of
    /// the caller's bytes. The next buffer is read ahead when <paramref name="prefetch"/>, unless the file or the
    /// caller's range ends in this one. A read that stops short of a full buffer is the end of the file.
    /// </summary>
    private bool Advance(int read, bool prefetch)
    {
        _next = null;
        _current = _filling;
        _filling = 1 - _filling;
        _fileOffset += read;
        _start = Math.Min(_skip, read);
        _end = read;
        _skip = 0;
        _atEnd = read < BufferSize || _fileOffset >= _limit;
        if (!_atEnd && prefetch)
        {
            _next = ReadFileAsync();
        }

        return _start < _end;
    }

    private int CopyOut(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _end - _start);
        _buffers[_current].Memory.Span.Slice(_start, count).CopyTo(destination);
        _start += count;
        return count;
    }

    private int ReadFile() => RandomAccess.Read(_file, _buffers[_filling].Memory.Span, _fileOffset);

    // Not cancellable: the kernel's read into the buffer cannot be stopped, and Dispose waits for it.
    private Task<int> ReadFileAsync() => RandomAccess.ReadAsync(_file, _buffers[_filling].Memory, _fileOffset).AsTask();
}
