using Coffer.Common.IO;
using Coffer.Storage.Records;

namespace Coffer.Storage.Blobs;

/// <summary>
/// A read-only view of a byte range across the blob files of a layout, opening one file at a time; the files after the
/// first are held by a read lease until it is disposed (see <c>BlobStore.Leases.cs</c>).
/// </summary>
internal sealed class SegmentedReadStream : ForwardReadStream
{
    private readonly BlobLayout _layout;
    private readonly Func<BlobSegment, long, long, Stream> _open;
    private long _remaining;
    private int _segment;
    private long _offsetInSegment;
    private readonly IDisposable? _lease;
    private Stream? _current;

    /// <param name="open">Opens a blob at a plaintext offset, given how many of its bytes from there will be read (it may read on to its end).</param>
    /// <param name="lease">Released when the stream is disposed.</param>
    public SegmentedReadStream(BlobLayout layout, long offset, long length, Func<BlobSegment, long, long, Stream> open, IDisposable? lease = null)
    {
        _layout = layout;
        _open = open;
        _lease = lease;
        _remaining = length;
        while (_segment < layout.Segments.Count && offset >= layout.Segments[_segment].Length)
        {
            offset -= layout.Segments[_segment].Length;
            _segment++;
        }

        _offsetInSegment = offset;

        // Open the first file now, so a blob that vanished or fails to decrypt is reported before any byte goes to the client.
        if (_remaining > 0)
        {
            OpenCurrent();
        }
    }

    public override int Read(Span<byte> buffer)
    {
        while (_remaining > 0)
        {
            var file = _current ?? OpenCurrent();
            var read = file.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
            if (read > 0)
            {
                _remaining -= read;
                return read;
            }

            NextSegment();
        }

        return 0;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_remaining > 0)
        {
            var file = _current ?? OpenCurrent();
            var read = await file.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
            if (read > 0)
            {
                _remaining -= read;
                return read;
            }

            NextSegment();
        }

        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
            _lease?.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync();
            _current = null;
        }

        _lease?.Dispose();

        await base.DisposeAsync();
    }

    private Stream OpenCurrent()
    {
        if (_segment >= _layout.Segments.Count)
        {
            throw new InvalidDataException("The object's layout is shorter than its size.");
        }

        var segment = _layout.Segments[_segment];
        _current = _open(segment, _offsetInSegment, Math.Min(segment.Length - _offsetInSegment, _remaining));
        return _current;
    }

    private void NextSegment()
    {
        _current?.Dispose();
        _current = null;
        _segment++;
        _offsetInSegment = 0;
    }
}
