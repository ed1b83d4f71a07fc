using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coffer.Common;
using Coffer.Model.Accounts;
using Coffer.Protocol.Auth;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Pipeline;

/// <summary>
/// Finds who signed a request (COS q-sign or AWS SigV4) and prepares its body: an S3 body is checked against the
/// SHA-256 it was signed with, decoded from aws-chunked with every chunk signature and trailing checksum verified,
/// or checked against a flexible checksum header. Badly signed requests are refused; a temporary key needs its
/// session token and must not have expired. A request with no signature at all is anonymous: what it may do is
/// for the <see cref="Authorizer"/> to say.
/// </summary>
internal sealed partial class Authenticator(IdentityDirectory identities, TimeProvider time)
{
    public Authenticated Authenticate(HttpRequest request, RequestTarget target, Route route, Func<string, string?> header) =>
        route.Dialect == Dialect.S3 ? AuthenticateS3(request, target, route, header) : AuthenticateCos(request, target, header);

    private Authenticated AuthenticateCos(HttpRequest request, RequestTarget target, Func<string, string?> header)
    {
        if (CosAuthorization.From(header("Authorization"), target) is not { } authorization)
        {
            return new Authenticated(null, request.Body, request.ContentLength);
        }

        var credential = FindCredential(authorization.SecretId);
        CosSignatureVerifier.CheckWindow(authorization, time.GetUtcNow());
        if (!CosSignatureVerifier.Verify(authorization, request.Method, target, header, credential.SecretKey))
        {
            throw new CofferException(ErrorCode.SignatureDoesNotMatch);
        }

        CheckSession(credential, header("x-cos-security-token") ?? target.Get("x-cos-security-token"));
        return new Authenticated(credential, request.Body, request.ContentLength, Presigned: string.IsNullOrEmpty(header("Authorization")));
    }

    private Authenticated AuthenticateS3(HttpRequest request, RequestTarget target, Route route, Func<string, string?> header)
    {
        if (SigV4Authorization.From(header("Authorization"), target, header) is not { } authorization)
        {
            // Anonymous: nothing to verify a signature with, but the body is still decoded and its checksums checked.
            return PrepareS3Body(null, request, route, header, header("x-amz-content-sha256") ?? SigV4.UnsignedPayload, null, null);
        }

        var credential = FindCredential(authorization.AccessKeyId);
        SigV4Verifier.CheckTime(authorization, time.GetUtcNow());
        var payloadHash = SigV4Verifier.PayloadHash(authorization, header);
        if (!SigV4Verifier.Verify(authorization, request.Method, target, header, payloadHash, credential.SecretKey, out var signingKey))
        {
            throw new CofferException(ErrorCode.SignatureDoesNotMatch);
        }

        SigV4Verifier.CheckAmzHeadersSigned(authorization,
            authorization.IsPresigned ? request.Headers.Keys.Where(name => !PresignedHeaders.Carries(target, name)) : request.Headers.Keys);
        CheckSession(credential, header("x-amz-security-token") ?? target.Get("X-Amz-Security-Token"));
        return PrepareS3Body(credential, request, route, header, payloadHash, authorization, signingKey) with
        {
            SignedRegion = authorization.Region,
            Presigned = authorization.IsPresigned,
        };
    }

    /// <summary>
    /// The body as the object's bytes: aws-chunked decoded (its chunk signatures checked when signed), or checked
    /// against the SHA-256 it was signed with; any flexible checksum checked either way.
    /// </summary>
    private static Authenticated PrepareS3Body(Credential? credential, HttpRequest request, Route route, Func<string, string?> header, string payloadHash,
        SigV4Authorization? authorization, byte[]? signingKey)
    {
        // A completion's x-amz-checksum-* header is the checksum of the object it makes, which the completion checks.
        var checksum = route.Operation == Operation.CompleteMultipartUpload ? null
            : FlexibleChecksum.ForBody(request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString())));
        if (payloadHash.StartsWith("STREAMING-", StringComparison.Ordinal))
        {
            var signed = payloadHash is SigV4.StreamingSigned or SigV4.StreamingSignedTrailer;
            if (!signed && payloadHash != SigV4.StreamingUnsignedTrailer)
            {
                throw new CofferException(ErrorCode.InvalidArgument, $"x-amz-content-sha256 '{payloadHash}' is not supported.");
            }

            if (signed && authorization is null)
            {
                throw new CofferException(ErrorCode.InvalidRequest, $"x-amz-content-sha256 '{payloadHash}' needs a signed request.");
            }

            // Without the decoded length the chunks' own framing ends the body (S3 asks for it; an SDK with a stream of
            // unknown length does not send it); one that is sent must be a length, not ignored.
            long? decodedLength = header("x-amz-decoded-content-length") switch
            {
                null => null,
                var text when long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var decoded) => decoded,
                var text => throw new CofferException(ErrorCode.InvalidArgument, $"x-amz-decoded-content-length '{text}' is not a length in bytes."),
            };
            var trailer = header("x-amz-trailer") is { Length: > 0 } trailerName ? FlexibleChecksum.ForHeader(trailerName) : null;
            if (trailer is not null && checksum is not null)
            {
                throw new CofferException(ErrorCode.InvalidRequest, FlexibleChecksum.MultipleChecksums);
            }

            CheckSdkAlgorithm(header, trailer ?? checksum?.Checksum);
            var options = new AwsChunkedOptions(signed ? signingKey : null, authorization?.AmzDate ?? "", authorization?.Scope ?? "",
                authorization?.Signature ?? "", trailer, decodedLength, payloadHash == SigV4.StreamingSignedTrailer);
            // A checksum in a header (no trailer) covers the decoded bytes, as it does a plain body.
            return new Authenticated(credential, VerifyingStream.Wrap(new AwsChunkedStream(request.Body, options), null, checksum), decodedLength);
        }

        string? expectedSha256 = null;
        if (payloadHash != SigV4.UnsignedPayload)
        {
            expectedSha256 = payloadHash.Length == 64 && payloadHash.All(char.IsAsciiHexDigit)
                ? payloadHash
                : throw new CofferException(ErrorCode.InvalidArgument, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING- value or a SHA-256 in hex.");
        }

        CheckSdkAlgorithm(header, checksum?.Checksum);
        return new Authenticated(credential, VerifyingStream.Wrap(request.Body, expectedSha256, checksum), request.ContentLength);
    }

    /// <summary>
    /// <c>x-amz-sdk-checksum-algorithm</c> names the checksum the SDK sent; one that names another algorithm than the
    /// header or trailer carries is InvalidRequest, as S3 answers it.
    /// </summary>
    private static void CheckSdkAlgorithm(Func<string, string?> header, FlexibleChecksum? sent)
    {
        if (header("x-amz-sdk-checksum-algorithm") is { } named && sent is not null
            && !named.Trim().Equals(sent.Algorithm, StringComparison.OrdinalIgnoreCase))
        {
            throw new CofferException(ErrorCode.InvalidRequest, "Value for x-amz-sdk-checksum-algorithm header is invalid.");
        }
    }

    private Credential FindCredential(string secretId) =>
        identities.Find(secretId)
            ?? throw new CofferException(ErrorCode.InvalidAccessKeyId, "The access key id you provided does not exist in our records.");

    /// <summary>A temporary key is good only with its session token (compared in constant time) and before it expires.</summary>
    private void CheckSession(Credential credential, string? token)
    {
        if (credential.SessionToken is not { } expected)
        {
            return;
        }

        if (token is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(expected)))
        {
            throw new CofferException(ErrorCode.InvalidToken, "The security token does not belong to this temporary key.");
        }

        if (credential.ExpiresAt is { } expires && time.GetUtcNow() >= expires)
        {
            throw new CofferException(ErrorCode.ExpiredToken, $"The temporary key expired at {expires:O}.");
        }
    }
}
