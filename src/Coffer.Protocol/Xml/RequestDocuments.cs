using System.Globalization;
using System.Xml.Linq;
using Coffer.Common;

namespace Coffer.Protocol.Xml;

/// <param name="Checksum">The part's flexible checksum as listed (<c>ChecksumCRC32</c>, ...), when the client lists one.</param>
public sealed record CompletePartEntry(int PartNumber, string ETag, string? Checksum = null);

/// <summary>One object of a DeleteObjects request, with the conditions a conditional delete puts on it.</summary>
public sealed record DeleteObjectEntry(string Key, string? VersionId, string? ETag = null, DateTimeOffset? LastModifiedTime = null, long? Size = null);

/// <summary>Readers of the small request documents. Wrong shapes are MalformedXML, as COS and S3 answer.</summary>
public static class RequestDocuments
{
    public const int MaxDeleteObjects = 1000;

    /// <summary>
    /// <c>&lt;VersioningConfiguration&gt;&lt;Status&gt;Enabled|Suspended&lt;/Status&gt;</c>, with S3's optional
    /// <c>MfaDelete</c>. Any other child is MalformedXML, as S3 answers a document outside its schema: accepted,
    /// MinIO's <c>ExcludeFolders</c> / <c>ExcludedPrefixes</c> would read back as never set. MFA delete is not
    /// implemented, so <c>MfaDelete Enabled</c> is NotImplemented rather than ignored.
    /// </summary>
    public static string ReadVersioningStatus(XElement root)
    {
        Expect(root, "VersioningConfiguration");
        foreach (var child in root.Elements())
        {
            switch (child.Name.LocalName, child.Value)
            {
                case ("Status", _) or ("MfaDelete", "Disabled"):
                    break;
                case ("MfaDelete", "Enabled"):
                    throw new CofferException(ErrorCode.NotImplemented, "MFA delete is not implemented.");
                case ("MfaDelete", _):
                    throw new CofferException(ErrorCode.MalformedXml, "MfaDelete must be Enabled or Disabled.");
                default:
                    throw new CofferException(ErrorCode.MalformedXml, $"VersioningConfiguration cannot hold {child.Name.LocalName}.");
            }
        }

        var status = root.Element("Status")?.Value;
        return status is "Enabled" or "Suspended"
            ? status
            : throw new CofferException(ErrorCode.MalformedXml, "Status must be Enabled or Suspended.");
    }

    /// <summary>
    /// <c>&lt;ServerSideEncryptionConfiguration&gt;&lt;Rule&gt;&lt;ApplyServerSideEncryptionByDefault&gt;&lt;SSEAlgorithm/&gt;</c>
    /// with an optional <c>KMSMasterKeyID</c> and, in S3, <c>BucketKeyEnabled</c>. One rule. The container is also read
    /// under the name <c>ApplySideEncryptionConfiguration</c>, which COS's Node.js SDK typings and an older COS page use.
    /// </summary>
    public static EncryptionConfigurationDocument ReadEncryptionConfiguration(XElement root)
    {
        Expect(root, "ServerSideEncryptionConfiguration");
        var rules = root.Elements("Rule").ToArray();
        if (rules.Length != 1)
        {
            throw new CofferException(ErrorCode.MalformedXml, "ServerSideEncryptionConfiguration takes exactly one Rule.");
        }

        var apply = rules[0].Element("ApplyServerSideEncryptionByDefault") ?? rules[0].Element("ApplySideEncryptionConfiguration")
            ?? throw new CofferException(ErrorCode.MalformedXml, "The Rule needs ApplyServerSideEncryptionByDefault.");
        var algorithm = apply.Element("SSEAlgorithm")?.Value.Trim() is { Length: > 0 } value
            ? value
            : throw new CofferException(ErrorCode.MalformedXml, "ApplyServerSideEncryptionByDefault needs an SSEAlgorithm.");
        var keyId = apply.Element("KMSMasterKeyID")?.Value.Trim() is { Length: > 0 } id ? id : null;
        bool? bucketKey = rules[0].Element("BucketKeyEnabled")?.Value.Trim() switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => throw new CofferException(ErrorCode.MalformedXml, "BucketKeyEnabled must be true or false."),
        };
        return new EncryptionConfigurationDocument(algorithm, keyId, bucketKey);
    }

    /// <summary><c>&lt;Tagging&gt;&lt;TagSet&gt;&lt;Tag&gt;&lt;Key/&gt;&lt;Value/&gt;&lt;/Tag&gt;*</c>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ReadTagging(XElement root)
    {
        Expect(root, "Tagging");
        var tagSet = root.Element("TagSet") ?? throw new CofferException(ErrorCode.MalformedXml, "Tagging needs a TagSet.");
        return tagSet.Elements("Tag")
            .Select(tag => new KeyValuePair<string, string>(
                tag.Element("Key")?.Value ?? throw new CofferException(ErrorCode.MalformedXml, "Every Tag needs a Key."),
                tag.Element("Value")?.Value ?? ""))
            .ToArray();
    }

    /// <summary><c>&lt;CompleteMultipartUpload&gt;&lt;Part&gt;&lt;PartNumber/&gt;&lt;ETag/&gt;[&lt;ChecksumCRC32/&gt;]&lt;/Part&gt;*</c>.</summary>
    public static IReadOnlyList<CompletePartEntry> ReadCompleteMultipartUpload(XElement root)
    {
        Expect(root, "CompleteMultipartUpload");
        return root.Elements("Part").Select(part =>
        {
            var number = part.Element("PartNumber")?.Value;
            var etag = part.Element("ETag")?.Value;
            if (!int.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var partNumber) || etag is null)
            {
                throw new CofferException(ErrorCode.MalformedXml, "Every Part needs a PartNumber and an ETag.");
            }

            if (partNumber is < 1 or > 10_000)
            {
                // As S3 answers it, and as an upload of such a part is answered: no part could ever have that number.
                throw new CofferException(ErrorCode.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive.");
            }

            var checksum = part.Elements().FirstOrDefault(e => e.Name.LocalName.StartsWith("Checksum", StringComparison.Ordinal))?.Value;
            return new CompletePartEntry(partNumber, etag, checksum);
        }).ToArray();
    }

    /// <summary><c>&lt;Delete&gt;&lt;Quiet/&gt;&lt;Object&gt;&lt;Key/&gt;&lt;VersionId/&gt;&lt;/Object&gt;*</c>, at most 1,000 objects.</summary>
    public static (bool Quiet, IReadOnlyList<DeleteObjectEntry> Objects) ReadDelete(XElement root)
    {
        Expect(root, "Delete");
        var objects = root.Elements("Object").Select(o => new DeleteObjectEntry(
            o.Element("Key")?.Value ?? throw new CofferException(ErrorCode.MalformedXml, "Every Object needs a Key."),
            o.Element("VersionId")?.Value,
            o.Element("ETag")?.Value,
            o.Element("LastModifiedTime")?.Value is { } time
                ? Http.HttpDates.ParseHttpDate(time) ?? throw new CofferException(ErrorCode.MalformedXml, "LastModifiedTime is not a date.")
                : null,
            o.Element("Size")?.Value is { } size
                ? long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes
                    : throw new CofferException(ErrorCode.MalformedXml, "Size is not a size in bytes.")
                : null)).ToArray();
        if (objects.Length is 0 or > MaxDeleteObjects)
        {
            throw new CofferException(ErrorCode.MalformedXml, $"Delete takes 1 to {MaxDeleteObjects} objects.");
        }

        var quiet = root.Element("Quiet")?.Value;
        return (string.Equals(quiet, "true", StringComparison.OrdinalIgnoreCase), objects);
    }

    private static void Expect(XElement root, string name)
    {
        if (root.Name.LocalName != name)
        {
            throw new CofferException(ErrorCode.MalformedXml, $"Expected {name}, found {root.Name.LocalName}.");
        }
    }
}
