using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Inventory.Summary;

/// <summary>Objects and bytes of one slice of a report (a storage class, a prefix, a histogram bucket, ...).</summary>
public sealed record SliceTotal(string Name, long Objects, long Bytes);

/// <summary>A top-level prefix of the report's keys with the next level below it (for drill-down).</summary>
public sealed record PrefixTotal(string Name, long Objects, long Bytes, IReadOnlyList<SliceTotal> Children);

/// <summary>One of the largest objects of the report.</summary>
public sealed record LargeObject(string Key, string VersionId, long Size, DateTimeOffset LastModified, string StorageClass);

/// <summary>
/// What a report holds, computed while the run writes it and stored with the run, so a dashboard of any size opens at
/// once: totals, objects and bytes by storage class, by top-level prefix (two levels, capped), by size and by age
/// (fixed buckets), the largest objects, and the multipart and encryption shares. Every figure is over the report's
/// rows; delete markers (rows of an all-versions report) are counted apart and take part in no breakdown.
/// </summary>
public sealed record ReportSummary
{
    /// <summary>The format of the stored document; a reader refuses others.</summary>
    public const int CurrentFormat = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public int Format { get; init; } = CurrentFormat;

    /// <summary>When the snapshot was taken: ages are measured from it.</summary>
    public DateTimeOffset ScanStart { get; init; }

    /// <summary>Rows of the report (objects and, in an all-versions report, delete markers).</summary>
    public long Rows { get; init; }

    public long Objects { get; init; }

    public long Bytes { get; init; }

    public long DeleteMarkers { get; init; }

    public required IReadOnlyList<SliceTotal> StorageClasses { get; init; }

    public required IReadOnlyList<PrefixTotal> Prefixes { get; init; }

    /// <summary>Whether some prefixes (or children) were folded into <see cref="SummaryBuilder.OtherPrefixes"/> by the caps.</summary>
    public bool PrefixesCapped { get; init; }

    public required IReadOnlyList<SliceTotal> Sizes { get; init; }

    public required IReadOnlyList<SliceTotal> Ages { get; init; }

    public required IReadOnlyList<LargeObject> Largest { get; init; }

    public required SliceTotal Multipart { get; init; }

    /// <summary>By encryption status as S3 reports name it: NOT-SSE, SSE-S3 (COS: SSE-COS), SSE-KMS.</summary>
    public required IReadOnlyList<SliceTotal> Encryption { get; init; }

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static ReportSummary? Decode(byte[]? data)
    {
        if (data is null)
        {
            return null;
        }

        var summary = JsonSerializer.Deserialize<ReportSummary>(data, Json) ?? throw new InvalidDataException("Empty report summary.");
        return summary.Format == CurrentFormat ? summary : throw new InvalidDataException($"Unknown report summary format {summary.Format}.");
    }
}
