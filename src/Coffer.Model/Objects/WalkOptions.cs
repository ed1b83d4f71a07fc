namespace Coffer.Model.Objects;

/// <summary>What a <see cref="IObjectService.Walk"/> visits, and which of the heavier attributes it reads.</summary>
public sealed record WalkOptions
{
    public string Prefix { get; init; } = "";

    /// <summary>Every version and delete marker; otherwise only current objects (no delete markers).</summary>
    public bool AllVersions { get; init; }

    public bool WithTags { get; init; }

    public bool WithUserMetadata { get; init; }

    /// <summary>Stored headers (Content-Encoding, checksums, ...).</summary>
    public bool WithHeaders { get; init; }

    /// <summary>A pinned instant to read the bucket at (an inventory run's, from <see cref="Inventory.ClaimedRun.Snapshot"/>); null reads it now.</summary>
    public string? At { get; init; }
}
