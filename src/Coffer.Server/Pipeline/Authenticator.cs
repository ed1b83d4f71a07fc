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
/// or checked against a flexible checksum header. Anonymous and badly signed requests are refused.
/// </summary>
internal sealed class Authenticator(AccountDirectory accounts, TimeProvider time)
{
    public Authenticated Authenticate(HttpRequest request, RequestTarget target, Route route, Func<string, string?> header) =>
        route.Dialect == Dialect.S3 ? AuthenticateS3(request, target, header) : AuthenticateCos(request, target, header);

    private Authenticated AuthenticateCos(HttpRequest request, RequestTarget target, Func<string, string?> header)
    {
        var authorization = CosAuthorization.From(header("Authorization"), target)
            ?? throw new CofferException(ErrorCode.AccessDenied, "Access Denied. The request carries no signature.");
        var account = FindAccount(authorization.SecretId);
        CosSignatureVerifier.CheckWindow(authorization, time.GetUtcNow());
        if (!CosSignatureVerifier.Verify(authorization, request.Method, target, header, account.SecretKey))
        {
            throw new CofferException(ErrorCode.SignatureDoesNotMatch);
        }

        return new Authenticated(account, request.Body, request.ContentLength);
    }

    private Authenticated AuthenticateS3(HttpRequest request, RequestTarget target, Func<string, string?> header)
    {
        var authorization = SigV4Authorization.From(header("Authorization"), target, header)
            ?? throw new CofferException(ErrorCode.AccessDenied, "Access Denied. The request carries no signature.");
        var account = FindAccount(authorization.AccessKeyId);
        SigV4Verifier.CheckTime(authorization, time.GetUtcNow());
        var payloadHash = SigV4Verifier.PayloadHash(authorization, header);
        if (!SigV4Verifier.Verify(authorization, request.Method, target, header, payloadHash, account.SecretKey, out var signingKey))
        {
            throw new CofferException(ErrorCode.SignatureDoesNotMatch);
        }

        if (payloadHash.StartsWith("STREAMING-", StringComparison.Ordinal))
        {
            var signed = payloadHash is SigV4.StreamingSigned or SigV4.StreamingSignedTrailer;
            if (!signed && payloadHash != SigV4.StreamingUnsignedTrailer)
            {
                throw new CofferException(ErrorCode.InvalidArgument, $"x-amz-content-sha256 '{payloadHash}' is not supported.");
            }

            long? decodedLength = long.TryParse(header("x-amz-decoded-content-length"), out var decoded) && decoded >= 0 ? decoded : null;
            var trailer = header("x-amz-trailer") is { Length: > 0 } trailerName ? FlexibleChecksum.ForHeader(trailerName) : null;
            var options = new AwsChunkedOptions(signed ? signingKey : null, authorization.AmzDate, authorization.Scope,
                authorization.Signature, trailer, decodedLength, payloadHash == SigV4.StreamingSignedTrailer);
            return new Authenticated(account, new AwsChunkedStream(request.Body, options), decodedLength);
        }

        string? expectedSha256 = null;
        if (payloadHash != SigV4.UnsignedPayload)
        {
            expectedSha256 = payloadHash.Length == 64 && payloadHash.All(char.IsAsciiHexDigit)
                ? payloadHash
                : throw new CofferException(ErrorCode.InvalidArgument, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING- value or a SHA-256 in hex.");
        }

        var checksum = FlexibleChecksum.FromHeaders(request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString())));
        return new Authenticated(account, VerifyingStream.Wrap(request.Body, expectedSha256, checksum), request.ContentLength);
    }

    private Account FindAccount(string secretId) =>
        accounts.FindBySecretId(secretId)
            ?? throw new CofferException(ErrorCode.InvalidAccessKeyId, "The access key id you provided does not exist in our records.");
}
