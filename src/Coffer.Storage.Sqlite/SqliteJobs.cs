using Coffer.Storage.Records;
using Coffer.Storage.Rows;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>Batch jobs and their chunks of tasks (schema 6).</summary>
internal sealed class SqliteJobs(SqliteSession session) : SqliteAggregate(session), IJobWriter
{
    public BatchJobRecord? Get(string jobId)
    {
        using var command = Command($"SELECT {JobRows.Columns} FROM batch_jobs WHERE job_id = $job");
        command.Parameters.AddWithValue("$job", jobId);
        return ReadOne(command, JobRows.Read);
    }

    public BatchJobRecord? FindByToken(string account, string clientToken)
    {
        using var command = Command($"SELECT {JobRows.Columns} FROM batch_jobs WHERE account = $account AND client_token = $token");
        command.Parameters.AddWithValue("$account", account);
        command.Parameters.AddWithValue("$token", clientToken);
        return ReadOne(command, JobRows.Read);
    }

    public IReadOnlyList<BatchJobRecord> List(string account, IReadOnlyCollection<string> states, int limit, BatchJobRecord? after = null)
    {
        using var command = Command(
            $"SELECT {JobRows.Columns} FROM batch_jobs WHERE account = $account " +
            (states.Count == 0 ? "" : $"AND status IN ({string.Join(", ", states.Select((_, i) => $"$s{i}"))}) ") +
            (after is null ? "" : "AND (created_at < $created OR (created_at = $created AND job_id < $after)) ") +
            "ORDER BY created_at DESC, job_id DESC LIMIT $limit");
        command.Parameters.AddWithValue("$account", account);
        BindStates(command, states);
        if (after is not null)
        {
            command.Parameters.AddWithValue("$created", after.CreatedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$after", after.JobId);
        }

        command.Parameters.AddWithValue("$limit", limit);
        return ReadAll(command, JobRows.Read);
    }

    public IReadOnlyList<BatchJobRecord> ListInStates(IReadOnlyCollection<string> states, int limit)
    {
        // The one writer connection already keeps two runners from taking the same job.
        using var command = Command(
            $"SELECT {JobRows.Columns} FROM batch_jobs WHERE status IN ({string.Join(", ", states.Select((_, i) => $"$s{i}"))}) " +
            "ORDER BY priority DESC, created_at, job_id LIMIT $limit");
        BindStates(command, states);
        command.Parameters.AddWithValue("$limit", limit);
        return ReadAll(command, JobRows.Read);
    }

    public BatchChunkRecord? GetChunk(string jobId, int chunk)
    {
        using var command = Command($"SELECT {JobRows.ChunkColumns} FROM batch_job_chunks WHERE job_id = $job AND chunk = $chunk");
        command.Parameters.AddWithValue("$job", jobId);
        command.Parameters.AddWithValue("$chunk", chunk);
        return ReadOne(command, JobRows.ReadChunk);
    }

    public IReadOnlyList<BatchChunkRecord> ListChunks(string jobId, int fromChunk, int limit, bool unfinishedOnly = false)
    {
        using var command = Command(
            $"SELECT {JobRows.ChunkColumns} FROM batch_job_chunks WHERE job_id = $job AND chunk >= $from " +
            (unfinishedOnly ? "AND done < task_count " : "") + "ORDER BY chunk LIMIT $limit");
        command.Parameters.AddWithValue("$job", jobId);
        command.Parameters.AddWithValue("$from", fromChunk);
        command.Parameters.AddWithValue("$limit", limit);
        return ReadAll(command, JobRows.ReadChunk);
    }

    public void Insert(BatchJobRecord job) => Write(job,
        $"INSERT INTO batch_jobs ({JobRows.Columns}, record_format) VALUES ($job, $account, $token, $status, $priority, $created, $finished, $total, " +
        "$succeeded, $failed, $active, $spec, $tags, $progress, $reason, $failure_code, $failure_reason, $lease_owner, $lease_expires, $format)");

    public void Update(BatchJobRecord job) => Write(job,
        "UPDATE batch_jobs SET account = $account, client_token = $token, status = $status, priority = $priority, created_at = $created, " +
        "finished_at = $finished, total_tasks = $total, tasks_succeeded = $succeeded, tasks_failed = $failed, active_ms = $active, spec = $spec, " +
        "tags = $tags, progress = $progress, status_reason = $reason, failure_code = $failure_code, failure_reason = $failure_reason, " +
        "lease_owner = $lease_owner, lease_expires = $lease_expires, record_format = $format WHERE job_id = $job");

    public void InsertChunks(IReadOnlyList<BatchChunkRecord> chunks)
    {
        using var command = Command(
            $"INSERT INTO batch_job_chunks ({JobRows.ChunkColumns}, record_format) VALUES ($job, $chunk, $tasks, $count, $done, $succeeded, $failed, $results, $format)");
        foreach (var chunk in chunks)
        {
            command.Parameters.Clear();
            BindChunk(command, chunk);
            command.ExecuteNonQuery();
        }
    }

    public void UpdateChunk(BatchChunkRecord chunk)
    {
        using var command = Command(
            "UPDATE batch_job_chunks SET tasks = $tasks, task_count = $count, done = $done, succeeded = $succeeded, failed = $failed, " +
            "results = $results, record_format = $format WHERE job_id = $job AND chunk = $chunk");
        BindChunk(command, chunk);
        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"Chunk {chunk.Chunk} of batch job {chunk.JobId} was not written.");
        }
    }

    public void DeleteChunks(string jobId)
    {
        using var command = Command("DELETE FROM batch_job_chunks WHERE job_id = $job");
        command.Parameters.AddWithValue("$job", jobId);
        command.ExecuteNonQuery();
    }

    private static void BindStates(SqliteCommand command, IReadOnlyCollection<string> states)
    {
        var i = 0;
        foreach (var state in states)
        {
            command.Parameters.AddWithValue($"$s{i++}", state);
        }
    }

    private void Write(BatchJobRecord job, string sql)
    {
        using var command = Command(sql);
        var p = command.Parameters;
        p.AddWithValue("$job", job.JobId);
        p.AddWithValue("$account", job.Account);
        p.AddWithValue("$token", Nullable(job.ClientToken));
        p.AddWithValue("$status", job.Status);
        p.AddWithValue("$priority", job.Priority);
        p.AddWithValue("$created", job.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$finished", Nullable(job.FinishedAt?.ToUnixTimeMilliseconds()));
        p.AddWithValue("$total", job.TotalTasks);
        p.AddWithValue("$succeeded", job.TasksSucceeded);
        p.AddWithValue("$failed", job.TasksFailed);
        p.AddWithValue("$active", job.ActiveMilliseconds);
        p.AddWithValue("$spec", job.Spec);
        p.AddWithValue("$tags", Nullable(job.Tags));
        p.AddWithValue("$progress", Nullable(job.Progress));
        p.AddWithValue("$reason", Nullable(job.StatusReason));
        p.AddWithValue("$failure_code", Nullable(job.FailureCode));
        p.AddWithValue("$failure_reason", Nullable(job.FailureReason));
        p.AddWithValue("$lease_owner", Nullable(job.LeaseOwner));
        p.AddWithValue("$lease_expires", Nullable(job.LeaseExpires?.ToUnixTimeMilliseconds()));
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"Batch job {job.JobId} was not written.");
        }
    }

    private static void BindChunk(SqliteCommand command, BatchChunkRecord chunk)
    {
        var p = command.Parameters;
        p.AddWithValue("$job", chunk.JobId);
        p.AddWithValue("$chunk", chunk.Chunk);
        p.AddWithValue("$tasks", chunk.Tasks);
        p.AddWithValue("$count", chunk.TaskCount);
        p.AddWithValue("$done", chunk.Done);
        p.AddWithValue("$succeeded", chunk.Succeeded);
        p.AddWithValue("$failed", chunk.Failed);
        p.AddWithValue("$results", Nullable(chunk.Results));
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
    }
}
