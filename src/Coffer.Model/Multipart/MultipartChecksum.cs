using System.Buffers.Binary;
using System.Security.Cryptography;
using Coffer.Common;

namespace Coffer.Model.Multipart;

/// <summary>
/// The checksum S3 gives a multipart object, made of its parts' checksums in the upload's algorithm. <c>COMPOSITE</c>:
/// the checksum of the parts' binary checksums concatenated in part order, in base64, then <c>-</c> and the part count.
/// <c>FULL_OBJECT</c> (CRCs only): the CRC of the whole object, combined from the parts' CRCs and sizes without reading
/// the bytes again.
/// </summary>
public static class MultipartChecksum
{
    public const string Composite = "COMPOSITE";
    public const string FullObject = "FULL_OBJECT";

    /// <summary>Says how an object's checksum was made: <see cref="Composite"/> or <see cref="FullObject"/>.</summary>
    public const string TypeHeader = "x-amz-checksum-type";

    /// <summary>
    /// Where a completed object keeps its parts' checksums (base64, space-separated, in part order), so that GET and HEAD
    /// with <c>partNumber</c> can answer a part's own checksum as S3 does. Stored among the version's headers, never sent.
    /// </summary>
    public const string PartsHeader = "x-coffer-part-checksums";

    /// <summary>Part <paramref name="partNumber"/>'s checksum from the object's stored headers; null when it kept none.</summary>
    public static string? PartChecksum(IReadOnlyList<KeyValuePair<string, string>> headers, int partNumber)
    {
        var parts = PartChecksums(headers);
        return parts is not null && partNumber >= 1 && partNumber <= parts.Length ? parts[partNumber - 1] : null;
    }

    /// <summary>Every part's checksum, in part order, from the object's stored headers; null when it kept none.</summary>
    public static string[]? PartChecksums(IReadOnlyList<KeyValuePair<string, string>> headers) =>
        headers.FirstOrDefault(h => h.Key == PartsHeader).Value?.Split(' ');

    /// <summary>The algorithm of the checksum among an object's stored headers (<c>SHA256</c>, ...); null when it has none.</summary>
    public static string? AlgorithmOf(IReadOnlyList<KeyValuePair<string, string>> headers) =>
        Algorithms.FirstOrDefault(algorithm => headers.Any(h => h.Key == HeaderName(algorithm)));

    /// <summary>The checksum among an object's stored headers, its algorithm (<c>SHA256</c>, ...) and value; null when it has none.</summary>
    public static (string Algorithm, string Value)? StoredChecksum(IReadOnlyList<KeyValuePair<string, string>> headers) =>
        AlgorithmOf(headers) is { } algorithm ? (algorithm, headers.First(h => h.Key == HeaderName(algorithm)).Value) : null;

    /// <summary>
    /// The algorithm and type of an object's stored checksum, as listings name them; null when it has none. A checksum of
    /// the bytes as one (a single PUT's, a copy's) keeps no type and is FULL_OBJECT; a composite value that predates stored
    /// types ends in <c>-&lt;parts&gt;</c>.
    /// </summary>
    public static (string Algorithm, string Type)? StoredKind(IReadOnlyList<KeyValuePair<string, string>> headers) =>
        StoredChecksum(headers) is { } stored
            ? (stored.Algorithm, headers.FirstOrDefault(h => h.Key == TypeHeader).Value
                ?? (stored.Value.Contains('-', StringComparison.Ordinal) ? Composite : FullObject))
            : null;

    /// <summary>Whether a stored header says something of the object's checksum: its value, its type, its parts'.</summary>
    public static bool IsChecksumHeader(string name) => name.StartsWith("x-amz-checksum-", StringComparison.Ordinal) || name == PartsHeader;

    /// <summary>The algorithms a multipart upload can be initiated with, as S3 names them.</summary>
    public static IReadOnlyList<string> Algorithms { get; } = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

    /// <summary>The type S3 gives an algorithm when the initiation names none: full-object for CRC64NVME, which has no other.</summary>
    public static string DefaultType(string algorithm) => algorithm == "CRC64NVME" ? FullObject : Composite;

    /// <summary>Whether the pair is one S3 offers: full-object checksums are CRCs, and CRC64NVME is only full-object.</summary>
    public static bool IsOffered(string algorithm, string type) =>
        type == FullObject ? algorithm is "CRC32" or "CRC32C" or "CRC64NVME" : algorithm != "CRC64NVME";

    /// <summary>The header a checksum in <paramref name="algorithm"/> travels in: <c>x-amz-checksum-crc32</c>, ...</summary>
    public static string HeaderName(string algorithm) => "x-amz-checksum-" + algorithm.ToLowerInvariant();

    /// <summary>The object's checksum from its parts' (base64 each) and sizes, in part order.</summary>
    public static string Of(string algorithm, string type, IReadOnlyList<(string Checksum, long Size)> parts) =>
        type == FullObject ? FullObjectOf(algorithm, parts) : CompositeOf(algorithm, parts.Select(p => p.Checksum).ToArray());

    private static string CompositeOf(string algorithm, IReadOnlyList<string> partChecksums)
    {
        var joined = partChecksums.SelectMany(Convert.FromBase64String).ToArray();
        byte[] digest;
        switch (algorithm)
        {
            case "CRC32":
            case "CRC32C":
                var crc = algorithm == "CRC32" ? Crc32.CreateIeee() : Crc32.CreateCastagnoli();
                crc.Append(joined);
                digest = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(digest, crc.Value);
                break;
            case "SHA1":
                using (var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1))
                {
                    sha1.AppendData(joined);
                    digest = sha1.GetHashAndReset();
                }

                break;
            case "SHA256":
                digest = SHA256.HashData(joined);
                break;
            default:
                throw new ArgumentException($"No composite checksum for {algorithm}.", nameof(algorithm));
        }

        return $"{Convert.ToBase64String(digest)}-{partChecksums.Count}";
    }

    /// <summary>Each part's CRC shifted past the bytes after it and folded in: the CRC of the empty object (0) is the start.</summary>
    private static string FullObjectOf(string algorithm, IReadOnlyList<(string Checksum, long Size)> parts)
    {
        if (algorithm == "CRC64NVME")
        {
            var crc64 = 0UL;
            foreach (var (checksum, size) in parts)
            {
                crc64 = Crc64.Combine(crc64, BinaryPrimitives.ReadUInt64BigEndian(Convert.FromBase64String(checksum)), size, Crc64.Nvme);
            }

            var bytes = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, crc64);
            return Convert.ToBase64String(bytes);
        }

        var castagnoli = algorithm switch
        {
            "CRC32" => false,
            "CRC32C" => true,
            _ => throw new ArgumentException($"No full-object checksum for {algorithm}.", nameof(algorithm)),
        };
        var crc32 = 0u;
        foreach (var (checksum, size) in parts)
        {
            crc32 = Crc32.Combine(crc32, BinaryPrimitives.ReadUInt32BigEndian(Convert.FromBase64String(checksum)), size, castagnoli);
        }

        var digest = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(digest, crc32);
        return Convert.ToBase64String(digest);
    }
}
