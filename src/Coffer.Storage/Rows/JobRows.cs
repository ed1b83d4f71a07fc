using System.Data.Common;
using Coffer.Storage.Records;
using static Coffer.Storage.Rows.RowValues;

namespace Coffer.Storage.Rows;

/// <summary>The columns of <c>batch_jobs</c> and <c>batch_job_chunks</c> in the order both engines select them, and the records they make.</summary>
public static class JobRows
{
    public const string Columns =
        "job_id, account, client_token, status, priority, created_at, finished_at, total_tasks, tasks_succeeded, tasks_failed, active_ms, " +
        "spec, tags, progress, status_reason, failure_code, failure_reason, lease_owner, lease_expires";

    public const string ChunkColumns = "job_id, chunk, tasks, task_count, done, succeeded, failed, results";

    /// <summary>A job from a row of <see cref="Columns"/>.</summary>
    public static BatchJobRecord Read(DbDataReader reader) => new()
    {
        JobId = reader.GetString(0),
        Account = reader.GetString(1),
        ClientToken = Text(reader, 2),
        Status = reader.GetString(3),
        Priority = reader.GetInt32(4),
        CreatedAt = Millis(reader, 5),
        FinishedAt = Time(reader, 6),
        TotalTasks = reader.GetInt64(7),
        TasksSucceeded = reader.GetInt64(8),
        TasksFailed = reader.GetInt64(9),
        ActiveMilliseconds = reader.GetInt64(10),
        Spec = reader.GetFieldValue<byte[]>(11),
        Tags = Blob(reader, 12),
        Progress = Blob(reader, 13),
        StatusReason = Text(reader, 14),
        FailureCode = Text(reader, 15),
        FailureReason = Text(reader, 16),
        LeaseOwner = Text(reader, 17),
        LeaseExpires = Time(reader, 18),
    };

    /// <summary>A chunk from a row of <see cref="ChunkColumns"/>.</summary>
    public static BatchChunkRecord ReadChunk(DbDataReader reader) => new()
    {
        JobId = reader.GetString(0),
        Chunk = reader.GetInt32(1),
        Tasks = reader.GetFieldValue<byte[]>(2),
        TaskCount = reader.GetInt32(3),
        Done = reader.GetInt32(4),
        Succeeded = reader.GetInt32(5),
        Failed = reader.GetInt32(6),
        Results = Blob(reader, 7),
    };
}
