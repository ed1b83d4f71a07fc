using System.Security.Cryptography;
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
    IReadOnlyList<ReportFile> Files);

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
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
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

    public static byte[] Checksum(byte[] manifest) => System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(MD5.HashData(manifest)));

    /// <summary>S3's Hive symlink: the data files' <c>s3://bucket/key</c> URIs, one per line.</summary>
    public static byte[] Symlink(BucketName destination, IReadOnlyList<ReportFile> files) =>
        System.Text.Encoding.UTF8.GetBytes(string.Concat(files.Select(f => $"s3://{destination.Value}/{f.Key}\n")));
}
