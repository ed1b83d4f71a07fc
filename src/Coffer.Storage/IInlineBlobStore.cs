namespace Coffer.Storage;

/// <summary>
/// Small objects' bytes, kept in the metadata store instead of files of their own: one row per blob, keyed by its id,
/// holding exactly what the blob's file would (the plaintext, or the sealed format when encrypted). A row is written in
/// the transaction that commits the version pointing at it and deleted in the one that releases that version, so a
/// version and its bytes always commit together: no intent, no file, no directory fsync. Rows live apart from the
/// object versions, so listings and inventory scans never read payloads.
/// </summary>
public interface IInlineBlobReader
{
    /// <summary>The blob's stored bytes, or null when there is no such blob.</summary>
    byte[]? Get(string blobId);
}

public interface IInlineBlobWriter : IInlineBlobReader
{
    /// <summary>Stores a new blob; its id must not be in use.</summary>
    void Insert(string blobId, byte[] data);

    /// <summary>Deletes a blob; false when there was none.</summary>
    bool Delete(string blobId);
}
