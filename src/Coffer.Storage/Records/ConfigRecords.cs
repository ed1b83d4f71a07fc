namespace Coffer.Storage.Records;

/// <summary>One bucket sub-resource configuration (an inventory configuration, say), kept in creation order.</summary>
public sealed record BucketConfigRecord
{
    public long BucketId { get; init; }

    public required string Kind { get; init; }

    public required string ConfigId { get; init; }

    /// <summary>Assigned at creation; replacing the configuration keeps it, so listings keep their order.</summary>
    public long Sequence { get; init; }

    /// <summary>The configuration, encoded by its owner (the model) with a format marker of its own.</summary>
    public required byte[] Body { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>The states of an inventory run, as stored.</summary>
public static class InventoryRunStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>One inventory run: queued by POST (one-time), the scheduler or an operator, then worked by a runner.</summary>
public sealed record InventoryRunRecord
{
    public required string JobId { get; init; }

    public long BucketId { get; init; }

    public required string ConfigId { get; init; }

    /// <summary>one-time, scheduled or manual.</summary>
    public required string Trigger { get; init; }

    public required string State { get; init; }

    /// <summary>The configuration as it was when the run was queued, encoded by the model.</summary>
    public required byte[] Config { get; init; }

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

    /// <summary>The runner's resumable progress, encoded by the runner.</summary>
    public byte[]? Progress { get; init; }

    public string? LeaseOwner { get; init; }

    public DateTimeOffset? LeaseExpires { get; init; }
}

/// <summary>The kinds of stored credentials.</summary>
public static class CredentialKinds
{
    public const string SubAccount = "sub";
    public const string Temporary = "temporary";
}

/// <summary>
/// A key pair the server verifies signatures with, beyond the configured root accounts: a sub-account's, or a
/// temporary key (which also needs its session token, until it expires).
/// </summary>
public sealed record CredentialRecord
{
    public required string SecretId { get; init; }

    public required string SecretKey { get; init; }

    public required string Kind { get; init; }

    /// <summary>The root account the identity belongs to.</summary>
    public required string AppId { get; init; }

    /// <summary>The identity: a sub-account's uin, or for a temporary key the uin of whoever it was issued to.</summary>
    public required string Uin { get; init; }

    public string? Name { get; init; }

    public string? SessionToken { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>A CAM policy (JSON) that applies to requests signed with this key, or null.</summary>
    public byte[]? Policy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
