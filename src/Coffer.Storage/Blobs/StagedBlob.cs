namespace Coffer.Storage.Blobs;

/// <summary>
/// Bytes written and flushed to a temporary file, or kept in memory for the metadata store (encrypted when asked), with the
/// plaintext's checksums computed on the way in. Disposing a blob that was never promoted deletes its temporary file.
/// </summary>
public sealed class StagedBlob : IDisposable
{
    internal StagedBlob(string blobId, string tempPath, long length, byte[] md5, ulong crc64, byte[]? wrappedKey, byte[]? inlineData = null)
    {
        BlobId = blobId;
        InlineData = inlineData;
        WrappedKey = wrappedKey;
        TempPath = tempPath;
        Length = length;
        Md5 = md5;
        Crc64 = crc64;
    }

    /// <summary>Empty when the body was empty: no file is kept for zero bytes.</summary>
    public string BlobId { get; }

    public bool IsEmpty => Length == 0;

    /// <summary>
    /// Set for a small body kept in memory instead of a file: what the file would hold (the plaintext, or the sealed
    /// format when <see cref="WrappedKey"/> is set), to be stored in the metadata with the version.
    /// </summary>
    public byte[]? InlineData { get; }

    public bool IsInline => InlineData is not null;

    /// <summary>Set when the file is encrypted: its data key, wrapped by the master key. Null for an empty blob.</summary>
    public byte[]? WrappedKey { get; }

    public long Length { get; }

    public byte[] Md5 { get; }

    public ulong Crc64 { get; }

    internal string TempPath { get; }

    internal bool Promoted { get; set; }

    public void Dispose()
    {
        if (!Promoted && !IsEmpty && !IsInline)
        {
            File.Delete(TempPath);
        }
    }
}
