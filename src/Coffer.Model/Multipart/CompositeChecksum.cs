using System.Buffers.Binary;
using System.Security.Cryptography;
using Coffer.Common;

namespace Coffer.Model.Multipart;

/// <summary>
/// S3's composite checksum of a multipart object: the checksum, in the upload's algorithm, of the parts' binary
/// checksums concatenated in part order, in base64, then <c>-</c> and the part count (<c>CRC32</c> of parts
/// <c>AAAAAA==</c> and <c>BBBBBB==</c> is <c>base64(crc32(0x00000000 || 0x04104104))-2</c>).
/// </summary>
public static class CompositeChecksum
{
    /// <summary>Says how an object's checksum was made: <c>COMPOSITE</c> for a multipart object's.</summary>
    public const string TypeHeader = "x-amz-checksum-type";

    /// <summary>The algorithms a multipart upload can be initiated with, as S3 names them.</summary>
    public static IReadOnlyList<string> Algorithms { get; } = ["CRC32", "CRC32C", "SHA1", "SHA256"];

    /// <summary>The header a checksum in <paramref name="algorithm"/> travels in: <c>x-amz-checksum-crc32</c>, ...</summary>
    public static string HeaderName(string algorithm) => "x-amz-checksum-" + algorithm.ToLowerInvariant();

    /// <summary>The composite checksum of <paramref name="partChecksums"/> (base64 each, in part order).</summary>
    public static string Of(string algorithm, IReadOnlyList<string> partChecksums)
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
}
