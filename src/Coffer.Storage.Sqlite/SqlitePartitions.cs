using Coffer.Storage.Records;
using Coffer.Storage.Rows;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// Run partitions. The one writer connection already keeps two workers from taking the same partition. Split candidates
/// come from the b-tree's interior pages where they can (<see cref="PageSplitPoints"/>); exact samples are key-only
/// passes over the range, stepped through e_sqlite3.
/// </summary>
internal sealed class SqlitePartitions(SqliteSession session) : SqliteAggregate(session), IPartitionWriter
{
    public IReadOnlyList<PartitionRecord> List(string jobId)
    {
        using var command = Command($"SELECT {PartitionRows.Columns} FROM inventory_partitions WHERE job_id = $job ORDER BY partition");
        command.Parameters.AddWithValue("$job", jobId);
        return ReadAll(command, PartitionRows.Read);
    }

    /// <summary>
    /// At a pinned instant, which selects revisions by sequence so that any read transaction sees the same rows, the range
    /// is read from both ends at once, each on a connection of its own (<see cref="TwoEndedSample"/>); a read now is one
    /// pass in this session's read transaction, the only one that sees its instant.
    /// </summary>
    public KeySample SampleKeys(long bucketId, string fromKey, string? toKey, int maxKeys)
    {
        if (Session.AsOf is null)
        {
            using var scan = BindRange(new VersionScan(Session.Connection, SampleQuery(toKey, "key")), bucketId, fromKey, toKey);
            return scan.SampleKeys(maxKeys);
        }

        var path = Session.Store.DatabasePath;
        return TwoEndedSample.Read(
            () => BindRange(VersionScan.OnConnectionOfItsOwn(path, SampleQuery(toKey, "key"), bucketId), bucketId, fromKey, toKey),
            () => BindRange(VersionScan.OnConnectionOfItsOwn(path, SampleQuery(toKey, "key DESC"), bucketId), bucketId, fromKey, toKey),
            maxKeys);
    }

    /// <summary>
    /// From the pages of <c>object_versions</c>' b-tree (<see cref="PageSplitPoints"/>): microseconds to milliseconds
    /// where a pass over the rows takes a sixth of a run. A range estimated at fewer than <paramref name="exactBelow"/>
    /// rows, or whose pages do not give enough dividers or look torn, is sampled and counted exactly by
    /// <see cref="SampleKeys"/>.
    /// </summary>
    public KeySample SplitCandidates(long bucketId, string fromKey, string? toKey, int maxKeys, long exactBelow)
    {
        var fromPages = HoldsRevisionsOfOlderPins() ? null : FromPages(bucketId, fromKey, toKey, maxKeys);
        return fromPages is { } sample && sample.Rows >= exactBelow ? sample : SampleKeys(bucketId, fromKey, toKey, maxKeys);
    }

    /// <summary>
    /// Whether the table may hold revisions this read does not see because an older pin keeps them (superseded before
    /// this read's instant): the pages would count those too, and a bucket rewritten under a long run could look twice
    /// its size, so the range is counted exactly instead.
    /// </summary>
    private bool HoldsRevisionsOfOlderPins()
    {
        using var command = Command("SELECT EXISTS (SELECT 1 FROM snapshot_pins WHERE point < $as_of)");
        command.Parameters.AddWithValue("$as_of", Session.AsOf ?? long.MaxValue);
        return command.ExecuteScalar() is long found && found != 0;
    }

    private KeySample? FromPages(long bucketId, string fromKey, string? toKey, int maxKeys)
    {
        using var command = Command("SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = 'object_versions'");
        if (command.ExecuteScalar() is not long root || root <= 0 || root > uint.MaxValue)
        {
            return null;
        }

        try
        {
            using var pages = Session.Store.Pages.Open();
            return pages is null ? null : PageSplitPoints.Read(pages, (uint)root, bucketId, fromKey, toKey, maxKeys);
        }
        catch (IOException)
        {
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    private string SampleQuery(string? toKey, string order) =>
        "SELECT key FROM object_versions WHERE bucket_id = $bucket AND key >= $from" + (toKey is null ? "" : " AND key < $to") +
        $" AND {SqliteVersions.VisibleAt(Session.AsOf)} ORDER BY {order}";

    private VersionScan BindRange(VersionScan scan, long bucketId, string fromKey, string? toKey)
    {
        try
        {
            scan.Bind("$bucket", bucketId).Bind("$from", fromKey);
            if (toKey is not null)
            {
                scan.Bind("$to", toKey);
            }

            if (Session.AsOf is { } asOf)
            {
                scan.Bind("$as_of", asOf);
            }

            return scan;
        }
        catch
        {
            scan.Dispose();
            throw;
        }
    }

    public PartitionRecord? Get(string jobId, int index)
    {
        using var command = Command($"SELECT {PartitionRows.Columns} FROM inventory_partitions WHERE job_id = $job AND partition = $partition");
        command.Parameters.AddWithValue("$job", jobId);
        command.Parameters.AddWithValue("$partition", index);
        return ReadOne(command, PartitionRows.Read);
    }

    public IReadOnlyList<PartitionRecord> ListClaimable(string? jobId, DateTimeOffset now, int limit)
    {
        using var command = Command(
            $"SELECT {PartitionRows.Columns} FROM inventory_partitions WHERE " + (jobId is null ? "" : "job_id = $job AND ") +
            "(state = 'pending' OR (state = 'running' AND (lease_expires IS NULL OR lease_expires < $now))) ORDER BY job_id, partition LIMIT $limit");
        if (jobId is not null)
        {
            command.Parameters.AddWithValue("$job", jobId);
        }

        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", limit);
        return ReadAll(command, PartitionRows.Read);
    }

    public void Insert(PartitionRecord partition) => Write(partition,
        "INSERT INTO inventory_partitions (job_id, partition, from_key, to_key, state, lease_owner, lease_expires, progress, record_format) " +
        "VALUES ($job, $partition, $from, $to, $state, $owner, $expires, $progress, $format)");

    public void Update(PartitionRecord partition) => Write(partition,
        "UPDATE inventory_partitions SET from_key = $from, to_key = $to, state = $state, lease_owner = $owner, lease_expires = $expires, " +
        "progress = $progress, record_format = $format WHERE job_id = $job AND partition = $partition");

    public int DeleteAll(string jobId)
    {
        using var command = Command("DELETE FROM inventory_partitions WHERE job_id = $job");
        command.Parameters.AddWithValue("$job", jobId);
        return command.ExecuteNonQuery();
    }

    private void Write(PartitionRecord partition, string sql)
    {
        using var command = Command(sql);
        var p = command.Parameters;
        p.AddWithValue("$job", partition.JobId);
        p.AddWithValue("$partition", partition.Index);
        p.AddWithValue("$from", partition.FromKey);
        p.AddWithValue("$to", Nullable(partition.ToKey));
        p.AddWithValue("$state", partition.State);
        p.AddWithValue("$owner", Nullable(partition.LeaseOwner));
        p.AddWithValue("$expires", Nullable(partition.LeaseExpires?.ToUnixTimeMilliseconds()));
        p.AddWithValue("$progress", Nullable(partition.Progress));
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"Partition {partition.Index} of run {partition.JobId} was not written.");
        }
    }
}
