using Coffer.Storage.Records;

namespace Coffer.Storage;

/// <summary>Multipart uploads in progress and their parts.</summary>
public interface IUploadReader
{
    MultipartUploadRecord? Get(long bucketId, string uploadId);

    /// <summary>
    /// Uploads in (key, initiation time) order from <paramref name="fromKey"/>; with <paramref name="afterUploadId"/>, the
    /// uploads of <paramref name="fromKey"/> up to and including that one are skipped.
    /// </summary>
    IEnumerable<MultipartUploadRecord> Scan(long bucketId, string fromKey, bool fromKeyInclusive, string? afterUploadId, string? toKey);

    /// <summary>Parts of an upload in part-number order, after <paramref name="afterPartNumber"/>.</summary>
    IEnumerable<MultipartPartRecord> ScanParts(long bucketId, string uploadId, int afterPartNumber);
}

public interface IUploadWriter : IUploadReader
{
    void Insert(MultipartUploadRecord upload);

    /// <summary>Stores a part, replacing (and returning) the part with the same number, if any.</summary>
    MultipartPartRecord? PutPart(MultipartPartRecord part);

    /// <summary>Forgets an upload and its parts; the caller releases the parts' blobs it no longer needs.</summary>
    void Delete(long bucketId, string uploadId);
}
