using Coffer.Storage.Records;
using Coffer.Storage.Rows;

namespace Coffer.Storage.Postgres;

/// <summary>Batch jobs and their chunks; the queue is read FOR UPDATE SKIP LOCKED, so two nodes never take the same job.</summary>
internal sealed class PostgresJobs(PostgresSession session) : PostgresAggregate(session), IJobWriter
{
    // Row-locked in a write transaction: claiming, renewing, cancelling and finishing are decided on the job as it is now.
    public BatchJobRecord? Get(string jobId) =>
        ReadOne(Command($"SELECT {JobRows.Columns} FROM batch_jobs WHERE job_id = $1{Locking("FOR UPDATE")}", jobId), JobRows.Read);

    public BatchJobRecord? FindByToken(string account, string clientToken) =>
        ReadOne(Command($"SELECT {JobRows.Columns} FROM batch_jobs WHERE account = $1 AND client_token = $2", account, clientToken), JobRows.Read);

    public IReadOnlyList<BatchJobRecord> List(string account, IReadOnlyCollection<string> states, int limit, BatchJobRecord? after = null)
    {
        var parameters = new List<object?> { account, limit };
        var sql = $"SELECT {JobRows.Columns} FROM batch_jobs WHERE account = $1";
        if (states.Count > 0)
        {
            parameters.Add(states.ToArray());
            sql += $" AND status = ANY(${parameters.Count})";
        }

        if (after is not null)
        {
            parameters.Add(after.CreatedAt.ToUnixTimeMilliseconds());
            parameters.Add(after.JobId);
            sql += $" AND (created_at, job_id) < (${parameters.Count - 1}, ${parameters.Count})";
        }

        return ReadAll(Command(sql + " ORDER BY created_at DESC, job_id DESC LIMIT $2", [.. parameters]), JobRows.Read);
    }

    public IReadOnlyList<BatchJobRecord> ListInStates(IReadOnlyCollection<string> states, int limit) => ReadAll(Command(
        $"SELECT {JobRows.Columns} FROM batch_jobs WHERE status = ANY($1) ORDER BY priority DESC, created_at, job_id LIMIT $2{Locking("FOR UPDATE SKIP LOCKED")}",
        states.ToArray(), limit), JobRows.Read);

    public BatchChunkRecord? GetChunk(string jobId, int chunk) =>
        ReadOne(Command($"SELECT {JobRows.ChunkColumns} FROM batch_job_chunks WHERE job_id = $1 AND chunk = $2{Locking("FOR UPDATE")}", jobId, chunk),
            JobRows.ReadChunk);

    public IReadOnlyList<BatchChunkRecord> ListChunks(string jobId, int fromChunk, int limit, bool unfinishedOnly = false) => ReadAll(Command(
        $"SELECT {JobRows.ChunkColumns} FROM batch_job_chunks WHERE job_id = $1 AND chunk >= $2 {(unfinishedOnly ? "AND done < task_count " : "")}" +
        "ORDER BY chunk LIMIT $3", jobId, fromChunk, limit), JobRows.ReadChunk);

    public void Insert(BatchJobRecord job) => NonQuery(Command(
        $"INSERT INTO batch_jobs ({JobRows.Columns}, record_format) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
        Values(job)));

    public void Update(BatchJobRecord job)
    {
        var updated = NonQuery(Command(
            "UPDATE batch_jobs SET account = $2, client_token = $3, status = $4, priority = $5, created_at = $6, finished_at = $7, total_tasks = $8, " +
            "tasks_succeeded = $9, tasks_failed = $10, active_ms = $11, spec = $12, tags = $13, progress = $14, status_reason = $15, " +
            "failure_code = $16, failure_reason = $17, lease_owner = $18, lease_expires = $19, record_format = $20 WHERE job_id = $1",
            Values(job)));
        if (updated != 1)
        {
            throw new InvalidOperationException($"Batch job {job.JobId} was not written.");
        }
    }

    public void InsertChunks(IReadOnlyList<BatchChunkRecord> chunks)
    {
        foreach (var chunk in chunks)
        {
            NonQuery(Command($"INSERT INTO batch_job_chunks ({JobRows.ChunkColumns}, record_format) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                ChunkValues(chunk)));
        }
    }

    public void UpdateChunk(BatchChunkRecord chunk)
    {
        var updated = NonQuery(Command(
            "UPDATE batch_job_chunks SET tasks = $3, task_count = $4, done = $5, succeeded = $6, failed = $7, results = $8, record_format = $9 " +
            "WHERE job_id = $1 AND chunk = $2", ChunkValues(chunk)));
        if (updated != 1)
        {
            throw new InvalidOperationException($"Chunk {chunk.Chunk} of batch job {chunk.JobId} was not written.");
        }
    }

    public void DeleteChunks(string jobId) => NonQuery(Command("DELETE FROM batch_job_chunks WHERE job_id = $1", jobId));

    private static object?[] Values(BatchJobRecord job) =>
    [
        job.JobId, job.Account, job.ClientToken, job.Status, job.Priority, job.CreatedAt.ToUnixTimeMilliseconds(), job.FinishedAt?.ToUnixTimeMilliseconds(),
        job.TotalTasks, job.TasksSucceeded, job.TasksFailed, job.ActiveMilliseconds, job.Spec, job.Tags, job.Progress, job.StatusReason,
        job.FailureCode, job.FailureReason, job.LeaseOwner, job.LeaseExpires?.ToUnixTimeMilliseconds(), (short)PostgresMetadataStore.RecordFormat,
    ];

    private static object?[] ChunkValues(BatchChunkRecord chunk) =>
    [
        chunk.JobId, chunk.Chunk, chunk.Tasks, chunk.TaskCount, chunk.Done, chunk.Succeeded, chunk.Failed, chunk.Results,
        (short)PostgresMetadataStore.RecordFormat,
    ];
}
