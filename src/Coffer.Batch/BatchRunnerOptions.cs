using Coffer.Model.Batch;

namespace Coffer.Batch;

public sealed record BatchRunnerOptions
{
    /// <summary>How long a claimed job stays this runner's without a renewal; every chunk renews it.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Who holds leases: unique per process.</summary>
    public string Owner { get; init; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Tasks per chunk: the unit of a transaction (metadata operations) and of resumption.</summary>
    public int ChunkSize { get; init; } = 1000;

    /// <summary>Chunks worked on at once.</summary>
    public int Parallelism { get; init; } = 4;

    /// <summary>
    /// The wire code and HTTP status of an error (an <c>ErrorCode</c> name) in the job's dialect, for the completion
    /// report; the server supplies its error table. Without it the report carries the name and 500.
    /// </summary>
    public Func<string, BatchDialect, (string Code, int Status)>? DescribeError { get; init; }

    /// <summary>Called once a job has reached a terminal state (the server logs it).</summary>
    public Action<BatchJob>? JobEnded { get; init; }

    /// <summary>Called after each chunk's results commit, with the job id and the tasks done so far (tests hook in here).</summary>
    public Action<string, long>? ChunkDone { get; init; }
}
