using System.Globalization;
using Coffer.Storage.Records;
using Coffer.Storage.Rows;

namespace Coffer.Storage.Postgres;

/// <summary>
/// Run partitions. The claimable ones are read <c>FOR UPDATE SKIP LOCKED</c> in a write transaction, as the run queue is,
/// so two nodes never take the same partition. Key samples come from <c>TABLESAMPLE SYSTEM</c> over a bounded number of
/// the table's pages (every page of a small table), sorted; rows are estimated from the fraction sampled.
/// </summary>
internal sealed class PostgresPartitions(PostgresSession session) : PostgresAggregate(session), IPartitionWriter
{
    /// <summary>How many of the table's pages a sample reads at most: enough blocks that quantiles land within a few percent.</summary>
    private const double SampledPages = 4000;

    public IReadOnlyList<PartitionRecord> List(string jobId) =>
        ReadAll(Command($"SELECT {PartitionRows.Columns} FROM inventory_partitions WHERE job_id = $1 ORDER BY partition", jobId), PartitionRows.Read);

    public KeySample SampleKeys(long bucketId, string fromKey, string? toKey, int maxKeys)
    {
        var pages = Scalar<long>(Command("SELECT GREATEST(pg_relation_size('object_versions') / current_setting('block_size')::bigint, 1)"));
        var percent = Math.Min(100.0, 100.0 * SampledPages / pages);
        var visible = PostgresVersions.VisibleAt(Session.AsOf);
        var sampled = ReadAll(Command(
            $"SELECT key FROM object_versions TABLESAMPLE SYSTEM ({percent.ToString("0.######", CultureInfo.InvariantCulture)}) " +
            $"WHERE bucket_id = $1 AND key >= $2{(toKey is null ? "" : " AND key < $3")} AND {visible} ORDER BY key",
            toKey is null ? [bucketId, fromKey] : [bucketId, fromKey, toKey]), r => r.GetString(0));
        var rows = percent >= 100 ? sampled.Count : (long)Math.Round(sampled.Count * 100.0 / percent);
        var stride = Math.Max(1, sampled.Count / Math.Max(1, maxKeys));
        return new KeySample(rows, [.. sampled.Where((_, i) => i % stride == 0)]) { Estimated = percent < 100 };
    }

    /// <summary>The table sample already reads a bounded number of blocks, whatever the range's size.</summary>
    public KeySample SplitCandidates(long bucketId, string fromKey, string? toKey, int maxKeys, long exactBelow) =>
        SampleKeys(bucketId, fromKey, toKey, maxKeys);

    public PartitionRecord? Get(string jobId, int index) =>
        ReadOne(Command($"SELECT {PartitionRows.Columns} FROM inventory_partitions WHERE job_id = $1 AND partition = $2{Locking("FOR UPDATE")}", jobId, index),
            PartitionRows.Read);

    public IReadOnlyList<PartitionRecord> ListClaimable(string? jobId, DateTimeOffset now, int limit) => ReadAll(Command(
        $"SELECT {PartitionRows.Columns} FROM inventory_partitions WHERE ($1::text IS NULL OR job_id = $1) " +
        "AND (state = 'pending' OR (state = 'running' AND (lease_expires IS NULL OR lease_expires < $2))) " +
        $"ORDER BY job_id, partition LIMIT $3{Locking("FOR UPDATE SKIP LOCKED")}",
        jobId, now.ToUnixTimeMilliseconds(), limit), PartitionRows.Read);

    public void Insert(PartitionRecord partition) => NonQuery(Command(
        "INSERT INTO inventory_partitions (job_id, partition, from_key, to_key, state, lease_owner, lease_expires, progress, record_format) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", Values(partition)));

    public void Update(PartitionRecord partition)
    {
        var updated = NonQuery(Command(
            "UPDATE inventory_partitions SET from_key = $3, to_key = $4, state = $5, lease_owner = $6, lease_expires = $7, progress = $8, " +
            "record_format = $9 WHERE job_id = $1 AND partition = $2", Values(partition)));
        if (updated != 1)
        {
            throw new InvalidOperationException($"Partition {partition.Index} of run {partition.JobId} was not written.");
        }
    }

    public int DeleteAll(string jobId) => NonQuery(Command("DELETE FROM inventory_partitions WHERE job_id = $1", jobId));

    private static object?[] Values(PartitionRecord partition) =>
    [
        partition.JobId, partition.Index, partition.FromKey, partition.ToKey, partition.State, partition.LeaseOwner,
        partition.LeaseExpires?.ToUnixTimeMilliseconds(), partition.Progress, (short)PostgresMetadataStore.RecordFormat,
    ];
}
