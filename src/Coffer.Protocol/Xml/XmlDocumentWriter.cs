using System.Text;
using System.Xml;
using Coffer.Common;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

/// <summary>
/// Writes response documents: UTF-8, no BOM, no indentation, full end tags. COS documents carry no namespace
/// (some COS SDKs only strip known ones); S3 documents carry S3's, as S3 does. Families of documents have partial files
/// of their own (<c>XmlDocumentWriter.Listings.cs</c>, <c>XmlDocumentWriter.Access.cs</c>, ...).
/// </summary>
public static partial class XmlDocumentWriter
{
    public const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = false,
        OmitXmlDeclaration = false,
        CloseOutput = false,
        // A key with a carriage return keeps it: written as &#xD;, which parsers do not normalise to a line feed.
        NewLineHandling = NewLineHandling.Entitize,
    };

    /// <summary>An error document always writes: text XML cannot hold (a client's own input quoted back) becomes U+FFFD.</summary>
    public static byte[] Write(ErrorDocument error) => Build("Error", Dialect.Cos, w =>
    {
        Element(w, "Code", error.Code);
        Element(w, "Message", XmlCharacters.Replace(error.Message));
        foreach (var (name, value) in error.Details)
        {
            Element(w, name, XmlCharacters.Replace(value));
        }

        Element(w, "Resource", XmlCharacters.Replace(error.Resource));
        Element(w, "RequestId", error.RequestId);
        Element(w, "TraceId", error.TraceId);
    });

    public static byte[] Write(TaggingDocument document, Dialect dialect) => Build("Tagging", dialect, w =>
    {
        w.WriteStartElement("TagSet");
        foreach (var (key, value) in document.Tags)
        {
            w.WriteStartElement("Tag");
            Element(w, "Key", key);
            Element(w, "Value", value);
            w.WriteEndElement();
        }

        w.WriteEndElement();
    });

    public static byte[] Write(VersioningDocument document, Dialect dialect) => Build("VersioningConfiguration", dialect, w =>
    {
        if (document.Status is not null)
        {
            Element(w, "Status", document.Status);
        }
    });

    /// <summary>S3 always says whether an S3 Bucket Key is enabled; COS has no such element.</summary>
    public static byte[] Write(EncryptionConfigurationDocument document, Dialect dialect) => Build("ServerSideEncryptionConfiguration", dialect, w =>
    {
        w.WriteStartElement("Rule");
        w.WriteStartElement("ApplyServerSideEncryptionByDefault");
        Element(w, "SSEAlgorithm", document.Algorithm);
        if (document.KmsMasterKeyId is not null)
        {
            Element(w, "KMSMasterKeyID", document.KmsMasterKeyId);
        }

        w.WriteEndElement();
        if (dialect == Dialect.S3)
        {
            Element(w, "BucketKeyEnabled", Bool(document.BucketKeyEnabled ?? false));
        }

        w.WriteEndElement();
    });

    public static byte[] Write(LocationDocument document, Dialect dialect) =>
        Build("LocationConstraint", dialect, w => w.WriteString(document.Region));

    public static byte[] Write(InitiateMultipartUploadDocument document, Dialect dialect) => Build("InitiateMultipartUploadResult", dialect, w =>
    {
        Element(w, "Bucket", document.Bucket);
        Element(w, "Key", document.Key);
        Element(w, "UploadId", document.UploadId);
    });

    public static byte[] Write(CompleteMultipartUploadDocument document, Dialect dialect) => Build("CompleteMultipartUploadResult", dialect, w =>
    {
        Element(w, "Location", document.Location);
        Element(w, "Bucket", document.Bucket);
        Element(w, "Key", document.Key);
        Element(w, "ETag", $"\"{document.ETag}\"");
        if (dialect == Dialect.S3 && document.ChecksumAlgorithm is { } algorithm && document.Checksum is { } checksum)
        {
            Element(w, ChecksumElement(algorithm), checksum);
            Element(w, "ChecksumType", document.ChecksumType ?? "COMPOSITE");
        }
    });

    public static byte[] Write(CopyObjectDocument document, Dialect dialect) => Build("CopyObjectResult", dialect, w =>
    {
        Element(w, "ETag", $"\"{document.ETag}\"");
        Element(w, "LastModified", HttpDates.Iso8601(document.LastModified));
        if (dialect == Dialect.Cos && document.Crc64 is { } crc)
        {
            Element(w, "CRC64", crc.ToString());
        }

        if (dialect == Dialect.S3 && document.ChecksumAlgorithm is { } algorithm && document.Checksum is { } checksum)
        {
            Element(w, "ChecksumType", "FULL_OBJECT");
            Element(w, ChecksumElement(algorithm), checksum);
        }
    });

    public static byte[] Write(CopyPartDocument document, Dialect dialect) => Build("CopyPartResult", dialect, w =>
    {
        Element(w, "ETag", $"\"{document.ETag}\"");
        Element(w, "LastModified", HttpDates.Iso8601(document.LastModified));
        if (dialect == Dialect.S3 && document.ChecksumAlgorithm is { } algorithm && document.Checksum is { } checksum)
        {
            Element(w, ChecksumElement(algorithm), checksum);
        }
    });

    public static byte[] Write(DeleteResultDocument document, Dialect dialect) => Build("DeleteResult", dialect, w =>
    {
        foreach (var deleted in document.Deleted)
        {
            w.WriteStartElement("Deleted");
            Element(w, "Key", deleted.Key);
            if (deleted.VersionId is not null)
            {
                Element(w, "VersionId", deleted.VersionId);
            }

            if (deleted.DeleteMarker)
            {
                Element(w, "DeleteMarker", "true");
                if (deleted.DeleteMarkerVersionId is not null)
                {
                    Element(w, "DeleteMarkerVersionId", deleted.DeleteMarkerVersionId);
                }
            }

            w.WriteEndElement();
        }

        foreach (var error in document.Errors)
        {
            w.WriteStartElement("Error");
            Element(w, "Key", error.Key);
            if (error.VersionId is not null)
            {
                Element(w, "VersionId", error.VersionId);
            }

            Element(w, "Code", error.Code);
            Element(w, "Message", error.Message);
            w.WriteEndElement();
        }
    });

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>The element a checksum goes in: <c>ChecksumCRC32</c>, <c>ChecksumCRC32C</c>, <c>ChecksumSHA1</c>, <c>ChecksumSHA256</c>.</summary>
    private static string ChecksumElement(string algorithm) => "Checksum" + algorithm;

    private static void Owner(XmlWriter w, string id, string displayName)
    {
        w.WriteStartElement("Owner");
        Element(w, "ID", id);
        Element(w, "DisplayName", displayName);
        w.WriteEndElement();
    }

    /// <summary>Writes <c>&lt;name&gt;value&lt;/name&gt;</c>, never the self-closing form, as COS does.</summary>
    private static void Element(XmlWriter writer, string name, string value)
    {
        if (!XmlCharacters.IsValid(value))
        {
            // Never a half-written document or a 500: the client learns which element could not be written.
            throw new CofferException(ErrorCode.InvalidArgument, $"The response's {name} holds characters XML 1.0 cannot carry.");
        }

        writer.WriteStartElement(name);
        writer.WriteString(value);
        writer.WriteFullEndElement();
    }

    /// <summary>A document whose root element the body writes itself.</summary>
    private static byte[] Document(Action<XmlWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, Settings))
        {
            writer.WriteStartDocument();
            body(writer);
            writer.WriteEndDocument();
        }

        return buffer.ToArray();
    }

    private static byte[] Build(string root, Dialect dialect, Action<XmlWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, Settings))
        {
            writer.WriteStartDocument();
            if (dialect == Dialect.S3)
            {
                writer.WriteStartElement(root, S3Namespace);
            }
            else
            {
                writer.WriteStartElement(root);
            }

            body(writer);
            writer.WriteFullEndElement();
            writer.WriteEndDocument();
        }

        return buffer.ToArray();
    }
}
