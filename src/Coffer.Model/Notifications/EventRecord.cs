using System.Globalization;
using System.Text.Json;
using Coffer.Common;

namespace Coffer.Model.Notifications;

/// <summary>What one event tells: the change, the object it is about, and (for inventory events) the report.</summary>
public sealed record EventDetails
{
    public required string EventName { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required string Region { get; init; }

    public required string Bucket { get; init; }

    public required string BucketOwner { get; init; }

    public required string Key { get; init; }

    public long? Size { get; init; }

    public string? ETag { get; init; }

    /// <summary>Null for the null version (S3 leaves versionId out then).</summary>
    public string? VersionId { get; init; }

    /// <summary>Orders the events of one key (hex of the store's sequence), as S3's sequencer does.</summary>
    public required string Sequencer { get; init; }

    /// <summary>For inventory events: the report that landed.</summary>
    public InventoryEventDetails? Inventory { get; init; }
}

/// <summary>The report an inventory event is about.</summary>
public sealed record InventoryEventDetails(string ConfigurationId, string JobId, string DestinationBucket, string ManifestKey, string ReportType,
    long? FromSequence, long? ToSequence, long? SnapshotSequence);

/// <summary>
/// The body of an event in AWS's S3 event structure (<c>{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3",...}]}</c>),
/// one record per body; the key is URL-encoded as S3 sends it (a space as <c>+</c>, <c>/</c> kept). Inventory events carry an <c>inventory</c> element of their own.
/// </summary>
public static class EventRecord
{
    public static byte[] Write(EventDetails details, string configurationId, RequestOrigin? origin)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("Records");
            json.WriteStartObject();
            json.WriteString("eventVersion", "2.1");
            json.WriteString("eventSource", details.Inventory is null ? "aws:s3" : "coffer:inventory");
            json.WriteString("awsRegion", details.Region);
            json.WriteString("eventTime", details.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            // Records name the event without the "s3:" of configurations: ObjectCreated:Put.
            json.WriteString("eventName", details.EventName[(details.EventName.IndexOf(':', StringComparison.Ordinal) + 1)..]);
            json.WriteStartObject("userIdentity");
            json.WriteString("principalId", origin?.PrincipalId ?? "coffer");
            json.WriteEndObject();
            json.WriteStartObject("requestParameters");
            json.WriteString("sourceIPAddress", origin?.SourceIp ?? "127.0.0.1");
            json.WriteEndObject();
            json.WriteStartObject("responseElements");
            json.WriteString("x-amz-request-id", origin?.RequestId ?? "");
            json.WriteString("x-amz-id-2", origin?.RequestId ?? "");
            json.WriteEndObject();
            json.WriteStartObject("s3");
            json.WriteString("s3SchemaVersion", "1.0");
            json.WriteString("configurationId", configurationId);
            json.WriteStartObject("bucket");
            json.WriteString("name", details.Bucket);
            json.WriteStartObject("ownerIdentity");
            json.WriteString("principalId", details.BucketOwner);
            json.WriteEndObject();
            json.WriteString("arn", "arn:aws:s3:::" + details.Bucket);
            json.WriteEndObject();
            json.WriteStartObject("object");
            // As S3 writes it: form-encoded (a space is "+"), "/" kept.
            json.WriteString("key", UrlEncoding.EncodePath(details.Key).Replace("%20", "+", StringComparison.Ordinal));
            if (details.Size is { } size)
            {
                json.WriteNumber("size", size);
            }

            if (!string.IsNullOrEmpty(details.ETag))
            {
                json.WriteString("eTag", details.ETag);
            }

            if (details.VersionId is { } versionId)
            {
                json.WriteString("versionId", versionId);
            }

            json.WriteString("sequencer", details.Sequencer);
            json.WriteEndObject();
            json.WriteEndObject();
            if (details.Inventory is { } inventory)
            {
                WriteInventory(json, inventory);
            }

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteInventory(Utf8JsonWriter json, InventoryEventDetails inventory)
    {
        json.WriteStartObject("inventory");
        json.WriteString("configurationId", inventory.ConfigurationId);
        json.WriteString("jobId", inventory.JobId);
        json.WriteString("destinationBucket", inventory.DestinationBucket);
        json.WriteString("manifestKey", inventory.ManifestKey);
        json.WriteString("reportType", inventory.ReportType);
        foreach (var (name, value) in new[] { ("fromSequence", inventory.FromSequence), ("toSequence", inventory.ToSequence), ("snapshotSequence", inventory.SnapshotSequence) })
        {
            if (value is { } number)
            {
                json.WriteNumber(name, number);
            }
        }

        json.WriteEndObject();
    }
}
