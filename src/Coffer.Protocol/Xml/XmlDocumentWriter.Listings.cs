using System.Xml;
using Coffer.Common;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

/// <summary>
/// The listings: buckets, objects (V1 and V2), versions, multipart uploads and an upload's parts, with the encoding of
/// keys, prefixes and markers they share (<see cref="Encoder"/>).
/// </summary>
public static partial class XmlDocumentWriter
{
    public static byte[] Write(ListAllMyBucketsDocument document, Dialect dialect = Dialect.Cos) => Build("ListAllMyBucketsResult", dialect, w =>
    {
        Owner(w, document.OwnerId, document.OwnerDisplayName);
        w.WriteStartElement("Buckets");
        foreach (var bucket in document.Buckets)
        {
            w.WriteStartElement("Bucket");
            Element(w, "Name", bucket.Name);
            if (dialect == Dialect.Cos)
            {
                Element(w, "Location", bucket.Location);
            }

            Element(w, "CreationDate", HttpDates.Iso8601(bucket.CreationDate));
            if (dialect == Dialect.Cos)
            {
                Element(w, "BucketType", "cos");
            }
            else
            {
                Element(w, "BucketRegion", bucket.Location);
            }

            w.WriteEndElement();
        }

        w.WriteEndElement();
        if (document.ContinuationToken is not null)
        {
            Element(w, "ContinuationToken", document.ContinuationToken);
        }

        if (document.Prefix is not null)
        {
            Element(w, "Prefix", document.Prefix);
        }
    });

    public static byte[] Write(ListBucketDocument document, Dialect dialect = Dialect.Cos) => Build("ListBucketResult", dialect, w =>
    {
        var text = Encoder(document.EncodingType);
        Element(w, "Name", document.Name);
        if (document.EncodingType is not null)
        {
            Element(w, "EncodingType", document.EncodingType);
        }

        Element(w, "Prefix", text(document.Prefix));
        Element(w, "Marker", text(document.Marker));
        Element(w, "MaxKeys", document.MaxKeys.ToString());
        if (document.Delimiter is not null)
        {
            Element(w, "Delimiter", text(document.Delimiter));
        }

        Element(w, "IsTruncated", Bool(document.IsTruncated));
        if (document.NextMarker is not null)
        {
            Element(w, "NextMarker", text(document.NextMarker));
        }

        CommonPrefixes(w, document.CommonPrefixes, text);
        foreach (var entry in document.Contents)
        {
            Contents(w, entry, text, dialect, withOwner: true);
        }
    });

    public static byte[] Write(ListBucketV2Document document, Dialect dialect = Dialect.S3) => Build("ListBucketResult", dialect, w =>
    {
        var text = Encoder(document.EncodingType);
        Element(w, "Name", document.Name);
        Element(w, "Prefix", text(document.Prefix));
        if (document.Delimiter is not null)
        {
            Element(w, "Delimiter", text(document.Delimiter));
        }

        Element(w, "MaxKeys", document.MaxKeys.ToString());
        if (document.EncodingType is not null)
        {
            Element(w, "EncodingType", document.EncodingType);
        }

        Element(w, "KeyCount", (document.Contents.Count + document.CommonPrefixes.Count).ToString());
        Element(w, "IsTruncated", Bool(document.IsTruncated));
        if (document.ContinuationToken is not null)
        {
            Element(w, "ContinuationToken", document.ContinuationToken);
        }

        if (document.NextContinuationToken is not null)
        {
            Element(w, "NextContinuationToken", document.NextContinuationToken);
        }

        if (document.StartAfter is not null)
        {
            Element(w, "StartAfter", text(document.StartAfter));
        }

        foreach (var entry in document.Contents)
        {
            Contents(w, entry, text, dialect, document.FetchOwner);
        }

        CommonPrefixes(w, document.CommonPrefixes, text);
    });

    public static byte[] Write(ListVersionsDocument document, Dialect dialect = Dialect.Cos) => Build("ListVersionsResult", dialect, w =>
    {
        var text = Encoder(document.EncodingType);
        Element(w, "Name", document.Name);
        if (document.EncodingType is not null)
        {
            Element(w, "EncodingType", document.EncodingType);
        }

        Element(w, "Prefix", text(document.Prefix));
        Element(w, "KeyMarker", text(document.KeyMarker));
        Element(w, "VersionIdMarker", document.VersionIdMarker);
        Element(w, "MaxKeys", document.MaxKeys.ToString());
        if (document.Delimiter is not null)
        {
            Element(w, "Delimiter", text(document.Delimiter));
        }

        Element(w, "IsTruncated", Bool(document.IsTruncated));
        if (document.NextKeyMarker is not null)
        {
            Element(w, "NextKeyMarker", text(document.NextKeyMarker));
        }

        if (document.NextVersionIdMarker is not null)
        {
            Element(w, "NextVersionIdMarker", document.NextVersionIdMarker);
        }

        foreach (var version in document.Versions)
        {
            w.WriteStartElement(version.IsDeleteMarker ? "DeleteMarker" : "Version");
            Element(w, "Key", text(version.Key));
            Element(w, "VersionId", version.VersionId);
            Element(w, "IsLatest", Bool(version.IsLatest));
            Element(w, "LastModified", HttpDates.Iso8601(version.LastModified));
            if (!version.IsDeleteMarker)
            {
                Element(w, "ETag", $"\"{version.ETag}\"");
                Checksum(w, dialect, version.ChecksumAlgorithm, version.ChecksumType);
                Element(w, "Size", version.Size.ToString());
                Element(w, "StorageClass", version.StorageClass);
            }

            Owner(w, version.OwnerId, version.OwnerId);
            w.WriteEndElement();
        }

        CommonPrefixes(w, document.CommonPrefixes, text);
    });

    public static byte[] Write(ListPartsDocument document, Dialect dialect) => Build("ListPartsResult", dialect, w =>
    {
        Element(w, "Bucket", document.Bucket);
        Element(w, "Key", document.Key);
        Element(w, "UploadId", document.UploadId);
        w.WriteStartElement("Initiator");
        Element(w, "ID", document.InitiatorId);
        Element(w, "DisplayName", document.InitiatorName);
        w.WriteEndElement();
        Owner(w, document.OwnerId, document.OwnerId);
        Element(w, "StorageClass", document.StorageClass);
        var checksum = dialect == Dialect.S3 ? document.ChecksumAlgorithm : null;
        if (checksum is not null)
        {
            Element(w, "ChecksumAlgorithm", checksum);
            Element(w, "ChecksumType", document.ChecksumType ?? "COMPOSITE");
        }

        Element(w, "PartNumberMarker", document.PartNumberMarker.ToString());
        Element(w, "NextPartNumberMarker", document.NextPartNumberMarker.ToString());
        Element(w, "MaxParts", document.MaxParts.ToString());
        Element(w, "IsTruncated", Bool(document.IsTruncated));
        foreach (var part in document.Parts)
        {
            w.WriteStartElement("Part");
            Element(w, "PartNumber", part.PartNumber.ToString());
            Element(w, "LastModified", HttpDates.Iso8601(part.LastModified));
            Element(w, "ETag", $"\"{part.ETag}\"");
            Element(w, "Size", part.Size.ToString());
            if (checksum is not null && part.Checksum is not null)
            {
                Element(w, ChecksumElement(checksum), part.Checksum);
            }

            w.WriteEndElement();
        }
    });

    public static byte[] Write(ListUploadsDocument document, Dialect dialect) => Build("ListMultipartUploadsResult", dialect, w =>
    {
        var text = Encoder(document.EncodingType);
        Element(w, "Bucket", document.Bucket);
        if (document.EncodingType is not null)
        {
            Element(w, "EncodingType", document.EncodingType);
        }

        Element(w, "KeyMarker", text(document.KeyMarker));
        Element(w, "UploadIdMarker", document.UploadIdMarker);
        if (document.NextKeyMarker is not null)
        {
            Element(w, "NextKeyMarker", text(document.NextKeyMarker));
        }

        if (document.NextUploadIdMarker is not null)
        {
            Element(w, "NextUploadIdMarker", document.NextUploadIdMarker);
        }

        Element(w, "Prefix", text(document.Prefix));
        if (document.Delimiter is not null)
        {
            Element(w, "Delimiter", text(document.Delimiter));
        }

        Element(w, "MaxUploads", document.MaxUploads.ToString());
        Element(w, "IsTruncated", Bool(document.IsTruncated));
        foreach (var upload in document.Uploads)
        {
            w.WriteStartElement("Upload");
            Element(w, "Key", text(upload.Key));
            Element(w, "UploadId", upload.UploadId);
            Element(w, "StorageClass", upload.StorageClass);
            w.WriteStartElement("Initiator");
            Element(w, "ID", upload.InitiatorId);
            Element(w, "DisplayName", upload.InitiatorName);
            w.WriteEndElement();
            Owner(w, upload.OwnerId, upload.OwnerId);
            Element(w, "Initiated", HttpDates.Iso8601(upload.Initiated));
            if (dialect == Dialect.S3 && upload.ChecksumAlgorithm is { } algorithm)
            {
                Element(w, "ChecksumAlgorithm", algorithm);
                Element(w, "ChecksumType", upload.ChecksumType ?? "COMPOSITE");
            }

            w.WriteEndElement();
        }

        CommonPrefixes(w, document.CommonPrefixes, text);
    });

    /// <summary>
    /// How a listing writes keys, prefixes and markers: percent-encoded with <c>encoding-type=url</c>; otherwise as they
    /// are, which XML 1.0 cannot do for every key, so such a listing is refused with a pointer to <c>encoding-type=url</c>.
    /// </summary>
    private static Func<string, string> Encoder(string? encodingType) =>
        encodingType == "url" ? UrlEncoding.EncodePath : XmlSafe;

    private static string XmlSafe(string value) => XmlCharacters.IsValid(value)
        ? value
        : throw new CofferException(ErrorCode.InvalidArgument,
            "The listing holds a key, prefix or marker with characters XML 1.0 cannot carry; list with encoding-type=url.");

    private static void Contents(XmlWriter w, ObjectEntry entry, Func<string, string> text, Dialect dialect, bool withOwner)
    {
        w.WriteStartElement("Contents");
        Element(w, "Key", text(entry.Key));
        Element(w, "LastModified", HttpDates.Iso8601(entry.LastModified));
        Element(w, "ETag", $"\"{entry.ETag}\"");
        Checksum(w, dialect, entry.ChecksumAlgorithm, entry.ChecksumType);
        Element(w, "Size", entry.Size.ToString());
        if (withOwner)
        {
            Owner(w, entry.OwnerId, entry.OwnerId);
        }

        Element(w, "StorageClass", entry.StorageClass);
        w.WriteEndElement();
    }

    /// <summary>S3's ChecksumAlgorithm and ChecksumType of a listed object; COS lists neither.</summary>
    private static void Checksum(XmlWriter w, Dialect dialect, string? algorithm, string? type)
    {
        if (dialect == Dialect.S3 && algorithm is not null && type is not null)
        {
            Element(w, "ChecksumAlgorithm", algorithm);
            Element(w, "ChecksumType", type);
        }
    }

    private static void CommonPrefixes(XmlWriter w, IReadOnlyList<string> prefixes, Func<string, string> text)
    {
        foreach (var prefix in prefixes)
        {
            w.WriteStartElement("CommonPrefixes");
            Element(w, "Prefix", text(prefix));
            w.WriteEndElement();
        }
    }
}
