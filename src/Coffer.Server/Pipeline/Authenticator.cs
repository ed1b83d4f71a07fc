using Coffer.Common;
using Coffer.Model.Accounts;
using Coffer.Protocol.Auth;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;

namespace Coffer.Server.Pipeline;

/// <summary>Finds who signed a request. Anonymous and badly signed requests are refused.</summary>
internal sealed class Authenticator(AccountDirectory accounts, TimeProvider time)
{
    public Account Authenticate(string method, RequestTarget target, Route route, Func<string, string?> header)
    {
        if (route.Dialect == Dialect.S3)
        {
            throw new CofferException(ErrorCode.NotImplemented, "AWS signatures are not implemented yet; sign requests with COS q-sign.");
        }

        var authorization = CosAuthorization.From(header("Authorization"), target)
            ?? throw new CofferException(ErrorCode.AccessDenied, "Access Denied. The request carries no signature.");
        var account = accounts.FindBySecretId(authorization.SecretId)
            ?? throw new CofferException(ErrorCode.InvalidAccessKeyId, "The SecretId you provided does not exist in our records.");
        CosSignatureVerifier.CheckWindow(authorization, time.GetUtcNow());
        if (!CosSignatureVerifier.Verify(authorization, method, target, header, account.SecretKey))
        {
            throw new CofferException(ErrorCode.SignatureDoesNotMatch);
        }

        return account;
    }
}
