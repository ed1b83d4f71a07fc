using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Coffer.Common;
using Coffer.Model.Inventory;

namespace Coffer.Inventory.Reports;

/// <summary>One delivered part: its key, size and MD5.</summary>
public sealed record ReportFile(string Key, long Size, string Md5);

/// <summary>What a manifest says about a run.</summary>
public sealed record ManifestContent(
    BucketName Source,
    BucketName Destination,
    string FileFormat,
    string FileSchema,
    long ListObjectCount,
    long ListStorageSize,
    long FilterObjectCount,
    long FilterStorageSize,
    DateTimeOffset ScanStart,
    IReadOnlyList<ReportFile> Files,
    ManifestJournal? Journal = null);

/// <summary>
/// Coffer's additions to a manifest, which say where a report stands in the change journal: its type, and for a full
/// report the sequence of its instant, for an incremental or diff report the instants it starts and ends at.
/// </summary>
public sealed record ManifestJournal(string ReportType, long? SnapshotSequence, long? FromSequence, long? ToSequence, string? FromJobId, string? ToJobId);

/// <summary>
/// manifest.json in each dialect's shape, and manifest.checksum (the lower-case hex MD5 of manifest.json, no newline).
/// COS writes every value as a string and names the digest <c>md5Checksum</c>; S3 writes sizes as numbers and names it
/// <c>MD5checksum</c>, with the destination as an ARN. Both carry <c>version</c> and <c>creationTimestamp</c>.
/// </summary>
public static class Manifest
{
    public const string CosVersion = "2019-09-01";
    public const string S3Version = "2016-11-30";

    public static byte[] Write(InventoryDialect dialect, ManifestContent content)
    {
        using var buffer = new MemoryStream();
        // Written as the clouds write it: struct<...> with its brackets, not the \u003C an HTML-safe encoder makes of them.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            var created = content.ScanStart.ToUnixTimeMilliseconds().ToString();
            if (dialect == InventoryDialect.Cos)
            {
                json.WriteString("sourceAppid", content.Source.AppId);
                json.WriteString("sourceBucket", content.Source.ShortName);
                json.WriteString("destinationAppid", content.Destination.AppId);
                json.WriteString("destinationBucket", content.Destination.ShortName);
                json.WriteString("version", CosVersion);
                json.WriteString("creationTimestamp", created);
                json.WriteString("fileFormat", content.FileFormat);
                json.WriteString("listObjectCount", content.ListObjectCount.ToString());
                json.WriteString("listStorageSize", content.ListStorageSize.ToString());
                json.WriteString("filterObjectCount", content.FilterObjectCount.ToString());
                json.WriteString("filterStorageSize", content.FilterStorageSize.ToString());
                json.WriteString("fileSchema", content.FileSchema);
                WriteJournal(json, content.Journal, numbers: false);
                json.WriteStartArray("files");
                foreach (var file in content.Files)
                {
                    json.WriteStartObject();
                    json.WriteString("key", file.Key);
                    json.WriteString("size", file.Size.ToString());
                    json.WriteString("md5Checksum", file.Md5);
                    json.WriteEndObject();
                }
            }
            else
            {
                json.WriteString("sourceBucket", content.Source.Value);
                json.WriteString("destinationBucket", "arn:aws:s3:::" + content.Destination.Value);
                json.WriteString("version", S3Version);
                json.WriteString("creationTimestamp", created);
                json.WriteString("fileFormat", content.FileFormat);
                json.WriteString("fileSchema", content.FileSchema);
                WriteJournal(json, content.Journal, numbers: true);
                json.WriteStartArray("files");
                foreach (var file in content.Files)
                {
                    json.WriteStartObject();
                    json.WriteString("key", file.Key);
                    json.WriteNumber("size", file.Size);
                    json.WriteString("MD5checksum", file.Md5);
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Coffer's additions, with sequences as strings in COS manifests (every value is one there) and numbers in S3 ones.</summary>
    private static void WriteJournal(Utf8JsonWriter json, ManifestJournal? journal, bool numbers)
    {
        if (journal is null)
        {
            return;
        }

        json.WriteString("reportType", journal.ReportType);
        foreach (var (name, value) in new[] { ("snapshotSequence", journal.SnapshotSequence), ("fromSequence", journal.FromSequence), ("toSequence", journal.ToSequence) })
        {
            if (value is not { } sequence)
            {
                continue;
            }

            if (numbers)
            {
                json.WriteNumber(name, sequence);
            }
            else
            {
                json.WriteString(name, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (journal.FromJobId is { } from)
        {
            json.WriteString("fromJobId", from);
        }

        if (journal.ToJobId is { } to)
        {
            json.WriteString("toJobId", to);
        }
    }

    public static byte[] Checksum(byte[] manifest) => System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(MD5.HashData(manifest)));

    /// <summary>S3's Hive symlink: the data files' <c>s3://bucket/key</c> URIs, one per line.</summary>
    public static byte[] Symlink(BucketName destination, IReadOnlyList<ReportFile> files) =>
        System.Text.Encoding.UTF8.GetBytes(string.Concat(files.Select(f => $"s3://{destination.Value}/{f.Key}\n")));
}
