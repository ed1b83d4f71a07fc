using System.Data.Common;

namespace Coffer.Storage.Rows;

/// <summary>
/// How both engines store the values the records hold: times as Unix milliseconds, absent values as NULL. The engines
/// bring these in with a static using, so the row mappers read the same on SQLite and PostgreSQL.
/// </summary>
public static class RowValues
{
    public static DateTimeOffset Millis(DbDataReader reader, int ordinal) =>
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Millis(reader, ordinal);

    public static byte[]? Blob(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<byte[]>(ordinal);

    public static string? Text(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
