using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Coffer.Common;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Auth;

/// <summary>AWS Signature Version 4 as S3 uses it: canonical request, string to sign, signing key, chunk and trailer signatures.</summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The service every S3 signature is scoped to (S3 Control's too).</summary>
    public const string S3Service = "s3";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string StreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public const string StreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    public const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    public const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    // One per thread: hashing the canonical request as it is built, without a canonical request string.
    [ThreadStatic]
    private static IncrementalHash? _canonicalHash;

    public static byte[] SigningKey(string secretKey, string date, string region, string service)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        return Hmac(key, "aws4_request");
    }

    /// <summary>The canonical URI: every path segment encoded once, <c>/</c> kept.</summary>
    public static string CanonicalUri(string decodedPath) => UrlEncoding.EncodePath(decodedPath);

    /// <summary>Parameters sorted by encoded name then value, the presigned signature itself left out.</summary>
    public static string CanonicalQuery(IReadOnlyCollection<QueryParameter> parameters) =>
        parameters.Count == 0 ? "" : string.Join('&', parameters
            .Where(p => p.Name != "X-Amz-Signature")
            .Select(p => (Name: UrlEncoding.Encode(p.Name), Value: UrlEncoding.Encode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));

    /// <summary>A header value as signed: trimmed, inner runs of spaces collapsed to one.</summary>
    public static string CanonicalHeaderValue(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var builder = new StringBuilder(trimmed.Length);
        var previousSpace = false;
        foreach (var c in trimmed)
        {
            if (c == ' ' && previousSpace)
            {
                continue;
            }

            previousSpace = c == ' ';
            builder.Append(c);
        }

        return builder.ToString();
    }

    public static string CanonicalRequest(
        string method,
        string canonicalUri,
        string canonicalQuery,
        IReadOnlyList<KeyValuePair<string, string>> signedHeaders,
        string payloadHash)
    {
        var builder = new StringBuilder();
        builder.Append(method).Append('\n').Append(canonicalUri).Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in signedHeaders)
        {
            builder.Append(name).Append(':').Append(CanonicalHeaderValue(value)).Append('\n');
        }

        builder.Append('\n').Append(string.Join(';', signedHeaders.Select(h => h.Key))).Append('\n').Append(payloadHash);
        return builder.ToString();
    }

    /// <summary>
    /// Whether <paramref name="signature"/> is the SigV4 signature of the request these parts describe: what <see cref="Sign"/>
    /// of <see cref="StringToSign"/> of <see cref="CanonicalRequest"/> gives, but the canonical request is hashed as it is
    /// built and the string to sign signed from a buffer, so neither they nor the signature's hex become strings.
    /// </summary>
    public static bool Matches(string signature, byte[] signingKey, string amzDate, string scope, string method, string canonicalUri,
        string canonicalQuery, IReadOnlyList<KeyValuePair<string, string>> signedHeaders, string payloadHash)
    {
        Span<byte> digest = stackalloc byte[32];
        var hash = _canonicalHash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            Append(hash, method, '\n');
            Append(hash, canonicalUri, '\n');
            Append(hash, canonicalQuery, '\n');
            foreach (var (name, value) in signedHeaders)
            {
                Append(hash, name, ':');
                Append(hash, CanonicalHeaderValue(value), '\n');
            }

            Append(hash, "", '\n');
            for (var i = 0; i < signedHeaders.Count; i++)
            {
                Append(hash, signedHeaders[i].Key, i == signedHeaders.Count - 1 ? '\n' : ';');
            }

            if (signedHeaders.Count == 0)
            {
                Append(hash, "", '\n');
            }

            Append(hash, payloadHash, null);
            hash.GetHashAndReset(digest);
        }
        catch
        {
            // A hash left holding part of this request would make the next check on this thread fail.
            _canonicalHash = null;
            hash.Dispose();
            throw;
        }

        // The string to sign: the algorithm, the date, the scope and the canonical request's hash, a line each.
        var length = Algorithm.Length + amzDate.Length + scope.Length + 3 + 64;
        var rented = ArrayPool<char>.Shared.Rent(length);
        try
        {
            var text = rented.AsSpan(0, length);
            var at = Put(text, 0, Algorithm);
            at = Put(text, at, amzDate);
            at = Put(text, at, scope);
            Convert.TryToHexStringLower(digest, text[at..], out _);
            Span<byte> mac = stackalloc byte[32];
            HmacOf(signingKey, text, mac);
            Span<char> expected = stackalloc char[64];
            Convert.TryToHexStringLower(mac, expected, out _);
            return CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(expected), MemoryMarshal.AsBytes(signature.AsSpan()));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        static int Put(Span<char> text, int at, string value)
        {
            value.CopyTo(text[at..]);
            text[at + value.Length] = '\n';
            return at + value.Length + 1;
        }
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest))}";

    public static string ChunkStringToSign(string amzDate, string scope, string previousSignature, string chunkSha256) =>
        $"{Algorithm}-PAYLOAD\n{amzDate}\n{scope}\n{previousSignature}\n{EmptySha256}\n{chunkSha256}";

    public static string TrailerStringToSign(string amzDate, string scope, string previousSignature, string trailerSha256) =>
        $"{Algorithm}-TRAILER\n{amzDate}\n{scope}\n{previousSignature}\n{trailerSha256}";

    public static string Sign(byte[] signingKey, string stringToSign) => Convert.ToHexStringLower(Hmac(signingKey, stringToSign));

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static void HmacOf(byte[] key, ReadOnlySpan<char> text, Span<byte> mac)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var written = Encoding.UTF8.GetBytes(text, rented);
            HMACSHA256.HashData(key, rented.AsSpan(0, written), mac);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Hashes <paramref name="text"/> as UTF-8, then <paramref name="separator"/> when there is one.</summary>
    private static void Append(IncrementalHash hash, string text, char? separator)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length) + 1);
        try
        {
            var written = Encoding.UTF8.GetBytes(text, rented);
            if (separator is { } c)
            {
                rented[written++] = (byte)c;
            }

            hash.AppendData(rented, 0, written);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
