using System.Buffers.Binary;
using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Common.IO;

namespace Coffer.Model.Multipart;

/// <summary>
/// Passes bytes through while computing one of S3's flexible checksums over them (<c>CRC32</c>, <c>CRC32C</c>,
/// <c>CRC64NVME</c>, <c>SHA1</c>, <c>SHA256</c>): what a part copied from another object carries in its upload's
/// algorithm, as S3 computes it for UploadPartCopy.
/// </summary>
internal sealed class PartChecksumStream(Stream inner, string algorithm) : ForwardReadStream
{
    private readonly Crc32? _crc32 = algorithm switch
    {
        "CRC32" => Crc32.CreateIeee(),
        "CRC32C" => Crc32.CreateCastagnoli(),
        _ => null,
    };

    private readonly Crc64? _crc64 = algorithm == "CRC64NVME" ? new Crc64(Crc64.Nvme) : null;

    private readonly IncrementalHash? _hash = algorithm switch
    {
        "SHA1" => IncrementalHash.CreateHash(HashAlgorithmName.SHA1),
        "SHA256" => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
        _ => null,
    };

    /// <summary>The base64 of the big-endian checksum of everything read so far.</summary>
    public string Value()
    {
        if (_crc32 is not null)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, _crc32.Value);
            return Convert.ToBase64String(bytes);
        }

        if (_crc64 is not null)
        {
            var bytes = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, _crc64.Value);
            return Convert.ToBase64String(bytes);
        }

        return Convert.ToBase64String(_hash!.GetCurrentHash());
    }

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Append(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Append(buffer.Span[..read]);
        return read;
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        _crc32?.Append(data);
        _crc64?.Append(data);
        _hash?.AppendData(data);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash?.Dispose();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
