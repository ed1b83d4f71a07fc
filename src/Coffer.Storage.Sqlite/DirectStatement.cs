using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// A statement prepared once per connection and bound and stepped through e_sqlite3 directly: the hot statements of a
/// PUT on the writer (the null version looked up, the version, journal and inline-body inserts), the savepoints around
/// every work and a snapshot's begin and end. Microsoft.Data.Sqlite makes a parameter, a boxed value and a binder per
/// value, and a data reader, per execution: the larger part of what the writer allocated a PUT. Parameters are numbered
/// (<c>?1</c>, <c>?2</c>, ...) and bound by number; every execution binds all of them, and the bindings are cleared
/// after it. It runs in whatever transaction its connection has open, on the thread that uses the connection.
/// </summary>
internal sealed class DirectStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly IntPtr _handle;
    private readonly string _sql;
    private bool _held;

    public DirectStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        _sql = sql;
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        // One reference for the statement's life, instead of one per call through the SafeHandle.
        _statement.DangerousAddRef(ref _held);
        _handle = _statement.DangerousGetHandle();
    }

    public DirectStatement Bind(int index, long value) => Checked(SqliteNative.BindInt64(_handle, index, value));

    public DirectStatement Bind(int index, bool value) => Bind(index, value ? 1L : 0L);

    public DirectStatement Bind(int index, string value) => Checked(SqliteNative.BindText(_handle, index, value));

    /// <summary>Binds a blob, or NULL for a null array.</summary>
    public DirectStatement Bind(int index, byte[]? value) =>
        Checked(value is null ? SqliteNative.BindNull(_handle, index) : SqliteNative.BindBlob(_handle, index, value));

    /// <summary>Binds <paramref name="value"/> to a named parameter (looked up by name each time: for the rarer binds).</summary>
    public DirectStatement Bind(string name, long value)
    {
        var index = raw.sqlite3_bind_parameter_index(_statement, name);
        return index > 0 ? Bind(index, value) : throw new ArgumentException($"The statement has no parameter {name}.", nameof(name));
    }

    /// <summary>
    /// Runs the statement to its end and makes it ready for the next binds; throws what SQLite reported as a
    /// <see cref="SqliteException"/>. Returns the rows it inserted, updated or deleted.
    /// </summary>
    public int Execute()
    {
        var result = SqliteNative.Step(_handle);
        Ready();
        if (result == raw.SQLITE_ROW)
        {
            // A statement written wrong, not an error of SQLite's (whose message after the reset would read "not an error").
            throw new InvalidOperationException($"A statement run for no rows returned one: {_sql}");
        }

        ThrowUnlessDone(result);
        return raw.sqlite3_changes(_db);
    }

    /// <summary>
    /// The first row, made by <paramref name="read"/> from the raw statement (its columns read with <see cref="SqliteNative"/>),
    /// or null when there is none; the statement is ready for the next binds after it.
    /// </summary>
    public T? ReadFirst<TState, T>(TState state, Func<IntPtr, TState, T> read)
        where T : class
    {
        var result = SqliteNative.Step(_handle);
        try
        {
            if (result == raw.SQLITE_ROW)
            {
                return read(_handle, state);
            }
        }
        finally
        {
            Ready();
        }

        ThrowUnlessDone(result);
        return null;
    }

    public void Dispose()
    {
        if (_held)
        {
            _held = false;
            _statement.DangerousRelease();
        }

        _statement.Dispose();
    }

    /// <summary>Resets the statement (which repeats a step's error, already in hand) and clears its bindings (which cannot fail).</summary>
    private void Ready()
    {
        _ = SqliteNative.Reset(_handle);
        _ = SqliteNative.ClearBindings(_handle);
    }

    private void ThrowUnlessDone(int result)
    {
        if (result != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(result, _db);
        }
    }

    private DirectStatement Checked(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            _ = SqliteNative.ClearBindings(_handle);
            SqliteException.ThrowExceptionForRC(result, _db);
        }

        return this;
    }

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, _db);
        }
    }
}
