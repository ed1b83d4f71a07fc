namespace Coffer.Storage.Records;

public enum VersioningState
{
    Unversioned = 0,
    Enabled = 1,
    Suspended = 2,
}

/// <summary>A bucket as the metadata store keeps it.</summary>
public sealed record BucketRecord
{
    public long Id { get; init; }

    public required string Name { get; init; }

    public required string OwnerAppId { get; init; }

    public required string Region { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public VersioningState Versioning { get; init; }
}
