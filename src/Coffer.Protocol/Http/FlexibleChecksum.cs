using System.Buffers.Binary;
using System.Security.Cryptography;
using Coffer.Common;

namespace Coffer.Protocol.Http;

/// <summary>
/// One of S3's flexible checksums (<c>x-amz-checksum-crc32</c>, <c>-crc32c</c>, <c>-crc64nvme</c>, <c>-sha1</c>,
/// <c>-sha256</c>), computed incrementally; the value is the base64 of the big-endian digest.
/// </summary>
public sealed class FlexibleChecksum
{
    private const string HeaderPrefix = "x-amz-checksum-";

    private readonly Crc32? _crc32;
    private readonly Crc64? _crc64;
    private readonly IncrementalHash? _hash;

    private FlexibleChecksum(string algorithm)
    {
        Algorithm = algorithm;
        switch (algorithm)
        {
            case "crc32":
                _crc32 = Crc32.CreateIeee();
                break;
            case "crc32c":
                _crc32 = Crc32.CreateCastagnoli();
                break;
            case "crc64nvme":
                _crc64 = new Crc64(Crc64.Nvme);
                break;
            case "sha1":
                _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
                break;
            default:
                _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                break;
        }
    }

    /// <summary>Algorithms S3 offers that Coffer does not compute: NotImplemented, not refused as unknown.</summary>
    private static readonly string[] NotImplementedAlgorithms = ["sha512", "md5", "xxhash64", "xxhash3", "xxhash128"];

    /// <summary>Lower-case algorithm name: crc32, crc32c, crc64nvme, sha1 or sha256.</summary>
    public string Algorithm { get; }

    public string HeaderName => HeaderPrefix + Algorithm;

    /// <summary>The checksum named by a header such as <c>x-amz-checksum-crc32</c>; NotImplemented or InvalidRequest otherwise.</summary>
    public static FlexibleChecksum ForHeader(string headerName)
    {
        var name = headerName.Trim().ToLowerInvariant();
        if (name.StartsWith(HeaderPrefix, StringComparison.Ordinal))
        {
            var algorithm = name[HeaderPrefix.Length..];
            if (algorithm is "crc32" or "crc32c" or "crc64nvme" or "sha1" or "sha256")
            {
                return new FlexibleChecksum(algorithm);
            }

            RefuseNotImplemented(algorithm);
        }

        throw new CofferException(ErrorCode.InvalidRequest, $"The checksum '{headerName}' is not supported.");
    }

    /// <summary>NotImplemented for an algorithm S3 has and Coffer does not (SHA512, MD5, the XXHASHes); any case.</summary>
    public static void RefuseNotImplemented(string algorithm)
    {
        if (NotImplementedAlgorithms.Contains(algorithm.Trim().ToLowerInvariant()))
        {
            throw new CofferException(ErrorCode.NotImplemented, $"The {algorithm.Trim().ToUpperInvariant()} checksum is not implemented.");
        }
    }

    /// <summary>S3's words for a request with more than one checksum (headers, or a header and a trailer).</summary>
    public const string MultipleChecksums = "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.";

    /// <summary>
    /// The <c>x-amz-checksum-*</c> request header, if any (besides the algorithm, type and mode headers). Several are
    /// InvalidRequest, as S3 answers them: checking only one would let a wrong other one pass as checked.
    /// </summary>
    public static (FlexibleChecksum Checksum, string Expected)? FromHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        (FlexibleChecksum Checksum, string Expected)? found = null;
        foreach (var (name, value) in headers)
        {
            if (!name.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var lower = name.ToLowerInvariant();
            if (lower.StartsWith(HeaderPrefix, StringComparison.Ordinal) && lower is not "x-amz-checksum-algorithm" and not "x-amz-checksum-type"
                and not "x-amz-checksum-mode")
            {
                found = found is null
                    ? (ForHeader(lower), value.Trim())
                    : throw new CofferException(ErrorCode.InvalidRequest, MultipleChecksums);
            }
        }

        return found;
    }

    /// <summary>
    /// The checksum of a body, as <see cref="FromHeaders"/> finds it, whose value must be the base64 of a digest of the
    /// algorithm's length: anything else is InvalidRequest, as S3 answers it, not a BadDigest for bytes that were fine.
    /// </summary>
    public static (FlexibleChecksum Checksum, string Expected)? ForBody(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var found = FromHeaders(headers);
        if (found is var (checksum, expected) && !checksum.IsDigest(expected))
        {
            throw new CofferException(ErrorCode.InvalidRequest, $"Value for {checksum.HeaderName} header is invalid.");
        }

        return found;
    }

    /// <summary>The length of the algorithm's digest in bytes: 4 for the CRC32s, 8 for CRC64NVME, 20 for SHA1, 32 for SHA256.</summary>
    private int DigestLength => _crc32 is not null ? 4 : _crc64 is not null ? 8 : Algorithm == "sha1" ? 20 : 32;

    /// <summary>Whether <paramref name="value"/> is the base64 of a digest of this algorithm's length (not whether it matches).</summary>
    public bool IsDigest(string value)
    {
        Span<byte> digest = stackalloc byte[48];
        return Convert.TryFromBase64String(value, digest, out var written) && written == DigestLength;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        _crc32?.Append(data);
        _crc64?.Append(data);
        _hash?.AppendData(data);
    }

    public string ValueBase64()
    {
        if (_crc32 is not null)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, _crc32.Value);
            return Convert.ToBase64String(bytes);
        }

        if (_crc64 is not null)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, _crc64.Value);
            return Convert.ToBase64String(bytes);
        }

        return Convert.ToBase64String(_hash!.GetHashAndReset());
    }

    /// <summary>Fails with BadDigest unless the data appended so far has the <paramref name="expected"/> checksum.</summary>
    public void Verify(string expected)
    {
        if (ValueBase64() != expected)
        {
            throw new CofferException(ErrorCode.BadDigest, $"The {Algorithm.ToUpperInvariant()} you specified did not match the calculated checksum.");
        }
    }
}
