using System.Security.Cryptography;
using System.Text;

namespace Coffer.Protocol.Auth;

#pragma warning disable CA5350 // The COS form signature is defined on SHA-1; the choice is COS's, not ours.

/// <summary>
/// The signatures of a browser form upload, both over the policy: S3's SigV4 signs the base64 <c>policy</c> field
/// itself with the day's signing key; COS's form signature is HMAC-SHA1, keyed by the hex HMAC-SHA1 of
/// <c>q-key-time</c>, over the hex SHA-1 of the decoded policy JSON.
/// </summary>
public static class PostSignature
{
    public static string S3(string secretKey, string date, string region, string service, string policyBase64) =>
        SigV4.Sign(SigV4.SigningKey(secretKey, date, region, service), policyBase64);

    public static string Cos(string secretKey, string keyTime, string policyText)
    {
        var signKey = CosSignature.SignKey(secretKey, keyTime);
        var stringToSign = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(policyText)));
        return Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(signKey), Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>Compares a sent signature with the expected one in constant time, ignoring hex case.</summary>
    public static bool Matches(string expected, string? sent) =>
        sent is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(sent.Trim().ToLowerInvariant()));
}
