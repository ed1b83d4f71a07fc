using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coffer.Common;
using Coffer.Common.IO;
using Coffer.Protocol.Auth;

namespace Coffer.Protocol.Http;

/// <summary>What an <c>aws-chunked</c> body must prove as it is decoded.</summary>
/// <param name="SigningKey">The request's SigV4 key when chunks are signed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]); null when unsigned.</param>
/// <param name="AmzDate">The request's <c>x-amz-date</c>, part of every chunk's string to sign.</param>
/// <param name="Scope">The request's credential scope, likewise.</param>
/// <param name="SeedSignature">The request signature, which the first chunk signature chains from.</param>
/// <param name="TrailerChecksum">The checksum that <c>x-amz-trailer</c> announces, verified against the trailer value.</param>
/// <param name="DecodedLength">The <c>x-amz-decoded-content-length</c>, when given.</param>
/// <param name="SignedTrailer">True for STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: the body must end in a signed trailer.</param>
public sealed record AwsChunkedOptions(
    byte[]? SigningKey,
    string AmzDate,
    string Scope,
    string SeedSignature,
    FlexibleChecksum? TrailerChecksum,
    long? DecodedLength,
    bool SignedTrailer);

/// <summary>
/// Decodes an <c>aws-chunked</c> request body (<c>size[;chunk-signature=sig]\r\n data \r\n ... 0...\r\n trailers \r\n</c>),
/// checking every chunk signature, the trailer signature, the trailing checksum and the decoded length. Any
/// mismatch fails the read before end-of-stream, so the upload is never committed.
/// </summary>
public sealed class AwsChunkedStream : ForwardReadStream, IVerifiedChecksum
{
    private const int MaxLineLength = 4096;
    private const string SignatureExtension = "chunk-signature=";

    private readonly Stream _inner;
    private readonly AwsChunkedOptions _options;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private long _remainingInChunk;
    private long _decoded;
    private bool _done;
    private string _previousSignature;
    private string? _chunkSignature;
    private IncrementalHash? _chunkHash;

    public AwsChunkedStream(Stream inner, AwsChunkedOptions options)
    {
        _inner = inner;
        _options = options;
        _previousSignature = options.SeedSignature;
    }

    public KeyValuePair<string, string>? VerifiedChecksum { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!_done)
        {
            if (_remainingInChunk > 0)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    throw Incomplete("The body ended inside a chunk.");
                }

                var count = (int)Math.Min(Math.Min(buffer.Length, _end - _start), _remainingInChunk);
                var data = _buffer.AsSpan(_start, count);
                data.CopyTo(buffer.Span);
                _chunkHash?.AppendData(data);
                _options.TrailerChecksum?.Append(data);
                _start += count;
                _remainingInChunk -= count;
                _decoded += count;
                if (_remainingInChunk == 0)
                {
                    await ExpectLineEndAsync(cancellationToken);
                    VerifyChunkSignature();
                }

                return count;
            }

            await ReadChunkHeaderAsync(cancellationToken);
        }

        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _chunkHash?.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task ReadChunkHeaderAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken) ?? throw Incomplete("The body ended before its final chunk.");
        var semicolon = line.IndexOf(';', StringComparison.Ordinal);
        var sizeText = semicolon < 0 ? line : line[..semicolon];
        if (!long.TryParse(sizeText.Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
        {
            throw Incomplete($"'{line}' is not an aws-chunked chunk header.");
        }

        _chunkSignature = null;
        if (_options.SigningKey is not null)
        {
            var extension = semicolon < 0 ? "" : line[(semicolon + 1)..].Trim();
            if (!extension.StartsWith(SignatureExtension, StringComparison.Ordinal))
            {
                throw new CofferException(ErrorCode.SignatureDoesNotMatch, "A chunk of a signed aws-chunked body has no chunk-signature.");
            }

            _chunkSignature = extension[SignatureExtension.Length..];
            _chunkHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        if (size > 0)
        {
            _remainingInChunk = size;
            return;
        }

        VerifyChunkSignature();
        await ReadTrailersAsync(cancellationToken);
        if (_options.DecodedLength is { } expected && expected != _decoded)
        {
            throw Incomplete($"The body decoded to {_decoded} bytes where x-amz-decoded-content-length announced {expected}.");
        }

        _done = true;
    }

    private async Task ReadTrailersAsync(CancellationToken cancellationToken)
    {
        var trailers = new List<KeyValuePair<string, string>>();
        string? trailerSignature = null;
        while (await ReadLineAsync(cancellationToken) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw Incomplete($"'{line}' is not a trailer.");
            }

            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            if (name == "x-amz-trailer-signature")
            {
                trailerSignature = value;
            }
            else
            {
                trailers.Add(new(name, value));
            }
        }

        if (_options.SignedTrailer && trailers.Count == 0 && trailerSignature is null)
        {
            // A body cut after its last chunk would otherwise pass: the trailer is where its checksum and last signature are.
            throw Incomplete("The body ended after its last chunk, without the signed trailer its x-amz-content-sha256 promises.");
        }

        if (_options.SigningKey is not null && (trailers.Count > 0 || trailerSignature is not null))
        {
            var canonical = string.Concat(trailers.Select(t => $"{t.Key}:{t.Value}\n"));
            var stringToSign = SigV4.TrailerStringToSign(_options.AmzDate, _options.Scope, _previousSignature,
                SigV4.Sha256Hex(Encoding.UTF8.GetBytes(canonical)));
            if (trailerSignature is null || !SignatureEquals(SigV4.Sign(_options.SigningKey, stringToSign), trailerSignature))
            {
                throw new CofferException(ErrorCode.SignatureDoesNotMatch, "The trailer signature does not match.");
            }
        }

        if (_options.TrailerChecksum is { } checksum)
        {
            var expected = trailers.FirstOrDefault(t => t.Key == checksum.HeaderName).Value
                ?? throw new CofferException(ErrorCode.InvalidRequest, $"The body has no {checksum.HeaderName} trailer although x-amz-trailer announced it.");
            // A value that is no digest at all is the request's mistake, as S3 answers it; a digest that differs is BadDigest.
            if (!checksum.IsDigest(expected))
            {
                throw new CofferException(ErrorCode.InvalidRequest, $"Value for {checksum.HeaderName} trailing header is invalid.");
            }

            checksum.Verify(expected);
            VerifiedChecksum = new(checksum.HeaderName, expected);
        }
    }

    private void VerifyChunkSignature()
    {
        if (_options.SigningKey is null || _chunkHash is null)
        {
            return;
        }

        var stringToSign = SigV4.ChunkStringToSign(_options.AmzDate, _options.Scope, _previousSignature,
            Convert.ToHexStringLower(_chunkHash.GetHashAndReset()));
        var expected = SigV4.Sign(_options.SigningKey, stringToSign);
        if (_chunkSignature is null || !SignatureEquals(expected, _chunkSignature))
        {
            throw new CofferException(ErrorCode.SignatureDoesNotMatch, "A chunk signature does not match.");
        }

        _previousSignature = expected;
        _chunkHash.Dispose();
        _chunkHash = null;
    }

    private async Task ExpectLineEndAsync(CancellationToken cancellationToken)
    {
        if (await ReadLineAsync(cancellationToken) is not { Length: 0 })
        {
            throw Incomplete("A chunk is longer than its header says.");
        }
    }

    /// <summary>Reads up to CRLF (or LF); null at the end of the body.</summary>
    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                return line.Length == 0 ? null : line.ToString();
            }

            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var stop = newline < 0 ? _end : newline;
            line.Append(Encoding.ASCII.GetString(_buffer, _start, stop - _start));
            if (line.Length > MaxLineLength)
            {
                throw Incomplete("An aws-chunked header line is too long.");
            }

            if (newline >= 0)
            {
                _start = newline + 1;
                if (line.Length > 0 && line[^1] == '\r')
                {
                    line.Length--;
                }

                return line.ToString();
            }

            _start = _end;
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await _inner.ReadAsync(_buffer, cancellationToken);
        return _end > 0;
    }

    private static bool SignatureEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(actual.ToLowerInvariant()));

    private static CofferException Incomplete(string message) => new(ErrorCode.IncompleteBody, message);
}
