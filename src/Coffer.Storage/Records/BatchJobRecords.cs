namespace Coffer.Storage.Records;

/// <summary>The states of a batch job, stored as S3 Batch Operations names them (<c>JobStatus</c>).</summary>
public static class BatchJobStates
{
    public const string New = "New";
    public const string Preparing = "Preparing";
    public const string Suspended = "Suspended";
    public const string Ready = "Ready";
    public const string Active = "Active";
    public const string Cancelling = "Cancelling";
    public const string Cancelled = "Cancelled";
    public const string Failing = "Failing";
    public const string Failed = "Failed";
    public const string Completing = "Completing";
    public const string Complete = "Complete";

    /// <summary>Every state, in the order AWS lists them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Active, Cancelled, Cancelling, Complete, Completing, Failed, Failing, New, Preparing, Ready, Suspended];

    /// <summary>States a job never leaves.</summary>
    public static bool IsTerminal(string state) => state is Complete or Cancelled or Failed;
}

/// <summary>
/// One batch job: what it was created with (<see cref="Spec"/>, encoded by the model), where it stands, its counters and
/// its lease. The tasks live in chunks (<see cref="BatchChunkRecord"/>).
/// </summary>
public sealed record BatchJobRecord
{
    public required string JobId { get; init; }

    /// <summary>The account the job belongs to (its APPID): lists and look-ups are per account.</summary>
    public required string Account { get; init; }

    /// <summary>The creator's idempotency token; unique per account.</summary>
    public string? ClientToken { get; init; }

    public required string Status { get; init; }

    public int Priority { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the job reached a terminal state.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    public long TotalTasks { get; init; }

    public long TasksSucceeded { get; init; }

    public long TasksFailed { get; init; }

    /// <summary>Milliseconds spent running (Active) so far.</summary>
    public long ActiveMilliseconds { get; init; }

    /// <summary>The job as created (operation, manifest, report, creator), encoded by the model.</summary>
    public required byte[] Spec { get; init; }

    /// <summary>The job's tags, encoded by the model; null when it has none.</summary>
    public byte[]? Tags { get; init; }

    /// <summary>The runner's own state (what it has prepared and written), encoded by the runner.</summary>
    public byte[]? Progress { get; init; }

    public string? StatusReason { get; init; }

    public string? FailureCode { get; init; }

    public string? FailureReason { get; init; }

    public string? LeaseOwner { get; init; }

    public DateTimeOffset? LeaseExpires { get; init; }
}

/// <summary>
/// A run of consecutive tasks of a job: their objects (<see cref="Tasks"/>, encoded by the model), how many are done, and
/// the outcomes worth keeping (<see cref="Results"/>). A chunk's progress is written in the same transaction as the
/// effects of the tasks it records, so a task is never applied twice nor skipped.
/// </summary>
public sealed record BatchChunkRecord
{
    public required string JobId { get; init; }

    /// <summary>0, 1, 2, … in manifest order.</summary>
    public int Chunk { get; init; }

    public required byte[] Tasks { get; init; }

    public int TaskCount { get; init; }

    /// <summary>How many of the chunk's tasks (from its first) are done.</summary>
    public int Done { get; init; }

    public int Succeeded { get; init; }

    public int Failed { get; init; }

    /// <summary>Outcomes of the done tasks that the completion report needs beyond "succeeded", encoded by the model.</summary>
    public byte[]? Results { get; init; }
}
