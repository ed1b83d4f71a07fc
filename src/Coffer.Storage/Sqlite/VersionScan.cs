using System.Text;
using Coffer.Storage.Records;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// A range scan of object versions stepped through SQLitePCL directly, on the reader's connection and so inside its
/// snapshot. Each row's columns are read as spans: ADO.NET's per-column cost is what dominated a million-row scan.
/// The query must select <see cref="SqliteReader.VersionColumns"/> in that order.
/// </summary>
internal sealed class VersionScan : IDisposable
{
    private static readonly string NullVersionId = ObjectVersionRecord.NullVersionId;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public VersionScan(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    public VersionScan Bind(string name, long value)
    {
        Check(raw.sqlite3_bind_int64(_statement, Index(name), value));
        return this;
    }

    public VersionScan Bind(string name, string value)
    {
        Check(raw.sqlite3_bind_text(_statement, Index(name), value));
        return this;
    }

    /// <summary>The rows, decoded as they are stepped; the statement is finished when the enumeration is.</summary>
    public IEnumerable<ObjectVersionRecord> Rows(VersionDetail detail)
    {
        int result;
        while ((result = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
        {
            yield return Read(detail);
        }

        if (result != raw.SQLITE_DONE)
        {
            Check(result);
        }
    }

    public void Dispose() => _statement.Dispose();

    private ObjectVersionRecord Read(VersionDetail detail)
    {
        var versionId = raw.sqlite3_column_blob(_statement, 3);
        var identity = new VersionIdentity(
            raw.sqlite3_column_int64(_statement, 0),
            Encoding.UTF8.GetString(raw.sqlite3_column_blob(_statement, 1)),
            raw.sqlite3_column_int64(_statement, 2),
            versionId.SequenceEqual("null"u8) ? NullVersionId : Encoding.UTF8.GetString(versionId),
            raw.sqlite3_column_int64(_statement, 4) != 0,
            raw.sqlite3_column_int64(_statement, 5) != 0);
        return VersionRecordCodec.Decode(identity, raw.sqlite3_column_blob(_statement, 6), detail);
    }

    private int Index(string name)
    {
        var index = raw.sqlite3_bind_parameter_index(_statement, name);
        return index > 0 ? index : throw new ArgumentException($"The statement has no parameter {name}.", nameof(name));
    }

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, _db);
        }
    }
}
