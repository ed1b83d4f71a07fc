namespace Coffer.Storage.Records;

/// <summary>
/// A run of bytes in one blob file. <see cref="WrappedKey"/> is set when the file is encrypted: the blob's data key,
/// wrapped by the master key (see <see cref="Encryption.MasterKey"/>); <see cref="Length"/> is always the plaintext length.
/// </summary>
public readonly record struct BlobSegment(string BlobId, long Length, byte[]? WrappedKey = null);

/// <summary>The blob files that hold an object's bytes, in order: one for a simple PUT, one per part after multipart.</summary>
public sealed record BlobLayout(IReadOnlyList<BlobSegment> Segments)
{
    public static BlobLayout Empty { get; } = new(Array.Empty<BlobSegment>());

    public long Length => Segments.Sum(s => s.Length);

    public static BlobLayout Single(string blobId, long length, byte[]? wrappedKey = null) =>
        length == 0 && blobId.Length == 0 ? Empty : new([new BlobSegment(blobId, length, wrappedKey)]);
}
