using System.Text.Json;

namespace Coffer.Inventory.Running;

/// <summary>
/// An object a run writes into the destination (a part, the symlink, the manifest). It is recorded before its write
/// starts, without a version id, so an attempt that dies mid-write still leaves a trace of it; the version id is added
/// once the write has finished.
/// </summary>
public sealed record WrittenObject(string Key, string? VersionId);

/// <summary>
/// What an attempt has written so far, saved as it goes. An attempt that dies leaves this behind; the next attempt
/// removes every object listed (for an entry without a version id: the versions of that key the dead attempt may have
/// made, those created since it started) before it starts over at the run's pinned instant, so no manifest points at
/// files from a dead attempt, and every attempt reports the bucket as it was at that one instant.
/// </summary>
public sealed record RunProgress(int Attempt, DateTimeOffset AttemptStarted, IReadOnlyList<WrittenObject> Written)
{
    private const int Format = 2;

    public static RunProgress? Decode(byte[]? data)
    {
        if (data is null)
        {
            return null;
        }

        var envelope = JsonSerializer.Deserialize<Envelope>(data) ?? throw new InvalidDataException("Empty inventory run progress.");
        return envelope.Format == Format ? envelope.Progress : throw new InvalidDataException($"Unknown run progress format {envelope.Format}.");
    }

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(new Envelope(Format, this));

    /// <summary>Records that a write of <paramref name="key"/> is about to start.</summary>
    public RunProgress Planned(string key) => this with { Written = [.. Written, new WrittenObject(key, null)] };

    /// <summary>Records that the write of <paramref name="key"/> finished as <paramref name="versionId"/>.</summary>
    public RunProgress Finished(string key, string versionId) =>
        this with { Written = [.. Written.Select(w => w.Key == key ? new WrittenObject(key, versionId) : w)] };

    private sealed record Envelope(int Format, RunProgress Progress);
}
