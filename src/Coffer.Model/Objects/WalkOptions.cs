namespace Coffer.Model.Objects;

/// <summary>What a <see cref="IObjectService.Walk"/> visits, and which of the heavier attributes it reads.</summary>
public sealed record WalkOptions
{
    public string Prefix { get; init; } = "";

    /// <summary>Where the walk starts within the prefix (a partition's first key, a resumed cursor); null starts at the prefix.</summary>
    public string? Start { get; init; }

    /// <summary>Starts just after <see cref="Start"/> rather than at it (a cursor: every version of that key was walked).</summary>
    public bool StartAfter { get; init; }

    /// <summary>The first key the walk does not reach (a partition's end); null walks to the end of the prefix.</summary>
    public string? End { get; init; }

    /// <summary>Every version and delete marker; otherwise only current objects (no delete markers).</summary>
    public bool AllVersions { get; init; }

    public bool WithTags { get; init; }

    public bool WithUserMetadata { get; init; }

    /// <summary>Stored headers (Content-Encoding, checksums, ...).</summary>
    public bool WithHeaders { get; init; }

    /// <summary>A pinned instant to read the bucket at (an inventory run's, from <see cref="Inventory.ClaimedRun.Snapshot"/>); null reads it now.</summary>
    public string? At { get; init; }
}
