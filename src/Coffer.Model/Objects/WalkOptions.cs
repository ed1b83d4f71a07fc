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
}
