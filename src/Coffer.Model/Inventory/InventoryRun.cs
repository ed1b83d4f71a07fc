namespace Coffer.Model.Inventory;

public enum InventoryRunState
{
    Queued,
    Running,
    Succeeded,
    Failed,
}

public enum InventoryTrigger
{
    /// <summary>POST Bucket inventory.</summary>
    OneTime,

    /// <summary>A periodic configuration that came due.</summary>
    Scheduled,

    /// <summary>An operator asked for a periodic configuration to run now.</summary>
    Manual,
}

/// <summary>One inventory run and what it has done so far.</summary>
public sealed record InventoryRun
{
    public required string JobId { get; init; }

    public required string Bucket { get; init; }

    public required string ConfigId { get; init; }

    public InventoryTrigger Trigger { get; init; }

    public InventoryRunState State { get; init; }

    /// <summary>The configuration as it was when the run was queued.</summary>
    public required InventoryConfiguration Configuration { get; init; }

    public DateTimeOffset QueuedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public long ObjectsScanned { get; init; }

    public long BytesScanned { get; init; }

    public long ObjectsMatched { get; init; }

    public long BytesMatched { get; init; }

    public long FilesWritten { get; init; }

    public string? ManifestKey { get; init; }

    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }
}
