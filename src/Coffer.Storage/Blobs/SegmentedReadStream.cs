using Coffer.Common.IO;
using Coffer.Storage.Records;

namespace Coffer.Storage.Blobs;

/// <summary>A read-only view of a byte range across the blob files of a layout, opening one file at a time.</summary>
internal sealed class SegmentedReadStream : ForwardReadStream
{
    private readonly BlobLayout _layout;
    private readonly Func<BlobSegment, long, Stream> _open;
    private long _remaining;
    private int _segment;
    private long _offsetInSegment;
    private Stream? _current;

    /// <param name="open">Opens a blob at a plaintext offset, reading to its end.</param>
    public SegmentedReadStream(BlobLayout layout, long offset, long length, Func<BlobSegment, long, Stream> open)
    {
        _layout = layout;
        _open = open;
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
        }

        base.Dispose(disposing);
    }

    private Stream OpenCurrent()
    {
        if (_segment >= _layout.Segments.Count)
        {
            throw new InvalidDataException("The object's layout is shorter than its size.");
        }

        _current = _open(_layout.Segments[_segment], _offsetInSegment);
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
