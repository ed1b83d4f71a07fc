using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Coffer.Storage.Records;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// A range scan of object versions stepped through SQLite directly, on the reader's connection and so inside its
/// snapshot. Each row's columns are read as spans: ADO.NET's per-column cost is what dominated a million-row scan. The
/// statement is prepared through SQLitePCL; stepping and column reads call e_sqlite3 itself, without a SafeHandle
/// reference count per call (the scan holds one reference for as long as it steps).
/// The query must select <see cref="SqliteVersions.Columns"/> in that order.
/// </summary>
internal sealed partial class VersionScan : IDisposable
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

    /// <summary>
    /// The rows of bucket <paramref name="bucketId"/>, decoded as they are stepped; the statement is finished when the
    /// enumeration is. The query orders each key's versions newest first; <paramref name="latest"/> says whether the row's
    /// latest flag stands, or the first row of each key is its latest (the only one returned, with
    /// <see cref="LatestRows.FirstOnly"/>).
    /// </summary>
    public IEnumerable<ObjectVersionRecord> Rows(long bucketId, VersionDetail detail, LatestRows latest = LatestRows.AsFlagged)
    {
        var held = false;
        _statement.DangerousAddRef(ref held);
        var previousKey = latest == LatestRows.AsFlagged ? null : new ArrayBufferWriter<byte>(256);
        try
        {
            var statement = _statement.DangerousGetHandle();
            int result;
            while ((result = Native.Step(statement)) == raw.SQLITE_ROW)
            {
                bool? isLatest = null;
                if (previousKey is not null)
                {
                    var key = Native.Blob(statement, 1);
                    isLatest = previousKey.WrittenCount == 0 || !key.SequenceEqual(previousKey.WrittenSpan);
                    if (isLatest == false && latest == LatestRows.FirstOnly)
                    {
                        continue;
                    }

                    previousKey.ResetWrittenCount();
                    previousKey.Write(key);
                }

                yield return Read(statement, bucketId, detail, isLatest);
            }

            if (result != raw.SQLITE_DONE)
            {
                Check(result);
            }
        }
        finally
        {
            _statement.DangerousRelease();
        }
    }

    public void Dispose() => _statement.Dispose();

    /// <summary>Where the latest flag of a scanned row comes from.</summary>
    public enum LatestRows
    {
        /// <summary>The row's own flag (current reads).</summary>
        AsFlagged,

        /// <summary>The first row of each key is its latest, the others are not (reads at a pinned instant).</summary>
        FirstOfKey,

        /// <summary>Only the first row of each key, as its latest.</summary>
        FirstOnly,
    }

    private static ObjectVersionRecord Read(IntPtr statement, long bucketId, VersionDetail detail, bool? isLatest)
    {
        var versionId = Native.Blob(statement, 3);
        var identity = new VersionIdentity(
            bucketId,
            Encoding.UTF8.GetString(Native.Blob(statement, 1)),
            Native.ColumnInt64(statement, 2),
            versionId.SequenceEqual("null"u8) ? NullVersionId : Encoding.UTF8.GetString(versionId),
            isLatest ?? Native.ColumnInt64(statement, 4) != 0,
            Native.ColumnInt64(statement, 5) != 0);
        return VersionRecordCodec.Decode(identity, Native.Blob(statement, 6), detail);
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

    /// <summary>The few e_sqlite3 entry points a scan calls once per row (the library the SQLitePCL bundle loads).</summary>
    private static unsafe partial class Native
    {
        public static ReadOnlySpan<byte> Blob(IntPtr statement, int column)
        {
            // The pointer is read first: for text, sqlite3_column_bytes after it gives the length of that same value.
            var data = ColumnBlob(statement, column);
            var length = ColumnBytes(statement, column);
            return data == null ? [] : new ReadOnlySpan<byte>(data, length);
        }

        [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_step")]
        public static partial int Step(IntPtr statement);

        [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_column_int64")]
        public static partial long ColumnInt64(IntPtr statement, int column);

        [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_column_blob")]
        private static partial byte* ColumnBlob(IntPtr statement, int column);

        [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_column_bytes")]
        private static partial int ColumnBytes(IntPtr statement, int column);
    }
}
