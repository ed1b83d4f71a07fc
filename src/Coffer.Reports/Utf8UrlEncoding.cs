namespace Coffer.Reports;

/// <summary>
/// Percent-encoding of UTF-8 text as COS and S3 use it in reports: upper-case hex, only <c>A-Z a-z 0-9 - _ . ~</c> left
/// as they are (so <c>/</c> becomes <c>%2F</c>).
/// </summary>
internal static class Utf8UrlEncoding
{
    private const string HexDigits = "0123456789ABCDEF";

    private static readonly bool[] Unreserved = [.. Enumerable.Range(0, 256).Select(b => char.IsAsciiLetterOrDigit((char)b) || b is '-' or '_' or '.' or '~')];

    /// <summary>The most bytes <see cref="EncodeTo"/> writes for <paramref name="bytes"/> bytes of UTF-8.</summary>
    public static int MaxEncodedLength(int bytes) => bytes * 3;

    /// <summary>Writes the encoding of <paramref name="utf8"/> into <paramref name="destination"/>; returns how many bytes it wrote.</summary>
    public static int EncodeTo(ReadOnlySpan<byte> utf8, Span<byte> destination)
    {
        var length = 0;
        foreach (var b in utf8)
        {
            if (Unreserved[b])
            {
                destination[length++] = b;
                continue;
            }

            destination[length++] = (byte)'%';
            destination[length++] = (byte)HexDigits[b >> 4];
            destination[length++] = (byte)HexDigits[b & 0xF];
        }

        return length;
    }
}
