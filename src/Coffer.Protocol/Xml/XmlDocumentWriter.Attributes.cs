using System.Globalization;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

public static partial class XmlDocumentWriter
{
    /// <summary>
    /// GetObjectAttributes's <c>GetObjectAttributesResponse</c>, in the order S3 writes it. A multipart object's parts are
    /// listed, each with its checksum when the upload had an algorithm. S3's reference lists them only for objects with an
    /// additional checksum, but S3 now gives every object one (CRC64NVME by default), so it lists every new object's parts.
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

        if (attributes.Parts is { } parts)
        {
            w.WriteStartElement("ObjectParts");
            // The API reference's member is TotalPartsCount; on the wire it is PartsCount, the name every SDK reads.
            Element(w, "PartsCount", parts.PartsCount.ToString(CultureInfo.InvariantCulture));
            Element(w, "PartNumberMarker", parts.PartNumberMarker.ToString(CultureInfo.InvariantCulture));
            Element(w, "NextPartNumberMarker", parts.NextPartNumberMarker.ToString(CultureInfo.InvariantCulture));
            Element(w, "MaxParts", parts.MaxParts.ToString(CultureInfo.InvariantCulture));
            Element(w, "IsTruncated", Bool(parts.IsTruncated));
            foreach (var part in parts.Parts)
            {
                w.WriteStartElement("Part");
                Element(w, "PartNumber", part.PartNumber.ToString(CultureInfo.InvariantCulture));
                Element(w, "Size", part.Size.ToString(CultureInfo.InvariantCulture));
                if (part.Checksum is { } partChecksum && parts.ChecksumAlgorithm is { } algorithm)
                {
                    Element(w, "Checksum" + algorithm, partChecksum);
                }

                w.WriteEndElement();
            }

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
