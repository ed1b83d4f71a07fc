using System.Data.Common;
using Coffer.Storage.Records;
using static Coffer.Storage.Rows.RowValues;

namespace Coffer.Storage.Rows;

/// <summary>The columns of <c>inventory_partitions</c> in the order both engines select them, and the record they make.</summary>
public static class PartitionRows
{
    public const string Columns = "job_id, partition, from_key, to_key, state, lease_owner, lease_expires, progress";

    /// <summary>A partition from a row of <see cref="Columns"/>.</summary>
    public static PartitionRecord Read(DbDataReader reader) => new()
    {
        JobId = reader.GetString(0),
        Index = reader.GetInt32(1),
        FromKey = reader.GetString(2),
        ToKey = Text(reader, 3),
        State = reader.GetString(4),
        LeaseOwner = Text(reader, 5),
        LeaseExpires = Time(reader, 6),
        Progress = Blob(reader, 7),
    };
}
