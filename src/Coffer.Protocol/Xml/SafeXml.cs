using System.Xml;
using System.Xml.Linq;
using Coffer.Common;

namespace Coffer.Protocol.Xml;

/// <summary>
/// Reads request bodies as XML with a size limit, no DTDs and no external resolution. Namespaces are dropped so
/// documents with and without the S3 namespace read the same.
/// </summary>
public static class SafeXml
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        // Kept: a value that is only whitespace (a batch delete's <Key> </Key>) is a value, not nothing.
        IgnoreWhitespace = false,
        Async = true,
    };

    /// <summary>
    /// Where the document starts after a leading XML declaration, which is skipped whatever its shape: bodies are
    /// UTF-8, and COS's own documentation shows <c>&lt;?xml version = "1.0" encoding = "UTF-8"&gt;</c> (no closing <c>?</c>).
    /// </summary>
    private static int SkipDeclaration(ReadOnlySpan<byte> body)
    {
        var start = body.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        while (start < body.Length && body[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        if (!body[start..].StartsWith("<?xml"u8))
        {
            return start;
        }

        var end = body[start..].IndexOf((byte)'>');
        return end < 0 ? start : start + end + 1;
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The root element, or null when the body is empty. Fails with XMLSizeLimit or MalformedXML.</summary>
    public static async Task<XElement?> ReadAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new CofferException(ErrorCode.XmlSizeLimit, $"The XML body may be at most {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return null;
        }

        buffer.Position = SkipDeclaration(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        try
        {
            using var reader = XmlReader.Create(buffer, Settings);
            var document = await XDocument.LoadAsync(reader, LoadOptions.None, cancellationToken);
            var root = document.Root ?? throw new CofferException(ErrorCode.MalformedXml);
            foreach (var element in root.DescendantsAndSelf())
            {
                element.Name = element.Name.LocalName;
                element.ReplaceAttributes(element.Attributes().Where(a => !a.IsNamespaceDeclaration));
            }

            return root;
        }
        catch (XmlException e)
        {
            throw new CofferException(ErrorCode.MalformedXml,
                "The XML you provided was not well-formed or did not validate against our published schema.", e);
        }
    }
}
