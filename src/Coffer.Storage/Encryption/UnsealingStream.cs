using System.Buffers;
using System.Security.Cryptography;
using Coffer.Common.IO;

namespace Coffer.Storage.Encryption;

/// <summary>
/// Reads the plaintext of an encrypted blob from a given offset to its end, decrypting only the segments it reaches,
/// one at a time. The file's length, its header and the first segment are checked when the stream opens, so a wrong
/// key or a damaged file is reported before any byte reaches a client; a later segment that fails to authenticate
/// fails the read that reaches it.
/// </summary>
internal sealed class UnsealingStream : ForwardReadStream
{
    private readonly SealedSource _file;
    private readonly string _blobId;
    private readonly long _plainLength;
    private readonly long _segmentCount;
    private readonly AesGcm _aes;
    private readonly byte[] _header = new byte[SealedFormat.HeaderSize];
    private readonly byte[] _plain = ArrayPool<byte>.Shared.Rent(SealedFormat.SegmentSize);
    private readonly byte[] _sealed = ArrayPool<byte>.Shared.Rent(SealedFormat.SealedSegmentSize);
    private long _nextSegment;
    private int _position;
    private int _available;
    private bool _disposed;

    /// <param name="file">The blob's bytes (its file, opened for reading, or its inline copy); the stream owns it.</param>
    /// <param name="dataKey">The blob's unwrapped data key; the caller may clear it once this returns.</param>
    public UnsealingStream(SealedSource file, string blobId, long plainLength, long offset, ReadOnlySpan<byte> dataKey)
    {
        _file = file;
        _blobId = blobId;
        _plainLength = plainLength;
        _segmentCount = SealedFormat.SegmentCount(plainLength);
        _aes = new AesGcm(dataKey, SealedFormat.TagSize);
        try
        {
            var expected = SealedFormat.SealedLength(plainLength);
            var actual = file.Length;
            if (actual != expected)
            {
                throw new BlobIntegrityException($"Blob {blobId} has {actual} bytes where its {plainLength} bytes encrypt to {expected}.");
            }

            file.Read(_header, 0);
            SealedFormat.CheckHeader(_header, blobId);
            _nextSegment = offset < plainLength ? offset / SealedFormat.SegmentSize : _segmentCount;
            if (offset < plainLength)
            {
                var read = file.Read(_sealed.AsSpan(0, SealedLength(_nextSegment)), SealedFormat.SegmentOffset(_nextSegment));
                Decrypt(read);
                _position = (int)(offset % SealedFormat.SegmentSize);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public override int Read(Span<byte> buffer)
    {
        if (_position == _available)
        {
            if (_nextSegment == _segmentCount)
            {
                return 0;
            }

            Decrypt(_file.Read(_sealed.AsSpan(0, SealedLength(_nextSegment)), SealedFormat.SegmentOffset(_nextSegment)));
        }

        return Copy(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position == _available)
        {
            if (_nextSegment == _segmentCount)
            {
                return 0;
            }

            var read = await _file.ReadAsync(_sealed.AsMemory(0, SealedLength(_nextSegment)), SealedFormat.SegmentOffset(_nextSegment),
                cancellationToken);
            Decrypt(read);
        }

        return Copy(buffer.Span);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _file.Dispose();
            _aes.Dispose();
            CryptographicOperations.ZeroMemory(_plain);
            ArrayPool<byte>.Shared.Return(_plain);
            ArrayPool<byte>.Shared.Return(_sealed);
        }

        base.Dispose(disposing);
    }

    private int SealedLength(long index) => SealedFormat.PlainSegmentLength(_plainLength, index) + SealedFormat.TagSize;

    /// <summary>Authenticates and decrypts the segment just read into <see cref="_sealed"/>; nothing is served from one that fails.</summary>
    private void Decrypt(int read)
    {
        var index = _nextSegment;
        var length = SealedFormat.PlainSegmentLength(_plainLength, index);
        if (read != length + SealedFormat.TagSize)
        {
            throw new BlobIntegrityException($"Blob {_blobId} ended inside segment {index}.");
        }

        Span<byte> nonce = stackalloc byte[SealedFormat.NonceSize];
        SealedFormat.Nonce(nonce, _header, index, last: index == _segmentCount - 1);
        try
        {
            _aes.Decrypt(nonce, _sealed.AsSpan(0, length), _sealed.AsSpan(length, SealedFormat.TagSize), _plain.AsSpan(0, length), _header);
        }
        catch (AuthenticationTagMismatchException e)
        {
            _available = _position = 0;
            throw new BlobIntegrityException($"Segment {index} of blob {_blobId} failed authentication: the file was changed, or the key is wrong.", e);
        }

        _available = length;
        _position = 0;
        _nextSegment++;
    }

    private int Copy(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, _available - _position);
        _plain.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }
}
