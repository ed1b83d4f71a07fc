using System.Buffers;
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
/// The query must select <see cref="SqliteVersions.Columns"/> in that order (<see cref="SqliteVersions.InPlaceColumns"/> for <see cref="InPlace"/>).
/// </summary>
internal sealed class VersionScan : IDisposable
{
    private static readonly string NullVersionId = ObjectVersionRecord.NullVersionId;

    /// <summary>Where <see cref="SqliteVersions.Columns"/> has the latest flag.</summary>
    private const int LatestColumn = 4;

    private readonly sqlite3 _db;
    private readonly bool _ownsConnection;
    private readonly sqlite3_stmt _statement;

    public VersionScan(SqliteConnection connection, string sql)
        : this(connection.Handle ?? throw new InvalidOperationException("The connection is not open."), sql, ownsConnection: false)
    {
    }

    private VersionScan(sqlite3 db, string sql, bool ownsConnection)
    {
        _db = db;
        _ownsConnection = ownsConnection;
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    /// <summary>
    /// A scan on a read-only connection of its own to the database at <paramref name="path"/>, closed with the scan. It
    /// is opened in multi-thread mode (<c>SQLITE_OPEN_NOMUTEX</c>): only this scan uses it, one step at a time, so SQLite
    /// need not take the connection's mutex on every step and column read, as it does on the engine's serialized
    /// connections. Its rows are those of a read transaction begun here, in which bucket <paramref name="bucketId"/> is
    /// found first: for reads at a pinned instant, which select revisions by sequence, that is the same rows as the
    /// session's, unless the bucket was deleted (with every revision) since the session found it, which fails the scan
    /// rather than reading it as empty.
    /// </summary>
    public static VersionScan OnConnectionOfItsOwn(string path, string sql, long bucketId)
    {
        var result = raw.sqlite3_open_v2(path, out var db, raw.SQLITE_OPEN_READONLY | raw.SQLITE_OPEN_NOMUTEX, null);
        try
        {
            if (result != raw.SQLITE_OK)
            {
                SqliteException.ThrowExceptionForRC(result, db);
            }

            raw.sqlite3_busy_timeout(db, 30_000);
            BeginWithBucket(db, bucketId);
            return new VersionScan(db, sql, ownsConnection: true);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    private static void BeginWithBucket(sqlite3 db, long bucketId)
    {
        var result = raw.sqlite3_exec(db, "BEGIN");
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, db);
        }

        result = raw.sqlite3_prepare_v2(db, "SELECT 1 FROM buckets WHERE id = ?1", out var statement);
        using (statement)
        {
            if (result != raw.SQLITE_OK)
            {
                SqliteException.ThrowExceptionForRC(result, db);
            }

            raw.sqlite3_bind_int64(statement, 1, bucketId);
            result = raw.sqlite3_step(statement);
            if (result == raw.SQLITE_DONE)
            {
                throw new InvalidOperationException($"Bucket {bucketId} was deleted while a scan of it began.");
            }

            if (result != raw.SQLITE_ROW)
            {
                SqliteException.ThrowExceptionForRC(result, db);
            }
        }
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
    /// The rows of bucket <paramref name="bucketId"/>, decoded as they are stepped and made by <paramref name="create"/>; the statement is finished when the
    /// enumeration is. The query orders each key's versions newest first; <paramref name="latest"/> says whether the row's
    /// latest flag stands, or the first row of each key is its latest (the only one returned, with
    /// <see cref="LatestRows.FirstOnly"/>).
    /// </summary>
    public IEnumerable<T> Rows<T>(long bucketId, VersionDetail detail, VersionFactory<T> create, LatestRows latest = LatestRows.AsFlagged)
    {
        var held = false;
        _statement.DangerousAddRef(ref held);
        var previousKey = latest is LatestRows.AsFlagged or LatestRows.None ? null : new ArrayBufferWriter<byte>(256);
        var repeated = new RepeatedStrings();
        try
        {
            var statement = _statement.DangerousGetHandle();
            int result;
            while ((result = SqliteNative.Step(statement)) == raw.SQLITE_ROW)
            {
                var key = SqliteNative.Blob(statement, 1);
                if (!IsLatest(statement, LatestColumn, key, latest, previousKey, out var isLatest))
                {
                    continue;
                }

                yield return Read(statement, key, bucketId, detail, isLatest, repeated, create);
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

    /// <summary>
    /// The rows in place, as <see cref="Rows{T}"/> steps them without decoding anything; the reader owns this scan and
    /// finishes its statement when disposed.
    /// </summary>
    public IVersionRowReader InPlace(LatestRows latest) => new InPlaceRows(this, latest);

    /// <summary>
    /// Steps a query whose first column is a key, and keeps every k-th key, k doubling whenever 2 × <paramref name="maxKeys"/>
    /// are kept (<see cref="StrideSample"/>).
    /// </summary>
    public KeySample SampleKeys(int maxKeys)
    {
        var held = false;
        _statement.DangerousAddRef(ref held);
        try
        {
            var statement = _statement.DangerousGetHandle();
            var sample = new StrideSample(maxKeys);
            int result;
            while ((result = SqliteNative.Step(statement)) == raw.SQLITE_ROW)
            {
                if (sample.Next())
                {
                    sample.Keep(Encoding.UTF8.GetString(SqliteNative.Blob(statement, 0)));
                }
            }

            if (result != raw.SQLITE_DONE)
            {
                Check(result);
            }

            return new KeySample(sample.Rows, sample.Keys);
        }
        finally
        {
            _statement.DangerousRelease();
        }
    }

    /// <summary>
    /// Steps up to <paramref name="max"/> more rows of a query whose first column is a key, adding each key to
    /// <paramref name="keys"/>; false once the query has no more rows (it is not stepped again).
    /// </summary>
    public bool ReadKeys(KeyChunk keys, int max)
    {
        var held = false;
        _statement.DangerousAddRef(ref held);
        try
        {
            var statement = _statement.DangerousGetHandle();
            for (var i = 0; i < max; i++)
            {
                var result = SqliteNative.Step(statement);
                if (result != raw.SQLITE_ROW)
                {
                    if (result != raw.SQLITE_DONE)
                    {
                        Check(result);
                    }

                    return false;
                }

                keys.Add(SqliteNative.Blob(statement, 0));
            }

            return true;
        }
        finally
        {
            _statement.DangerousRelease();
        }
    }

    public void Dispose()
    {
        _statement.Dispose();
        if (_ownsConnection)
        {
            _db.Dispose();
        }
    }

    /// <summary>Where the latest flag of a scanned row comes from.</summary>
    public enum LatestRows
    {
        /// <summary>The row's own flag (current reads).</summary>
        AsFlagged,

        /// <summary>The first row of each key is its latest, the others are not (reads at a pinned instant).</summary>
        FirstOfKey,

        /// <summary>Only the first row of each key, as its latest.</summary>
        FirstOnly,

        /// <summary>No row is its key's latest (the rest of a key, at a pinned instant).</summary>
        None,
    }

    /// <summary>Whether the row just stepped is its key's latest, by <paramref name="latest"/>; false when it is to be skipped.</summary>
    private static bool IsLatest(IntPtr statement, int latestColumn, ReadOnlySpan<byte> key, LatestRows latest, ArrayBufferWriter<byte>? previousKey,
        out bool isLatest)
    {
        if (previousKey is null)
        {
            isLatest = latest == LatestRows.AsFlagged && SqliteNative.ColumnInt64(statement, latestColumn) != 0;
            return true;
        }

        isLatest = previousKey.WrittenCount == 0 || !key.SequenceEqual(previousKey.WrittenSpan);
        if (!isLatest && latest == LatestRows.FirstOnly)
        {
            return false;
        }

        previousKey.ResetWrittenCount();
        previousKey.Write(key);
        return true;
    }

    /// <summary>The row, made by <paramref name="create"/>; <paramref name="key"/> is its key column, already read.</summary>
    private static T Read<T>(IntPtr statement, ReadOnlySpan<byte> key, long bucketId, VersionDetail detail, bool isLatest,
        RepeatedStrings repeated, VersionFactory<T> create)
    {
        var versionId = SqliteNative.Blob(statement, 3);
        var identity = new VersionIdentity(
            bucketId,
            Encoding.UTF8.GetString(key),
            SqliteNative.ColumnInt64(statement, 2),
            versionId.SequenceEqual("null"u8) ? NullVersionId : Encoding.UTF8.GetString(versionId),
            isLatest,
            SqliteNative.ColumnInt64(statement, 5) != 0);
        return create(identity, VersionRecordCodec.DecodeAttributes(SqliteNative.Blob(statement, 6), detail, repeated));
    }

    /// <summary>The scan's rows as spans of its current step (<see cref="InPlace"/>), of a query selecting <see cref="SqliteVersions.InPlaceColumns"/>.</summary>
    private sealed class InPlaceRows : IVersionRowReader
    {
        private const int Key = 0, Sequence = 1, VersionId = 2, DeleteMarker = 3, Record = 4, Latest = 5;

        private readonly VersionScan _scan;
        private readonly LatestRows _latest;
        private readonly ArrayBufferWriter<byte>? _previousKey;
        private readonly IntPtr _statement;
        private bool _held, _done;

        public InPlaceRows(VersionScan scan, LatestRows latest)
        {
            _scan = scan;
            _latest = latest;
            _previousKey = latest is LatestRows.AsFlagged or LatestRows.None ? null : new ArrayBufferWriter<byte>(256);
            scan._statement.DangerousAddRef(ref _held);
            _statement = scan._statement.DangerousGetHandle();
        }

        public bool Read(out VersionRow row)
        {
            while (!_done)
            {
                var result = SqliteNative.Step(_statement);
                if (result != raw.SQLITE_ROW)
                {
                    _done = true;
                    if (result != raw.SQLITE_DONE)
                    {
                        _scan.Check(result);
                    }

                    break;
                }

                var key = SqliteNative.Blob(_statement, Key);
                if (IsLatest(_statement, Latest, key, _latest, _previousKey, out var isLatest))
                {
                    row = new VersionRow(key, SqliteNative.ColumnInt64(_statement, Sequence), SqliteNative.Blob(_statement, VersionId), isLatest,
                        SqliteNative.ColumnInt64(_statement, DeleteMarker) != 0, SqliteNative.Blob(_statement, Record));
                    return true;
                }
            }

            row = default;
            return false;
        }

        public void Dispose()
        {
            if (_held)
            {
                _scan._statement.DangerousRelease();
                _held = false;
            }

            _scan.Dispose();
        }
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
