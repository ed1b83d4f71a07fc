using System.Runtime.InteropServices;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// The few e_sqlite3 entry points a scan calls once per row (the library the SQLitePCL bundle loads), on raw statement
/// handles. The column getters only read the current row, never block nor call back, so they skip the GC transition.
/// </summary>
internal static unsafe partial class SqliteNative
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
    [SuppressGCTransition]
    public static partial long ColumnInt64(IntPtr statement, int column);

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_column_blob")]
    [SuppressGCTransition]
    private static partial byte* ColumnBlob(IntPtr statement, int column);

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_column_bytes")]
    [SuppressGCTransition]
    private static partial int ColumnBytes(IntPtr statement, int column);
}
