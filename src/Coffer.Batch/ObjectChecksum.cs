using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Coffer.Common;

namespace Coffer.Batch;

/// <summary>
/// Checksums of a whole object, as S3 writes them (the base64 of the big-endian digest: CRC32, CRC32C, CRC64NVME, SHA1,
/// SHA256) and as COS writes its CRC-64/XZ (<c>CRC64</c>: an unsigned decimal, as in <c>x-cos-hash-crc64ecma</c>).
/// </summary>
internal static class ObjectChecksum
{
    public static string Compute(string algorithm, Stream stream)
    {
        var buffer = new byte[1 << 16];
        switch (algorithm)
        {
            case "CRC32" or "CRC32C":
                var crc32 = algorithm == "CRC32" ? Crc32.CreateIeee() : Crc32.CreateCastagnoli();
                Feed(stream, buffer, crc32.Append);
                var digest = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(digest, crc32.Value);
                return Convert.ToBase64String(digest);
            case "CRC64NVME" or "CRC64":
                var crc64 = new Crc64(algorithm == "CRC64" ? Crc64.Xz : Crc64.Nvme);
                Feed(stream, buffer, crc64.Append);
                if (algorithm == "CRC64")
                {
                    return crc64.Value.ToString(CultureInfo.InvariantCulture);
                }

                var wide = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(wide, crc64.Value);
                return Convert.ToBase64String(wide);
            default:
                using (var hash = IncrementalHash.CreateHash(algorithm == "SHA1" ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256))
                {
                    Feed(stream, buffer, hash.AppendData);
                    return Convert.ToBase64String(hash.GetHashAndReset());
                }
        }
    }

    private delegate void Append(ReadOnlySpan<byte> data);

    private static void Feed(Stream stream, byte[] buffer, Append append)
    {
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            append(buffer.AsSpan(0, read));
        }
    }
}
