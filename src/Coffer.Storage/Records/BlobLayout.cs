namespace Coffer.Storage.Records;

/// <summary>
/// A run of bytes in one blob: a file, or, when <see cref="Inline"/>, a row of the metadata store's inline blobs
/// (<see cref="IInlineBlobReader"/>) holding exactly what the file would. <see cref="WrappedKey"/> is set when the blob is
/// encrypted: its data key, wrapped by the master key (see <see cref="Encryption.MasterKey"/>); <see cref="Length"/> is
/// always the plaintext length.
/// </summary>
public readonly record struct BlobSegment(string BlobId, long Length, byte[]? WrappedKey = null, bool Inline = false);

/// <summary>The blob files that hold an object's bytes, in order: one for a simple PUT, one per part after multipart.</summary>
public sealed record BlobLayout(IReadOnlyList<BlobSegment> Segments)
{
    public static BlobLayout Empty { get; } = new(Array.Empty<BlobSegment>());

    public long Length => Segments.Sum(s => s.Length);

    public static BlobLayout Single(string blobId, long length, byte[]? wrappedKey = null, bool inline = false) =>
        length == 0 && blobId.Length == 0 ? Empty : new([new BlobSegment(blobId, length, wrappedKey, inline)]);

    /// <summary>Whether any of the bytes live in the metadata store rather than in files.</summary>
    public bool HasInline
    {
        get
        {
            foreach (var segment in Segments)
            {
                if (segment.Inline)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
