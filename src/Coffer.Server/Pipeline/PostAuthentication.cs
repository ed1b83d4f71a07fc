using Coffer.Common;
using Coffer.Model.Accounts;
using Coffer.Protocol.Auth;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;

namespace Coffer.Server.Pipeline;

/// <summary>
/// A browser form upload carries its credentials in its fields, signing its policy rather than the request: S3's SigV4
/// (<c>x-amz-algorithm</c>, <c>x-amz-credential</c>, <c>x-amz-date</c>, <c>x-amz-signature</c>) or COS's form signature
/// (<c>q-sign-algorithm</c>, <c>q-ak</c>, <c>q-key-time</c>, <c>q-signature</c>). A form with neither is anonymous. The
/// policy, when there is one, is checked either way; its size range is enforced on the file as it streams.
/// </summary>
internal sealed partial class Authenticator
{
    // Fields S3 does not ask the policy to name: the signature, the policy itself, the file, and x-ignore-* fields.
    private static bool IsExemptFromS3Policy(string field) =>
        field is "x-amz-signature" or "policy" or "file" || field.StartsWith("x-ignore-", StringComparison.Ordinal);

    public Authenticated AuthenticatePost(PostForm form, string bucket, string key)
    {
        var fileBody = form.File ?? throw new CofferException(ErrorCode.IncorrectNumberOfFilesInPostRequest);
        var policyField = form.Field("policy");
        var policy = policyField is null ? null : PostPolicy.Parse(policyField);
        Credential? credential = null;
        string? region = null;
        if (form.Dialect == Dialect.S3)
        {
            if (form.Field("AWSAccessKeyId") is not null)
            {
                throw new CofferException(ErrorCode.NotImplemented, "Signature Version 2 is not implemented; sign the form with x-amz-algorithm AWS4-HMAC-SHA256.");
            }

            if (form.Field("x-amz-signature") is not null || form.Field("x-amz-credential") is not null)
            {
                (credential, region) = VerifyS3(form, policyField);
            }
        }
        else if (form.Field("q-signature") is not null || form.Field("q-ak") is not null)
        {
            credential = VerifyCos(form, policy);
        }

        var fields = form.Fields.ToDictionary(f => f.Key.ToLowerInvariant(), f => f.Value, StringComparer.Ordinal);
        fields["bucket"] = bucket;
        fields["key"] = key;
        if (form.Dialect == Dialect.Cos && form.Field("q-key-time") is { } keyTime)
        {
            // COS policies name the signature's window as q-sign-time; forms send it as q-key-time.
            fields.TryAdd("q-sign-time", keyTime);
        }

        policy?.Check(fields, time.GetUtcNow(), form.Dialect == Dialect.S3 ? IsExemptFromS3Policy : null);

        var file = new PostFileStream(fileBody, policy?.LengthRange?.Min, policy?.LengthRange?.Max);
        var checksum = FlexibleChecksum.ForBody(form.Fields);
        return new Authenticated(credential, VerifyingStream.Wrap(file, null, checksum), null, region);
    }

    private (Credential, string) VerifyS3(PostForm form, string? policy)
    {
        var algorithm = Required(form, "x-amz-algorithm");
        if (algorithm != SigV4.Algorithm)
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"The x-amz-algorithm '{algorithm}' is not supported; use {SigV4.Algorithm}.");
        }

        var scope = Required(form, "x-amz-credential").Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request" || scope[1].Length != 8 || scope[3] != SigV4.S3Service)
        {
            throw new CofferException(ErrorCode.InvalidArgument, "x-amz-credential must be <access key>/<yyyyMMdd>/<region>/s3/aws4_request.");
        }

        Required(form, "x-amz-date");
        var signature = Required(form, "x-amz-signature");
        policy ??= Required(form, "policy");
        var credential = FindCredential(scope[0]);
        if (!PostSignature.Matches(PostSignature.S3(credential.SecretKey, scope[1], scope[2], scope[3], policy), signature))
        {
            throw new CofferException(ErrorCode.SignatureDoesNotMatch);
        }

        CheckSession(credential, form.Field("x-amz-security-token"));
        return (credential, scope[2]);
    }

    private Credential VerifyCos(PostForm form, PostPolicy? policy)
    {
        if (form.Field("q-sign-algorithm") is { } algorithm && algorithm != "sha1")
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"The q-sign-algorithm '{algorithm}' is not supported; use sha1.");
        }

        var secretId = Required(form, "q-ak");
        var keyTime = Required(form, "q-key-time");
        var signature = Required(form, "q-signature");
        policy ??= PostPolicy.Parse(Required(form, "policy"));
        CosSignatureVerifier.CheckWindow(new CosAuthorization(secretId, keyTime, keyTime, [], [], signature), time.GetUtcNow());
        var credential = FindCredential(secretId);
        if (!PostSignature.Matches(PostSignature.Cos(credential.SecretKey, keyTime, policy.Text), signature))
        {
            throw new CofferException(ErrorCode.SignatureDoesNotMatch);
        }

        CheckSession(credential, form.Field("x-cos-security-token"));
        return credential;
    }

    private static string Required(PostForm form, string field) =>
        form.Field(field) is { Length: > 0 } value
            ? value
            : throw new CofferException(ErrorCode.InvalidArgument, $"Bucket POST must contain a field named '{field}'.  If it is specified, please check the order of the fields.");
}
