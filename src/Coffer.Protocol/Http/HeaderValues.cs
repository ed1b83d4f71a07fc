using System.Text;

namespace Coffer.Protocol.Http;

/// <summary>
/// What an HTTP header value can carry. Requests reach us with control characters that a response cannot send
/// (Kestrel refuses them, as RFC 9110 says), so a stored value is written back the way S3 writes such metadata: as an
/// RFC 2047 encoded word, <c>=?UTF-8?Q?...?=</c>, which clients decode (boto's <c>decode_header</c>, say).
/// </summary>
public static class HeaderValues
{
    /// <summary>How many bytes of user metadata a request may carry, names and values in UTF-8 (S3's and COS's 2 KiB).</summary>
    public const int MaxUserMetadataBytes = 2048;

    /// <summary>True when <paramref name="value"/> has a character no header value may carry: C0 controls but tab, and DEL.</summary>
    public static bool HasControlCharacters(string value)
    {
        foreach (var c in value)
        {
            if (IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><paramref name="value"/> as it can be sent: unchanged, or an RFC 2047 Q-encoded word when it has control characters.</summary>
    public static string ForResponse(string value) => HasControlCharacters(value) ? EncodedWord(value) : value;

    private static bool IsControl(char c) => (c < 0x20 && c != '\t') || c == 0x7F;

    private static string EncodedWord(string value)
    {
        var text = new StringBuilder("=?UTF-8?Q?");
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is > 0x20 and < 0x7F and not (byte)'=' and not (byte)'?' and not (byte)'_')
            {
                text.Append((char)b);
            }
            else if (b == 0x20)
            {
                text.Append('_');
            }
            else
            {
                text.Append('=').Append(b.ToString("X2"));
            }
        }

        return text.Append("?=").ToString();
    }
}
