using Coffer.Common;
using Coffer.Storage.Encryption;

namespace Coffer.Model.Objects;

/// <summary>
/// How an object is encrypted at rest: <see cref="Aes256"/> (SSE-COS, SSE-S3) or <see cref="Kms"/> (SSE-KMS) with the
/// key id the client named. Both are AES-256-GCM under the server's master key: Coffer has no KMS, so a KMS key id is
/// recorded and returned, never used.
/// </summary>
public sealed record ObjectEncryption(string Algorithm, string? KmsKeyId = null)
{
    public const string Aes256 = "AES256";
    public const string Kms = "aws:kms";

    /// <summary>
    /// SSE-C: the blobs are encrypted with keys derived from a key the client sends with every request. The key is never
    /// stored; <see cref="KmsKeyId"/> (the record's key id slot) then holds its salted verifier (<see cref="CustomerKey.NewVerifier"/>).
    /// </summary>
    public const string Customer = "SSE-C";

    /// <summary>The encryption of an object or upload written with a customer-provided key.</summary>
    public static ObjectEncryption ForCustomer(CustomerKey key) => new(Customer, key.NewVerifier());

    /// <summary>The encryption a request names, or null for none; InvalidArgument for what is not one.</summary>
    public static ObjectEncryption? From(string? algorithm, string? kmsKeyId)
    {
        if (algorithm is null)
        {
            return kmsKeyId is null
                ? null
                : throw new CofferException(ErrorCode.InvalidArgument, "A KMS key id needs server-side encryption aws:kms.");
        }

        if (algorithm is not (Aes256 or Kms))
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"The encryption method specified is not supported: '{algorithm}'.");
        }

        if (kmsKeyId is not null && algorithm != Kms)
        {
            throw new CofferException(ErrorCode.InvalidArgument, "A KMS key id can only be used with aws:kms.");
        }

        // Answered in a header on every read of the object: a character no header can carry would fail them all.
        if (kmsKeyId is not null && !kmsKeyId.All(c => c is >= ' ' and <= '~'))
        {
            throw new CofferException(ErrorCode.InvalidArgument, "A KMS key id must be printable ASCII.");
        }

        return new ObjectEncryption(algorithm, kmsKeyId is { Length: > 0 } ? kmsKeyId : null);
    }
}
