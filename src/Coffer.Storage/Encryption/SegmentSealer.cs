using System.Buffers;
using System.Security.Cryptography;

namespace Coffer.Storage.Encryption;

/// <summary>
/// Encrypts a stream of plaintext into a file in the <see cref="SealedFormat"/>, one segment at a time: memory stays at
/// two segment buffers whatever the object's size. A full segment is sealed only when more bytes follow it, because
/// only the end of the input says which segment is the last.
/// </summary>
internal sealed class SegmentSealer : IDisposable
{
    private readonly Stream _file;
    private readonly AesGcm _aes;
    private readonly byte[] _header = SealedFormat.NewHeader();
    private readonly byte[] _plain = ArrayPool<byte>.Shared.Rent(SealedFormat.SegmentSize);
    private readonly byte[] _sealed = ArrayPool<byte>.Shared.Rent(SealedFormat.SealedSegmentSize);
    private int _filled;
    private long _index;
    private bool _headerWritten;

    public SegmentSealer(Stream file, ReadOnlySpan<byte> dataKey)
    {
        _file = file;
        _aes = new AesGcm(dataKey, SealedFormat.TagSize);
    }

    /// <summary>The sealed form of a whole small blob, in memory: exactly what its file would hold.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> dataKey)
    {
        var output = new byte[SealedFormat.SealedLength(plaintext.Length)];
        var header = SealedFormat.NewHeader();
        header.CopyTo(output, 0);
        using var aes = new AesGcm(dataKey, SealedFormat.TagSize);
        Span<byte> nonce = stackalloc byte[SealedFormat.NonceSize];
        var segments = SealedFormat.SegmentCount(plaintext.Length);
        for (long index = 0; index < segments; index++)
        {
            var plain = plaintext.Slice((int)(index * SealedFormat.SegmentSize), SealedFormat.PlainSegmentLength(plaintext.Length, index));
            var at = (int)SealedFormat.SegmentOffset(index);
            SealedFormat.Nonce(nonce, header, index, last: index == segments - 1);
            aes.Encrypt(nonce, plain, output.AsSpan(at, plain.Length), output.AsSpan(at + plain.Length, SealedFormat.TagSize), header);
        }

        return output;
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (data.Length > 0)
        {
            if (_filled == SealedFormat.SegmentSize)
            {
                await SealAsync(last: false, cancellationToken);
            }

            var take = Math.Min(SealedFormat.SegmentSize - _filled, data.Length);
            data.Span[..take].CopyTo(_plain.AsSpan(_filled));
            _filled += take;
            data = data[take..];
        }
    }

    /// <summary>Seals what is left as the last segment. Writes nothing at all for an empty input.</summary>
    public ValueTask CompleteAsync(CancellationToken cancellationToken) =>
        _filled == 0 ? ValueTask.CompletedTask : SealAsync(last: true, cancellationToken);

    public void Dispose()
    {
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_plain);
        ArrayPool<byte>.Shared.Return(_plain);
        ArrayPool<byte>.Shared.Return(_sealed);
    }

    private async ValueTask SealAsync(bool last, CancellationToken cancellationToken)
    {
        if (!_headerWritten)
        {
            await _file.WriteAsync(_header, cancellationToken);
            _headerWritten = true;
        }

        var length = Encrypt(last);
        await _file.WriteAsync(_sealed.AsMemory(0, length), cancellationToken);
        _filled = 0;
        _index++;
    }

    private int Encrypt(bool last)
    {
        Span<byte> nonce = stackalloc byte[SealedFormat.NonceSize];
        SealedFormat.Nonce(nonce, _header, _index, last);
        _aes.Encrypt(nonce, _plain.AsSpan(0, _filled), _sealed.AsSpan(0, _filled), _sealed.AsSpan(_filled, SealedFormat.TagSize), _header);
        return _filled + SealedFormat.TagSize;
    }
}
