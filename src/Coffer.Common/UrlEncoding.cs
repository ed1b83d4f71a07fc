using System.Buffers;
using System.Text;

namespace Coffer.Common;

/// <summary>Percent-encoding as COS and S3 use it: UTF-8, upper-case hex, only <c>A-Z a-z 0-9 - _ . ~</c> left as they are.</summary>
public static class UrlEncoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private const string UnreservedCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
    private static readonly SearchValues<char> Unreserved = SearchValues.Create(UnreservedCharacters);

    // The same set as a table over ASCII: report writers test every character of millions of keys.
    private static readonly bool[] UnreservedAscii = Enumerable.Range(0, 128).Select(c => UnreservedCharacters.Contains((char)c)).ToArray();

    /// <summary>Encodes every byte outside the unreserved set (so <c>/</c> becomes <c>%2F</c>).</summary>
    public static string Encode(string value) => Encode(value, keepSlash: false);

    /// <summary>Encodes a key for a URL path or an <c>encoding-type=url</c> listing, keeping <c>/</c>.</summary>
    public static string EncodePath(string value) => Encode(value, keepSlash: true);

    /// <summary>
    /// Decodes percent escapes into UTF-8 text; with <paramref name="plusIsSpace"/> (query strings), <c>+</c> is a space.
    /// Malformed escapes or invalid UTF-8 fail with InvalidURI.
    /// </summary>
    public static string Decode(ReadOnlySpan<char> value, bool plusIsSpace)
    {
        if (value.IndexOfAny('%', '+') < 0)
        {
            return value.ToString();
        }

        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
        var length = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%')
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                {
                    throw new CofferException(ErrorCode.InvalidUri, "The request URI has a malformed percent escape.");
                }

                bytes[length++] = (byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]));
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                bytes[length++] = (byte)' ';
            }
            else
            {
                length += Encoding.UTF8.GetBytes(value.Slice(i, char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1), bytes.AsSpan(length));
                if (char.IsHighSurrogate(c))
                {
                    i++;
                }
            }
        }

        try
        {
            return StrictUtf8.GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException e)
        {
            throw new CofferException(ErrorCode.InvalidUri, "The request URI is not valid UTF-8.", e);
        }
    }

    /// <summary>The most bytes <see cref="EncodeTo"/> writes for <paramref name="chars"/> characters (three escapes per UTF-8 byte).</summary>
    public static int MaxEncodedLength(int chars) => chars * 9;

    /// <summary>
    /// Writes the encoding of <paramref name="value"/> as ASCII into <paramref name="destination"/>, which must hold
    /// <see cref="MaxEncodedLength"/> bytes; returns how many it wrote. Report writers encode straight into their buffers.
    /// </summary>
    public static int EncodeTo(ReadOnlySpan<char> value, Span<byte> destination, bool keepSlash = false)
    {
        var length = 0;
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if ((c < 128 && UnreservedAscii[c]) || (keepSlash && c == '/'))
            {
                destination[length++] = (byte)c;
                continue;
            }

            var charCount = char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1;
            var byteCount = Encoding.UTF8.GetBytes(value.Slice(i, charCount), utf8);
            for (var b = 0; b < byteCount; b++)
            {
                destination[length++] = (byte)'%';
                destination[length++] = (byte)HexDigits[utf8[b] >> 4];
                destination[length++] = (byte)HexDigits[utf8[b] & 0xF];
            }

            i += charCount - 1;
        }

        return length;
    }

    private static string Encode(string value, bool keepSlash)
    {
        var firstToEncode = value.AsSpan().IndexOfAnyExcept(Unreserved);
        if (firstToEncode < 0)
        {
            return value;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxEncodedLength(value.Length));
        try
        {
            var length = EncodeTo(value, buffer, keepSlash);
            return Encoding.ASCII.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private const string HexDigits = "0123456789ABCDEF";

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
