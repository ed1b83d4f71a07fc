namespace Coffer.Model.Objects;

public sealed record ListVersionsQuery
{
    public string Prefix { get; init; } = "";

    public string? Delimiter { get; init; }

    public string? KeyMarker { get; init; }

    public string? VersionIdMarker { get; init; }

    public int MaxKeys { get; init; } = 1000;
}

/// <summary>Versions and delete markers (in <see cref="Versions"/>, in listing order) and the markers of the next page.</summary>
public sealed record ListVersionsPage(
    IReadOnlyList<ObjectInfo> Versions,
    IReadOnlyList<string> CommonPrefixes,
    bool IsTruncated,
    string? NextKeyMarker,
    string? NextVersionIdMarker);
