using System.Text.Json;

namespace Coffer.Inventory.Running;

/// <summary>An object a run wrote into the destination (a part, the symlink, the manifest), to remove if the run must restart.</summary>
public sealed record WrittenObject(string Key, string VersionId);

/// <summary>
/// What a run has written so far, saved as it goes. An attempt that dies leaves this behind; the next attempt removes
/// every object listed before it starts over from a fresh snapshot, so no report ever mixes two snapshots and no
/// manifest points at files from a dead attempt.
/// </summary>
public sealed record RunProgress(int Attempt, IReadOnlyList<WrittenObject> Written)
{
    private const int Format = 1;

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

    public RunProgress With(WrittenObject written) => this with { Written = [.. Written, written] };

    private sealed record Envelope(int Format, RunProgress Progress);
}
