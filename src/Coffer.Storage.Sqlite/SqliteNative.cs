using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// The few e_sqlite3 entry points a scan calls once per row and a hot write once per value (the library the SQLitePCL
/// bundle loads), on raw statement handles. The column getters only read the current row, never block nor call back, so
/// they skip the GC transition; the binds take the connection's mutex, so they keep it.
/// </summary>
internal static unsafe partial class SqliteNative
{
    /// <summary>SQLite copies a value bound with this destructor before the bind returns.</summary>
    private static readonly IntPtr Transient = -1;

    public static ReadOnlySpan<byte> Blob(IntPtr statement, int column)
    {
        // The pointer is read first: for text, sqlite3_column_bytes after it gives the length of that same value.
        var data = ColumnBlob(statement, column);
        var length = ColumnBytes(statement, column);
        return data == null ? [] : new ReadOnlySpan<byte>(data, length);
    }

    /// <summary>
    /// Binds <paramref name="value"/> as UTF-8 with a lone surrogate made U+FFFD, as Microsoft.Data.Sqlite binds text:
    /// SQLite's own UTF-16 conversion would join a lone surrogate with the character after it into another, valid
    /// character, so the same key would be stored one way and looked up another.
    /// </summary>
    public static int BindText(IntPtr statement, int index, string value)
    {
        const int OnStack = 512;
        var most = Encoding.UTF8.GetMaxByteCount(value.Length);
        var rented = most > OnStack ? ArrayPool<byte>.Shared.Rent(most) : null;
        try
        {
            // Never empty, so the pointer is never null (which would bind NULL rather than '').
            Span<byte> buffer = rented is null ? stackalloc byte[OnStack] : rented;
            var length = Encoding.UTF8.GetBytes(value, buffer);
            fixed (byte* text = buffer)
            {
                return BindText8(statement, index, text, length, Transient);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public static int BindBlob(IntPtr statement, int index, ReadOnlySpan<byte> value)
    {
        fixed (byte* data = value)
        {
            // A null pointer would bind NULL: an empty blob is bound as a zero-length blob instead.
            return value.IsEmpty ? BindZeroBlob(statement, index, 0) : BindBlob(statement, index, data, value.Length, Transient);
        }
    }

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_step")]
    public static partial int Step(IntPtr statement);

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_reset")]
    public static partial int Reset(IntPtr statement);

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_clear_bindings")]
    public static partial int ClearBindings(IntPtr statement);

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_bind_int64")]
    public static partial int BindInt64(IntPtr statement, int index, long value);

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_bind_null")]
    public static partial int BindNull(IntPtr statement, int index);

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_column_int64")]
    [SuppressGCTransition]
    public static partial long ColumnInt64(IntPtr statement, int column);

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_column_blob")]
    [SuppressGCTransition]
    private static partial byte* ColumnBlob(IntPtr statement, int column);

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_column_bytes")]
    [SuppressGCTransition]
    private static partial int ColumnBytes(IntPtr statement, int column);

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_bind_text")]
    private static partial int BindText8(IntPtr statement, int index, byte* text, int bytes, IntPtr destructor);

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_bind_blob")]
    private static partial int BindBlob(IntPtr statement, int index, byte* data, int bytes, IntPtr destructor);

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_bind_zeroblob")]
    private static partial int BindZeroBlob(IntPtr statement, int index, int bytes);
}
