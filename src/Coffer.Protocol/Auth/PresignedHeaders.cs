using Coffer.Common;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Auth;

/// <summary>
/// The <c>x-amz-*</c> headers a presigned URL carries in its query string. Presigners move ("hoist") them there so the
/// URL alone makes the request: @aws-sdk/s3-request-presigner moves every <c>x-amz-*</c> header but the encryption
/// ones (an ACL, metadata, tags, a storage class), and Java's v1 client adds <c>x-amz-acl</c> as a parameter. S3 reads
/// them as the headers they stand for; the signature covers them with the rest of the query.
/// </summary>
public static class PresignedHeaders
{
    /// <summary>
    /// The signature's own parameters, and the flexible checksums: S3 does not check a checksum in a presigned URL (its
    /// documentation says presigned URLs do not support them), and the JavaScript SDK presigns the checksum of an empty
    /// body into every PUT URL it makes, which would fail every upload through one.
    /// </summary>
    private static readonly HashSet<string> NotHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
        "X-Amz-Security-Token", "X-Amz-Content-Sha256", "x-amz-sdk-checksum-algorithm", "x-amz-checksum-crc32",
        "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme", "x-amz-checksum-sha1", "x-amz-checksum-sha256",
    };

    /// <summary>Whether a request is signed in its query string with SigV4, so that its query's headers count.</summary>
    public static bool IsQuerySigned(RequestTarget target, string? authorizationHeader) =>
        string.IsNullOrEmpty(authorizationHeader) && target.Has("X-Amz-Algorithm");

    /// <summary>Whether the query carries <paramref name="name"/> as a header.</summary>
    public static bool Carries(RequestTarget target, string name)
    {
        foreach (var parameter in target.Query)
        {
            if (parameter.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && IsHeader(parameter.Name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The headers in the query, first value of each name. A value must be one a header line could carry: the
    /// stored metadata and the answers that repeat it are headers again.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> Of(RequestTarget target)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in target.Query)
        {
            if (!IsHeader(parameter.Name) || !seen.Add(parameter.Name))
            {
                continue;
            }

            foreach (var c in parameter.Value)
            {
                if (c is < ' ' or > '~' && c != '\t')
                {
                    throw new CofferException(ErrorCode.InvalidArgument,
                        $"The query parameter {parameter.Name} stands for a header, and a header's value must be printable ASCII.");
                }
            }

            yield return new(parameter.Name.ToLowerInvariant(), parameter.Value);
        }
    }

    private static bool IsHeader(string name) =>
        name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) && name.Length > "x-amz-".Length && !NotHeaders.Contains(name);
}
