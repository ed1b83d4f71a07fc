namespace Coffer.Storage.Records;

/// <summary>A run of bytes in one blob file.</summary>
public readonly record struct BlobSegment(string BlobId, long Length);

/// <summary>The blob files that hold an object's bytes, in order: one for a simple PUT, one per part after multipart.</summary>
public sealed record BlobLayout(IReadOnlyList<BlobSegment> Segments)
{
    public static BlobLayout Empty { get; } = new(Array.Empty<BlobSegment>());

    public long Length => Segments.Sum(s => s.Length);

    public static BlobLayout Single(string blobId, long length) =>
        length == 0 && blobId.Length == 0 ? Empty : new([new BlobSegment(blobId, length)]);
}
