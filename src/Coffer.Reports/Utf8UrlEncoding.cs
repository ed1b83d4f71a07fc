using System.Buffers;

namespace Coffer.Reports;

/// <summary>
/// Percent-encoding of UTF-8 text as COS and S3 use it in reports: upper-case hex, only <c>A-Z a-z 0-9 - _ . ~</c> left
/// as they are (so <c>/</c> becomes <c>%2F</c>).
/// </summary>
internal static class Utf8UrlEncoding
{
    private static readonly SearchValues<byte> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"u8);

    private static ReadOnlySpan<byte> HexDigits => "0123456789ABCDEF"u8;

    /// <summary>The most bytes <see cref="EncodeTo"/> writes for <paramref name="bytes"/> bytes of UTF-8.</summary>
    public static int MaxEncodedLength(int bytes) => bytes * 3;

    /// <summary>Writes the encoding of <paramref name="utf8"/> into <paramref name="destination"/>; returns how many bytes it wrote.</summary>
    /// <remarks>
    /// Runs of unreserved bytes are found by a vectorized search and copied whole (a key is mostly such runs between a
    /// few slashes); bytes to escape are taken one by one until the next unreserved one.
    /// </remarks>
    public static int EncodeTo(ReadOnlySpan<byte> utf8, Span<byte> destination)
    {
        var length = 0;
        while (!utf8.IsEmpty)
        {
            var run = utf8.IndexOfAnyExcept(Unreserved);
            if (run < 0)
            {
                utf8.CopyTo(destination[length..]);
                return length + utf8.Length;
            }

            utf8[..run].CopyTo(destination[length..]);
            length += run;
            var escaped = run;
            do
            {
                var b = utf8[escaped++];
                destination[length] = (byte)'%';
                destination[length + 1] = HexDigits[b >> 4];
                destination[length + 2] = HexDigits[b & 0xF];
                length += 3;
            }
            while (escaped < utf8.Length && !Unreserved.Contains(utf8[escaped]));

            utf8 = utf8[escaped..];
        }

        return length;
    }
}
