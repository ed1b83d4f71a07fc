using System.Security.Cryptography;
using System.Text;

namespace Coffer.Storage.Encryption;

/// <summary>
/// A customer-provided key (SSE-C): 32 bytes a request carries and Coffer never stores. What is stored instead is a
/// <see cref="NewVerifier">verifier</see> (a random salt and HMAC-SHA-256 of it under the key) that tells a later
/// request's key right from wrong, and, for each blob, a random salt from which the blob's data key is derived
/// (HKDF-SHA-256 of the customer key, that salt and the blob id): without the key the blob cannot be decrypted, and the
/// metadata holds nothing that opens it.
/// </summary>
public sealed class CustomerKey
{
    public const int KeySize = 32;

    /// <summary>The first byte of a blob's key entry (<see cref="Records.BlobSegment.WrappedKey"/>) when it is derived from a customer key.</summary>
    internal const byte DerivedFormat = 2;

    private const int SaltSize = 16;
    private const int VerifierSize = SaltSize + 32;

    private readonly byte[] _key;

    private CustomerKey(byte[] key) => _key = key;

    /// <summary>The key from its 32 bytes; null for any other length.</summary>
    public static CustomerKey? From(ReadOnlySpan<byte> key) => key.Length == KeySize ? new CustomerKey(key.ToArray()) : null;

    /// <summary>A fresh verifier of this key, in base64, to store with an object or an upload.</summary>
    public string NewVerifier()
    {
        var verifier = new byte[VerifierSize];
        RandomNumberGenerator.Fill(verifier.AsSpan(0, SaltSize));
        Authenticate(verifier.AsSpan(0, SaltSize), verifier.AsSpan(SaltSize));
        return Convert.ToBase64String(verifier);
    }

    /// <summary>Whether this is the key <paramref name="verifier"/> (from <see cref="NewVerifier"/>) was made with.</summary>
    public bool Matches(string verifier)
    {
        Span<byte> stored = stackalloc byte[VerifierSize];
        if (!Convert.TryFromBase64String(verifier, stored, out var written) || written != VerifierSize)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        Authenticate(stored[..SaltSize], expected);
        return CryptographicOperations.FixedTimeEquals(expected, stored[SaltSize..]);
    }

    /// <summary>
    /// The ETag of an object or part written with this key: S3's ETag of an SSE-C object is not the MD5 of its
    /// plaintext, which would let anyone without the key test a guess of the content.
    /// </summary>
    public byte[] MaskDigest(ReadOnlySpan<byte> md5)
    {
        var label = "coffer sse-c etag"u8;
        Span<byte> input = stackalloc byte[label.Length + md5.Length];
        label.CopyTo(input);
        md5.CopyTo(input[label.Length..]);
        return HMACSHA256.HashData(_key, input)[..16];
    }

    /// <summary>A new blob's data key and the entry that is stored in its place (the format byte and the salt).</summary>
    internal (byte[] DataKey, byte[] Entry) NewDataKey(string blobId)
    {
        var entry = new byte[1 + SaltSize];
        entry[0] = DerivedFormat;
        RandomNumberGenerator.Fill(entry.AsSpan(1));
        return (Derive(entry.AsSpan(1), blobId), entry);
    }

    /// <summary>The data key of <paramref name="blobId"/> from its stored entry.</summary>
    internal byte[] DataKeyOf(ReadOnlySpan<byte> entry, string blobId) =>
        entry.Length == 1 + SaltSize && entry[0] == DerivedFormat
            ? Derive(entry[1..], blobId)
            : throw new BlobIntegrityException($"The key entry of blob {blobId} is not one derived from a customer key.");

    private byte[] Derive(ReadOnlySpan<byte> salt, string blobId)
    {
        var dataKey = new byte[KeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, dataKey, salt, Encoding.ASCII.GetBytes("coffer sse-c blob " + blobId));
        return dataKey;
    }

    private void Authenticate(ReadOnlySpan<byte> salt, Span<byte> destination)
    {
        var label = "coffer sse-c verify"u8;
        Span<byte> input = stackalloc byte[SaltSize + label.Length];
        salt.CopyTo(input);
        label.CopyTo(input[SaltSize..]);
        HMACSHA256.HashData(_key, input, destination);
    }
}
