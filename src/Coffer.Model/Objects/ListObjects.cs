namespace Coffer.Model.Objects;

public sealed record ListObjectsQuery
{
    public string Prefix { get; init; } = "";

    public string? Delimiter { get; init; }

    /// <summary>List keys strictly after this one (the V1 marker, the V2 start-after or continuation token).</summary>
    public string? After { get; init; }

    public int MaxKeys { get; init; } = 1000;
}

public sealed record ListObjectsPage(
    IReadOnlyList<ObjectInfo> Objects,
    IReadOnlyList<string> CommonPrefixes,
    bool IsTruncated,
    string? NextMarker);
