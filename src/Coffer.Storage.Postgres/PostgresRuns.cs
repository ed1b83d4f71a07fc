using Coffer.Storage.Records;
using Coffer.Storage.Rows;

namespace Coffer.Storage.Postgres;

internal sealed class PostgresRuns(PostgresSession session) : PostgresAggregate(session), IRunWriter
{
    // Row-locked in a write transaction: claiming, renewing and finishing a run are decided on the run as it is now.
    public InventoryRunRecord? Get(string jobId) =>
        ReadOne(Command($"SELECT {RunRows.Columns} FROM inventory_runs WHERE job_id = $1{Locking("FOR UPDATE")}", jobId), RunRows.Read);

    public IReadOnlyList<InventoryRunRecord> List(long bucketId, string? configId, int limit, InventoryRunRecord? after = null)
    {
        var parameters = new List<object?> { bucketId, limit };
        var sql = $"SELECT {RunRows.Columns} FROM inventory_runs WHERE bucket_id = $1";
        if (configId is not null)
        {
            parameters.Add(configId);
            sql += $" AND config_id = ${parameters.Count}";
        }

        if (after is not null)
        {
            parameters.Add(after.QueuedAt.ToUnixTimeMilliseconds());
            parameters.Add(after.JobId);
            sql += $" AND (queued_at, job_id) < (${parameters.Count - 1}, ${parameters.Count})";
        }

        return ReadAll(Command(sql + " ORDER BY queued_at DESC, job_id DESC LIMIT $2", [.. parameters]), RunRows.Read);
    }

    public IReadOnlyList<InventoryRunRecord> ListInState(string state, int limit) => ReadAll(Command(
        $"SELECT {RunRows.Columns} FROM inventory_runs WHERE state = $1 ORDER BY queued_at, job_id LIMIT $2{Locking("FOR UPDATE SKIP LOCKED")}",
        state, limit), RunRows.Read);

    public byte[]? GetSummary(string jobId) =>
        Session.Run(() =>
        {
            using var command = Command("SELECT summary FROM inventory_runs WHERE job_id = $1", jobId);
            return command.ExecuteScalar() as byte[];
        });

    public void SetSummary(string jobId, byte[] summary) =>
        NonQuery(Command("UPDATE inventory_runs SET summary = $2 WHERE job_id = $1", jobId, summary));

    public void Insert(InventoryRunRecord run) => NonQuery(Command(
        $"INSERT INTO inventory_runs ({RunRows.Columns}, record_format) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
        Values(run)));

    public void Update(InventoryRunRecord run)
    {
        var updated = NonQuery(Command(
            "UPDATE inventory_runs SET bucket_id = $2, config_id = $3, trigger = $4, state = $5, config = $6, queued_at = $7, started_at = $8, " +
            "finished_at = $9, objects_scanned = $10, bytes_scanned = $11, objects_matched = $12, bytes_matched = $13, files_written = $14, " +
            "manifest_key = $15, error_code = $16, error_message = $17, progress = $18, lease_owner = $19, lease_expires = $20, record_format = $21 " +
            "WHERE job_id = $1",
            Values(run)));
        if (updated != 1)
        {
            throw new InvalidOperationException($"Inventory run {run.JobId} was not written.");
        }
    }

    private static object?[] Values(InventoryRunRecord run) =>
    [
        run.JobId, run.BucketId, run.ConfigId, run.Trigger, run.State, run.Config, run.QueuedAt.ToUnixTimeMilliseconds(),
        run.StartedAt?.ToUnixTimeMilliseconds(), run.FinishedAt?.ToUnixTimeMilliseconds(), run.ObjectsScanned, run.BytesScanned, run.ObjectsMatched,
        run.BytesMatched, run.FilesWritten, run.ManifestKey, run.ErrorCode, run.ErrorMessage, run.Progress, run.LeaseOwner,
        run.LeaseExpires?.ToUnixTimeMilliseconds(), (short)PostgresMetadataStore.RecordFormat,
    ];
}
