using System.Data.Common;
using Coffer.Storage.Records;
using static Coffer.Storage.Rows.RowValues;

namespace Coffer.Storage.Rows;

/// <summary>The columns of <c>credentials</c> in the order both engines select them, and the record they make.</summary>
public static class CredentialRows
{
    public const string Columns = "secret_id, secret_key, kind, app_id, uin, name, session_token, expires_at, policy, created_at";

    /// <summary>A credential from a row of <see cref="Columns"/>.</summary>
    public static CredentialRecord Read(DbDataReader reader) => new()
    {
        SecretId = reader.GetString(0),
        SecretKey = reader.GetString(1),
        Kind = reader.GetString(2),
        AppId = reader.GetString(3),
        Uin = reader.GetString(4),
        Name = Text(reader, 5),
        SessionToken = Text(reader, 6),
        ExpiresAt = Time(reader, 7),
        Policy = Blob(reader, 8),
        CreatedAt = Millis(reader, 9),
    };
}
