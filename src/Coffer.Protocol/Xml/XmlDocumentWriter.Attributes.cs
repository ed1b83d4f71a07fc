using System.Globalization;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

public static partial class XmlDocumentWriter
{
    /// <summary>
    /// GetObjectAttributes's <c>GetObjectAttributesResponse</c>, in the order S3 writes it. Parts are counted, not listed:
    /// S3 lists them only for objects uploaded with per-part checksums, which Coffer does not keep per part.
    /// </summary>
    public static byte[] Write(ObjectAttributesDocument attributes, Dialect dialect) => Build("GetObjectAttributesResponse", dialect, w =>
    {
        if (attributes.ETag is { } etag)
        {
            Element(w, "ETag", etag);
        }

        if (attributes.Checksum is { Count: > 0 } checksum)
        {
            w.WriteStartElement("Checksum");
            foreach (var (name, value) in checksum)
            {
                Element(w, name, value);
            }

            w.WriteEndElement();
        }

        if (attributes.PartsCount is { } parts)
        {
            w.WriteStartElement("ObjectParts");
            // The API reference's member is TotalPartsCount; on the wire it is PartsCount, the name every SDK reads.
            Element(w, "PartsCount", parts.ToString(CultureInfo.InvariantCulture));
            w.WriteEndElement();
        }

        if (attributes.StorageClass is { } storageClass)
        {
            Element(w, "StorageClass", storageClass);
        }

        if (attributes.ObjectSize is { } size)
        {
            Element(w, "ObjectSize", size.ToString(CultureInfo.InvariantCulture));
        }
    });
}
