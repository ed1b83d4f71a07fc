using System.Text;
using System.Xml;

namespace Coffer.Common;

/// <summary>
/// What XML 1.0 text can hold. Object keys can have characters it cannot (U+0001, say: S3 and COS allow any UTF-8), so
/// a document about such a key must either percent-encode it (<c>encoding-type=url</c>) or refuse to be written.
/// </summary>
public static class XmlCharacters
{
    /// <summary>True when every character of <paramref name="value"/> is one XML 1.0 documents may contain.</summary>
    public static bool IsValid(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (XmlConvert.IsXmlChar(value[i]))
            {
                continue;
            }

            if (i + 1 < value.Length && XmlConvert.IsXmlSurrogatePair(value[i + 1], value[i]))
            {
                i++;
                continue;
            }

            return false;
        }

        return true;
    }

    /// <summary><paramref name="value"/> with every character XML 1.0 cannot hold replaced by U+FFFD (for error messages).</summary>
    public static string Replace(string value)
    {
        if (IsValid(value))
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (XmlConvert.IsXmlChar(value[i]))
            {
                text.Append(value[i]);
            }
            else if (i + 1 < value.Length && XmlConvert.IsXmlSurrogatePair(value[i + 1], value[i]))
            {
                text.Append(value, i++, 2);
            }
            else
            {
                text.Append('\uFFFD');
            }
        }

        return text.ToString();
    }
}
