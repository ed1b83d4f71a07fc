using System.Data.Common;
using Coffer.Storage.Records;
using static Coffer.Storage.Rows.RowValues;

namespace Coffer.Storage.Rows;

/// <summary>The columns of <c>inventory_runs</c> in the order both engines select them, and the record they make.</summary>
public static class RunRows
{
    public const string Columns =
        "job_id, bucket_id, config_id, trigger, state, config, queued_at, started_at, finished_at, objects_scanned, bytes_scanned, " +
        "objects_matched, bytes_matched, files_written, manifest_key, error_code, error_message, progress, lease_owner, lease_expires";

    /// <summary>A run from a row of <see cref="Columns"/>.</summary>
    public static InventoryRunRecord Read(DbDataReader reader) => new()
    {
        JobId = reader.GetString(0),
        BucketId = reader.GetInt64(1),
        ConfigId = reader.GetString(2),
        Trigger = reader.GetString(3),
        State = reader.GetString(4),
        Config = reader.GetFieldValue<byte[]>(5),
        QueuedAt = Millis(reader, 6),
        StartedAt = Time(reader, 7),
        FinishedAt = Time(reader, 8),
        ObjectsScanned = reader.GetInt64(9),
        BytesScanned = reader.GetInt64(10),
        ObjectsMatched = reader.GetInt64(11),
        BytesMatched = reader.GetInt64(12),
        FilesWritten = reader.GetInt64(13),
        ManifestKey = Text(reader, 14),
        ErrorCode = Text(reader, 15),
        ErrorMessage = Text(reader, 16),
        Progress = Blob(reader, 17),
        LeaseOwner = Text(reader, 18),
        LeaseExpires = Time(reader, 19),
    };
}
