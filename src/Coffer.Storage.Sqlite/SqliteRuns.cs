using Coffer.Storage.Records;
using Coffer.Storage.Rows;

namespace Coffer.Storage.Sqlite;

internal sealed class SqliteRuns(SqliteSession session) : SqliteAggregate(session), IRunWriter
{
    public InventoryRunRecord? Get(string jobId)
    {
        using var command = Command($"SELECT {RunRows.Columns} FROM inventory_runs WHERE job_id = $job");
        command.Parameters.AddWithValue("$job", jobId);
        return ReadOne(command, RunRows.Read);
    }

    public IReadOnlyList<InventoryRunRecord> List(long bucketId, string? configId, int limit, InventoryRunRecord? after = null)
    {
        using var command = Command(
            $"SELECT {RunRows.Columns} FROM inventory_runs WHERE bucket_id = $bucket " +
            (configId is null ? "" : "AND config_id = $config ") +
            (after is null ? "" : "AND (queued_at < $queued OR (queued_at = $queued AND job_id < $job)) ") +
            "ORDER BY queued_at DESC, job_id DESC LIMIT $limit");
        command.Parameters.AddWithValue("$bucket", bucketId);
        if (configId is not null)
        {
            command.Parameters.AddWithValue("$config", configId);
        }

        if (after is not null)
        {
            command.Parameters.AddWithValue("$queued", after.QueuedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$job", after.JobId);
        }

        command.Parameters.AddWithValue("$limit", limit);
        return ReadAll(command, RunRows.Read);
    }

    public IReadOnlyList<InventoryRunRecord> ListInState(string state, int limit)
    {
        // The one writer connection already keeps two runners from taking the same run.
        using var command = Command($"SELECT {RunRows.Columns} FROM inventory_runs WHERE state = $state ORDER BY queued_at, job_id LIMIT $limit");
        command.Parameters.AddWithValue("$state", state);
        command.Parameters.AddWithValue("$limit", limit);
        return ReadAll(command, RunRows.Read);
    }

    public byte[]? GetSummary(string jobId)
    {
        using var command = Command("SELECT summary FROM inventory_runs WHERE job_id = $job");
        command.Parameters.AddWithValue("$job", jobId);
        return command.ExecuteScalar() as byte[];
    }

    public void SetSummary(string jobId, byte[] summary)
    {
        using var command = Command("UPDATE inventory_runs SET summary = $summary WHERE job_id = $job");
        command.Parameters.AddWithValue("$summary", summary);
        command.Parameters.AddWithValue("$job", jobId);
        command.ExecuteNonQuery();
    }

    public void Insert(InventoryRunRecord run) => Write(run,
        $"INSERT INTO inventory_runs ({RunRows.Columns}, record_format) VALUES ($job, $bucket, $config_id, $trigger, $state, $config, $queued, " +
        "$started, $finished, $scanned, $bytes_scanned, $matched, $bytes_matched, $files, $manifest, $error_code, $error_message, " +
        "$progress, $lease_owner, $lease_expires, $format)");

    public void Update(InventoryRunRecord run) => Write(run,
        "UPDATE inventory_runs SET bucket_id = $bucket, config_id = $config_id, trigger = $trigger, state = $state, config = $config, " +
        "queued_at = $queued, started_at = $started, finished_at = $finished, objects_scanned = $scanned, bytes_scanned = $bytes_scanned, " +
        "objects_matched = $matched, bytes_matched = $bytes_matched, files_written = $files, manifest_key = $manifest, " +
        "error_code = $error_code, error_message = $error_message, progress = $progress, lease_owner = $lease_owner, " +
        "lease_expires = $lease_expires, record_format = $format WHERE job_id = $job");

    private void Write(InventoryRunRecord run, string sql)
    {
        using var command = Command(sql);
        var p = command.Parameters;
        p.AddWithValue("$job", run.JobId);
        p.AddWithValue("$bucket", run.BucketId);
        p.AddWithValue("$config_id", run.ConfigId);
        p.AddWithValue("$trigger", run.Trigger);
        p.AddWithValue("$state", run.State);
        p.AddWithValue("$config", run.Config);
        p.AddWithValue("$queued", run.QueuedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$started", Nullable(run.StartedAt?.ToUnixTimeMilliseconds()));
        p.AddWithValue("$finished", Nullable(run.FinishedAt?.ToUnixTimeMilliseconds()));
        p.AddWithValue("$scanned", run.ObjectsScanned);
        p.AddWithValue("$bytes_scanned", run.BytesScanned);
        p.AddWithValue("$matched", run.ObjectsMatched);
        p.AddWithValue("$bytes_matched", run.BytesMatched);
        p.AddWithValue("$files", run.FilesWritten);
        p.AddWithValue("$manifest", Nullable(run.ManifestKey));
        p.AddWithValue("$error_code", Nullable(run.ErrorCode));
        p.AddWithValue("$error_message", Nullable(run.ErrorMessage));
        p.AddWithValue("$progress", Nullable(run.Progress));
        p.AddWithValue("$lease_owner", Nullable(run.LeaseOwner));
        p.AddWithValue("$lease_expires", Nullable(run.LeaseExpires?.ToUnixTimeMilliseconds()));
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"Inventory run {run.JobId} was not written.");
        }
    }
}
