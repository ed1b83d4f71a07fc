using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Common.IO;

namespace Coffer.Protocol.Http;

/// <summary>
/// Passes a body through while hashing it, and fails at the end when it does not match what the client declared:
/// the SHA-256 that SigV4 signed (<c>x-amz-content-sha256</c>) or a flexible checksum header. The failure surfaces
/// before the reader sees end-of-stream, so nothing is committed.
/// </summary>
public sealed class VerifyingStream : ForwardReadStream, IVerifiedChecksum
{
    private readonly Stream _inner;
    private readonly IncrementalHash? _sha256;
    private readonly string? _expectedSha256;
    private readonly FlexibleChecksum? _checksum;
    private readonly string? _expectedChecksum;
    private bool _verified;

    private VerifyingStream(Stream inner, string? expectedSha256, FlexibleChecksum? checksum, string? expectedChecksum)
    {
        _inner = inner;
        _expectedSha256 = expectedSha256;
        _sha256 = expectedSha256 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _checksum = checksum;
        _expectedChecksum = expectedChecksum;
    }

    /// <summary>Wraps <paramref name="inner"/> when there is something to verify; returns it as it is otherwise.</summary>
    public static Stream Wrap(Stream inner, string? expectedSha256Hex, (FlexibleChecksum Checksum, string Expected)? checksum) =>
        expectedSha256Hex is null && checksum is null
            ? inner
            : new VerifyingStream(inner, expectedSha256Hex?.ToLowerInvariant(), checksum?.Checksum, checksum?.Expected);

    public KeyValuePair<string, string>? VerifiedChecksum { get; private set; }

    public override int Read(Span<byte> buffer) => Observe(buffer, _inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken);
        return Observe(buffer.Span, read);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256?.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Observe(Span<byte> buffer, int read)
    {
        if (read > 0)
        {
            _sha256?.AppendData(buffer[..read]);
            _checksum?.Append(buffer[..read]);
            return read;
        }

        if (!_verified)
        {
            _verified = true;
            if (_sha256 is not null && Convert.ToHexStringLower(_sha256.GetHashAndReset()) != _expectedSha256)
            {
                throw new CofferException(ErrorCode.XAmzContentSha256Mismatch);
            }

            if (_checksum is not null)
            {
                _checksum.Verify(_expectedChecksum!);
                VerifiedChecksum = new(_checksum.HeaderName, _expectedChecksum!);
            }
        }

        return 0;
    }
}
