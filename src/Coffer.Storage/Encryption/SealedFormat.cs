using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Coffer.Storage.Encryption;

/// <summary>
/// The file format of an encrypted blob: a 12-byte header (<c>CFE</c>, format 1, log2 of the segment size, a random
/// 7-byte nonce prefix), then the plaintext in 64 KiB segments, each AES-256-GCM encrypted on its own with its 16-byte
/// tag after it. A segment's nonce is the prefix, its index (4 bytes, big-endian) and a byte that is 1 for the last
/// segment only; the header is the associated data of every segment. So a segment cannot move, a file cannot be cut
/// short at a segment boundary, and a range is read by decrypting only the segments it touches.
/// </summary>
internal static class SealedFormat
{
    public const int SegmentSize = 1 << SegmentSizeLog2;
    public const int TagSize = 16;
    public const int HeaderSize = 12;
    public const int SealedSegmentSize = SegmentSize + TagSize;
    public const int NonceSize = 12;

    private const int SegmentSizeLog2 = 16;
    private const int PrefixSize = 7;

    private static ReadOnlySpan<byte> Magic => "CFE\u0001"u8;

    public static long SegmentCount(long plainLength) => (plainLength + SegmentSize - 1) / SegmentSize;

    public static long SealedLength(long plainLength) => HeaderSize + plainLength + (SegmentCount(plainLength) * TagSize);

    /// <summary>Where segment <paramref name="index"/> starts in the file.</summary>
    public static long SegmentOffset(long index) => HeaderSize + (index * SealedSegmentSize);

    /// <summary>The plaintext length of segment <paramref name="index"/> of a blob of <paramref name="plainLength"/> bytes.</summary>
    public static int PlainSegmentLength(long plainLength, long index) => (int)Math.Min(SegmentSize, plainLength - (index * SegmentSize));

    public static byte[] NewHeader()
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        header[Magic.Length] = SegmentSizeLog2;
        RandomNumberGenerator.Fill(header.AsSpan(HeaderSize - PrefixSize));
        return header;
    }

    public static void CheckHeader(ReadOnlySpan<byte> header, string blobId)
    {
        if (!header.StartsWith(Magic) || header[Magic.Length] != SegmentSizeLog2)
        {
            throw new BlobIntegrityException($"Blob {blobId} does not start with the header of an encrypted blob.");
        }
    }

    public static void Nonce(Span<byte> nonce, ReadOnlySpan<byte> header, long index, bool last)
    {
        header[(HeaderSize - PrefixSize)..].CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[PrefixSize..], checked((uint)index));
        nonce[NonceSize - 1] = last ? (byte)1 : (byte)0;
    }
}
