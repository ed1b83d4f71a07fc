using System.Text;
using System.Xml;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Xml;

/// <summary>Writes response documents: UTF-8, no BOM, no namespace, no indentation.</summary>
public static class XmlDocumentWriter
{
    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = false,
        OmitXmlDeclaration = false,
        CloseOutput = false,
    };

    public static byte[] Write(ErrorDocument error) => Build("Error", w =>
    {
        Element(w, "Code", error.Code);
        Element(w, "Message", error.Message);
        Element(w, "Resource", error.Resource);
        Element(w, "RequestId", error.RequestId);
        Element(w, "TraceId", error.TraceId);
    });

    public static byte[] Write(ListAllMyBucketsDocument document) => Build("ListAllMyBucketsResult", w =>
    {
        w.WriteStartElement("Owner");
        Element(w, "ID", document.OwnerId);
        Element(w, "DisplayName", document.OwnerDisplayName);
        w.WriteEndElement();
        w.WriteStartElement("Buckets");
        foreach (var bucket in document.Buckets)
        {
            w.WriteStartElement("Bucket");
            Element(w, "Name", bucket.Name);
            Element(w, "Location", bucket.Location);
            Element(w, "CreationDate", HttpDates.Iso8601(bucket.CreationDate));
            Element(w, "BucketType", "cos");
            w.WriteEndElement();
        }

        w.WriteEndElement();
    });

    public static byte[] Write(ListBucketDocument document) => Build("ListBucketResult", w =>
    {
        var encode = document.EncodingType == "url";
        string Text(string value) => encode ? UrlEncoding.EncodePath(value) : value;

        Element(w, "Name", document.Name);
        if (document.EncodingType is not null)
        {
            Element(w, "EncodingType", document.EncodingType);
        }

        Element(w, "Prefix", Text(document.Prefix));
        Element(w, "Marker", Text(document.Marker));
        Element(w, "MaxKeys", document.MaxKeys.ToString());
        if (document.Delimiter is not null)
        {
            Element(w, "Delimiter", Text(document.Delimiter));
        }

        Element(w, "IsTruncated", document.IsTruncated ? "true" : "false");
        if (document.NextMarker is not null)
        {
            Element(w, "NextMarker", Text(document.NextMarker));
        }

        foreach (var prefix in document.CommonPrefixes)
        {
            w.WriteStartElement("CommonPrefixes");
            Element(w, "Prefix", Text(prefix));
            w.WriteEndElement();
        }

        foreach (var entry in document.Contents)
        {
            w.WriteStartElement("Contents");
            Element(w, "Key", Text(entry.Key));
            Element(w, "LastModified", HttpDates.Iso8601(entry.LastModified));
            Element(w, "ETag", $"\"{entry.ETag}\"");
            Element(w, "Size", entry.Size.ToString());
            w.WriteStartElement("Owner");
            Element(w, "ID", entry.OwnerId);
            Element(w, "DisplayName", entry.OwnerId);
            w.WriteEndElement();
            Element(w, "StorageClass", entry.StorageClass);
            w.WriteEndElement();
        }
    });

    /// <summary>Writes <c>&lt;name&gt;value&lt;/name&gt;</c>, never the self-closing form, as COS does.</summary>
    private static void Element(XmlWriter writer, string name, string value)
    {
        writer.WriteStartElement(name);
        writer.WriteString(value);
        writer.WriteFullEndElement();
    }

    private static byte[] Build(string root, Action<XmlWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, Settings))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement(root);
            body(writer);
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }

        return buffer.ToArray();
    }
}
