using System.Text.Json;

namespace Coffer.Model.Batch;

/// <summary>
/// What a job's runner has done that outlives its process: the manifest read into chunks, the completion report written,
/// and since when the job has been active (for the elapsed time).
/// </summary>
public sealed record BatchProgress
{
    public int Chunks { get; init; }

    public bool Prepared { get; init; }

    public string? ReportManifestKey { get; init; }

    /// <summary>Keys the completion report has written so far (removed if a later attempt starts it again).</summary>
    public IReadOnlyList<string> ReportKeys { get; init; } = [];

    public static BatchProgress Decode(byte[]? body) =>
        body is null ? new BatchProgress() : JsonSerializer.Deserialize<BatchProgress>(body) ?? new BatchProgress();

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this);
}
