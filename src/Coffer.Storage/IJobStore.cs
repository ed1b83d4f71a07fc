using Coffer.Storage.Records;

namespace Coffer.Storage;

/// <summary>The batch job queue: jobs with their state, counters and lease, and their tasks in chunks.</summary>
public interface IJobReader
{
    /// <summary>The job; in a write transaction it is held until the commit.</summary>
    BatchJobRecord? Get(string jobId);

    /// <summary>The account's job created with <paramref name="clientToken"/>, if any.</summary>
    BatchJobRecord? FindByToken(string account, string clientToken);

    /// <summary>
    /// The account's jobs, newest first, in one of <paramref name="states"/> (any state when empty), after
    /// <paramref name="after"/> (a page marker).
    /// </summary>
    IReadOnlyList<BatchJobRecord> List(string account, IReadOnlyCollection<string> states, int limit, BatchJobRecord? after = null);

    /// <summary>
    /// Jobs in one of <paramref name="states"/>, highest priority first, then oldest (the runners' queue). In a write
    /// transaction the jobs returned are held until the commit, and jobs another transaction holds are skipped.
    /// </summary>
    IReadOnlyList<BatchJobRecord> ListInStates(IReadOnlyCollection<string> states, int limit);

    /// <summary>One chunk; in a write transaction it is held until the commit.</summary>
    BatchChunkRecord? GetChunk(string jobId, int chunk);

    /// <summary>The job's chunks from <paramref name="fromChunk"/> on, in order; with <paramref name="unfinishedOnly"/> only those with tasks left.</summary>
    IReadOnlyList<BatchChunkRecord> ListChunks(string jobId, int fromChunk, int limit, bool unfinishedOnly = false);
}

public interface IJobWriter : IJobReader
{
    /// <summary>Adds a job; a job id or an (account, client token) pair already taken fails the transaction.</summary>
    void Insert(BatchJobRecord job);

    /// <summary>Replaces the stored job with the same id.</summary>
    void Update(BatchJobRecord job);

    void InsertChunks(IReadOnlyList<BatchChunkRecord> chunks);

    /// <summary>Replaces the stored chunk (its progress and results).</summary>
    void UpdateChunk(BatchChunkRecord chunk);

    /// <summary>Removes every chunk of the job (a preparation started again, or a job expired).</summary>
    void DeleteChunks(string jobId);
}
