using Coffer.Common;
using Coffer.Model.Objects;
using Coffer.Storage.Blobs;
using Coffer.Storage.Encryption;

namespace Coffer.Model;

/// <summary>
/// Server-side encryption with customer-provided keys (SSE-C): an object or upload written with one opens only with the
/// same key, which every request that reads it (or adds a part to it) must carry.
/// </summary>
public sealed partial class ObjectService
{
    /// <summary>
    /// The key that opens an object or upload stored with <paramref name="encryption"/> (and, for SSE-C, the key's
    /// <paramref name="verifier"/>): <paramref name="given"/> when it is the one it was written with, null when it needs none.
    /// Missing is InvalidRequest (400), and so is a key for what has none; a wrong key is <paramref name="wrongKey"/>.
    /// </summary>
    private static CustomerKey? KeyToOpen(string? encryption, string? verifier, CustomerKey? given, string what, CofferException wrongKey)
    {
        if (encryption != ObjectEncryption.Customer)
        {
            return given is null
                ? null
                : throw new CofferException(ErrorCode.InvalidRequest, $"The encryption parameters are not applicable to this {what}.");
        }

        if (given is null)
        {
            throw new CofferException(ErrorCode.InvalidRequest,
                $"The {what} was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the {what}.");
        }

        return verifier is not null && given.Matches(verifier) ? given : throw wrongKey;
    }

    /// <summary>
    /// The key that reads a version: another key is AccessDenied (403), as S3 answers a read; a delete marker has no
    /// bytes and is answered as one.
    /// </summary>
    private static CustomerKey? KeyToOpen(Storage.Records.ObjectVersionRecord version, CustomerKey? given) =>
        version.IsDeleteMarker
            ? null
            : KeyToOpen(version.Encryption, version.KmsKeyId, given, "object",
                new CofferException(ErrorCode.AccessDenied, "The customer-provided key does not match the key the object was stored with."));

    /// <summary>The key a part of an upload is written with: another key than the initiation's is InvalidRequest (400), as in S3.</summary>
    private static CustomerKey? KeyToOpen(Storage.Records.MultipartUploadRecord upload, CustomerKey? given) =>
        KeyToOpen(upload.Encryption, upload.KmsKeyId, given, "upload",
            new CofferException(ErrorCode.InvalidRequest, "The provided encryption parameters did not match the ones used originally."));

    /// <summary>
    /// Checks a key that is optional on a request about an upload (ListParts, CompleteMultipartUpload): one given must be
    /// the upload's. Answered without it, an SSE-C upload's answer leaves out its plaintext checksums and CRC-64.
    /// </summary>
    private static void CheckOptionalKey(Storage.Records.MultipartUploadRecord upload, CustomerKey? given)
    {
        if (given is not null)
        {
            KeyToOpen(upload, given);
        }
    }

    /// <summary>
    /// The ETag of a staged body: its MD5, or, under a customer key, a keyed digest of it (S3's ETag of an SSE-C object
    /// is not the MD5 of its plaintext, which would let anyone test a guess of the content).
    /// </summary>
    private static string ETagOf(StagedBlob staged, CustomerKey? customerKey) =>
        Hex.Lower(customerKey is null ? staged.Md5 : customerKey.MaskDigest(staged.Md5));
}
