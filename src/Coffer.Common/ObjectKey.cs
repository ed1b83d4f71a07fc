using System.Text;

namespace Coffer.Common;

/// <summary>
/// Object key rules shared by both dialects: a non-empty, well-formed UTF-8 string of at most
/// <see cref="MaxUtf8Length"/> bytes (S3's limit; COS documents 850, so COS clients never reach it).
/// </summary>
public static class ObjectKey
{
    public const int MaxUtf8Length = 1024;

    public static void Validate(string key)
    {
        if (key.Length == 0)
        {
            throw new CofferException(ErrorCode.InvalidArgument, "The object key must not be empty.");
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxUtf8Length)
        {
            throw new CofferException(ErrorCode.KeyTooLong, $"The object key is longer than {MaxUtf8Length} bytes.");
        }

        for (var i = 0; i < key.Length; i++)
        {
            if (char.IsSurrogate(key[i]) && !(char.IsHighSurrogate(key[i]) && i + 1 < key.Length && char.IsLowSurrogate(key[++i])))
            {
                throw new CofferException(ErrorCode.InvalidUri, "The object key is not valid UTF-8.");
            }
        }
    }

    /// <summary>
    /// The rules for the key of a new object: <see cref="Validate"/>, no character XML 1.0 cannot carry (a key every
    /// listing could not name would make the listings around it fail; S3 writes such keys as character references XML
    /// parsers refuse), and no <c>.</c> or <c>..</c> path segment
    /// (<c>../x</c>, <c>a/./b</c>, <c>..</c>; <c>\</c> separates segments too). Coffer stores bytes under random ids, so
    /// no key reaches the file system here, but tools that mirror keys to files would resolve such keys outside the
    /// folder they write to. Keys stored before this rule stay readable and deletable.
    /// </summary>
    public static void ValidateNew(string key)
    {
        Validate(key);
        if (HasDotSegment(key))
        {
            throw new CofferException(ErrorCode.InvalidArgument, "An object key may not have '.' or '..' as a path segment.");
        }

        if (!XmlCharacters.IsValid(key))
        {
            throw new CofferException(ErrorCode.InvalidArgument,
                "An object key may not hold a character XML 1.0 cannot carry (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+FFFE, U+FFFF): listings, multipart answers and batch deletes name keys in XML.");
        }
    }

    /// <summary>True when a segment of <paramref name="path"/>, split at <c>/</c> and <c>\</c>, is <c>.</c> or <c>..</c>.</summary>
    public static bool HasDotSegment(string path) => path.Split('/', '\\').Any(segment => segment is "." or "..");

    /// <summary>Compares two keys in UTF-8 byte order (code point order), the order listings use.</summary>
    public static int CompareUtf8(string left, string right)
    {
        var length = Math.Min(left.Length, right.Length);
        for (var i = 0; i < length; i++)
        {
            var a = left[i];
            var b = right[i];
            if (a == b)
            {
                continue;
            }

            // UTF-16 puts surrogates (D800-DFFF) below E000-FFFF; in code point order they encode U+10000 and above.
            if (char.IsSurrogate(a) != char.IsSurrogate(b))
            {
                return char.IsSurrogate(a) ? 1 : -1;
            }

            return a < b ? -1 : 1;
        }

        return left.Length.CompareTo(right.Length);
    }

    /// <summary>
    /// The smallest string greater, in UTF-8 byte order, than every string starting with <paramref name="prefix"/>:
    /// a listing can jump there to skip a whole common prefix. Null when no such string exists.
    /// </summary>
    public static string? PrefixSuccessor(string prefix)
    {
        var runes = prefix.EnumerateRunes().ToList();
        while (runes.Count > 0)
        {
            var last = runes[^1].Value;
            runes.RemoveAt(runes.Count - 1);
            if (last == 0x10FFFF)
            {
                continue;
            }

            // Code point order equals UTF-8 byte order; surrogate code points have no rune, so step over them.
            var next = last + 1 == 0xD800 ? 0xE000 : last + 1;
            var builder = new StringBuilder(prefix.Length + 1);
            foreach (var rune in runes)
            {
                builder.Append(rune.ToString());
            }

            return builder.Append(char.ConvertFromUtf32(next)).ToString();
        }

        return null;
    }
}
