using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Model.Accounts;

namespace Coffer.Testing;

/// <summary>
/// The fields of browser form uploads (POST Object) as an application server hands them to a page: a policy document
/// and its signature, S3's SigV4 or COS's form signature, computed here from the documented formulas.
/// </summary>
public static class PostForms
{
    /// <summary>Base64 of a policy document with <paramref name="conditions"/> (objects or arrays, serialized as given).</summary>
    public static string Policy(DateTimeOffset expiration, params object[] conditions) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["expiration"] = expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["conditions"] = conditions,
        })));

    /// <summary>
    /// S3's signed fields for <paramref name="bucket"/>: the conditions given plus the bucket and the x-amz-* fields,
    /// which S3 wants named by the policy, then the policy and its SigV4 signature (scoped to <paramref name="service"/>,
    /// which S3 names s3).
    /// </summary>
    public static List<KeyValuePair<string, string>> S3(
        string bucket, Account account, DateTimeOffset now, TimeSpan lifetime, IEnumerable<object> conditions, string region = TestServer.Region,
        string service = "s3")
    {
        var date = now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var credential = $"{account.SecretId}/{date}/{region}/{service}/aws4_request";
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var policy = Policy(now + lifetime, [
            new Dictionary<string, string> { ["bucket"] = bucket },
            new Dictionary<string, string> { ["x-amz-algorithm"] = "AWS4-HMAC-SHA256" },
            new Dictionary<string, string> { ["x-amz-credential"] = credential },
            new Dictionary<string, string> { ["x-amz-date"] = amzDate },
            .. conditions,
        ]);
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + account.SecretKey), date);
        foreach (var part in new[] { region, service, "aws4_request" })
        {
            key = Hmac(key, part);
        }

        return
        [
            new("x-amz-algorithm", "AWS4-HMAC-SHA256"),
            new("x-amz-credential", credential),
            new("x-amz-date", amzDate),
            new("policy", policy),
            new("x-amz-signature", Convert.ToHexStringLower(Hmac(key, policy))),
        ];
    }

    /// <summary>COS's signed fields: q-sign-algorithm, q-ak, q-key-time, the policy and q-signature.</summary>
    public static List<KeyValuePair<string, string>> Cos(
        string bucket, Account account, DateTimeOffset now, TimeSpan lifetime, IEnumerable<object> conditions, TimeSpan? keyLifetime = null)
    {
        var keyTime = $"{now.ToUnixTimeSeconds() - 60};{(now + (keyLifetime ?? lifetime)).ToUnixTimeSeconds()}";
        var policy = Policy(now + lifetime, [
            new Dictionary<string, string> { ["bucket"] = bucket },
            new Dictionary<string, string> { ["q-sign-algorithm"] = "sha1" },
            new Dictionary<string, string> { ["q-ak"] = account.SecretId },
            new Dictionary<string, string> { ["q-sign-time"] = keyTime },
            .. conditions,
        ]);
        var policyText = Encoding.UTF8.GetString(Convert.FromBase64String(policy));
#pragma warning disable CA5350 // COS defines its form signature on SHA-1.
        var signKey = Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(account.SecretKey), Encoding.UTF8.GetBytes(keyTime)));
        var stringToSign = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(policyText)));
        var signature = Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(signKey), Encoding.UTF8.GetBytes(stringToSign)));
#pragma warning restore CA5350
        return
        [
            new("q-sign-algorithm", "sha1"),
            new("q-ak", account.SecretId),
            new("q-key-time", keyTime),
            new("policy", policy),
            new("q-signature", signature),
        ];
    }

    /// <summary>A multipart/form-data body: the fields, then the file, then <paramref name="after"/> (which S3 ignores).</summary>
    public static MultipartFormDataContent Body(
        IEnumerable<KeyValuePair<string, string>> fields, byte[]? file, string fileName = "upload.bin",
        IEnumerable<KeyValuePair<string, string>>? after = null)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value, Encoding.UTF8), Quoted(name));
        }

        if (file is not null)
        {
            var content = new ByteArrayContent(file);
            content.Headers.ContentType = new("application/octet-stream");
            form.Add(content, "\"file\"", fileName);
        }

        foreach (var (name, value) in after ?? [])
        {
            form.Add(new StringContent(value, Encoding.UTF8), Quoted(name));
        }

        return form;
    }

    private static string Quoted(string value) => "\"" + value + "\"";

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
