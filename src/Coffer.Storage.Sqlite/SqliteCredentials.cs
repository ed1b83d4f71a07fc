using Coffer.Storage.Records;
using Coffer.Storage.Rows;

namespace Coffer.Storage.Sqlite;

internal sealed class SqliteCredentials(SqliteSession session) : SqliteAggregate(session), ICredentialWriter
{
    public CredentialRecord? Get(string secretId)
    {
        using var command = Command($"SELECT {CredentialRows.Columns} FROM credentials WHERE secret_id = $id");
        command.Parameters.AddWithValue("$id", secretId);
        return ReadOne(command, CredentialRows.Read);
    }

    public IReadOnlyList<CredentialRecord> List(string appId)
    {
        using var command = Command($"SELECT {CredentialRows.Columns} FROM credentials WHERE app_id = $app ORDER BY uin, created_at, secret_id");
        command.Parameters.AddWithValue("$app", appId);
        return ReadAll(command, CredentialRows.Read);
    }

    public IReadOnlyList<CredentialRecord> List(string appId, string uin)
    {
        using var command = Command($"SELECT {CredentialRows.Columns} FROM credentials WHERE app_id = $app AND uin = $uin ORDER BY created_at, secret_id");
        command.Parameters.AddWithValue("$app", appId);
        command.Parameters.AddWithValue("$uin", uin);
        return ReadAll(command, CredentialRows.Read);
    }

    public void Insert(CredentialRecord credential)
    {
        using var command = Command(
            "INSERT INTO credentials (secret_id, secret_key, kind, app_id, uin, name, session_token, expires_at, policy, created_at, record_format) " +
            "VALUES ($id, $key, $kind, $app, $uin, $name, $token, $expires, $policy, $created, $format)");
        var p = command.Parameters;
        p.AddWithValue("$id", credential.SecretId);
        p.AddWithValue("$key", credential.SecretKey);
        p.AddWithValue("$kind", credential.Kind);
        p.AddWithValue("$app", credential.AppId);
        p.AddWithValue("$uin", credential.Uin);
        p.AddWithValue("$name", Nullable(credential.Name));
        p.AddWithValue("$token", Nullable(credential.SessionToken));
        p.AddWithValue("$expires", Nullable(credential.ExpiresAt?.ToUnixTimeMilliseconds()));
        p.AddWithValue("$policy", Nullable(credential.Policy));
        p.AddWithValue("$created", credential.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$format", SqliteMetadataStore.RecordFormat);
        command.ExecuteNonQuery();
    }

    public bool Delete(string secretId)
    {
        using var command = Command("DELETE FROM credentials WHERE secret_id = $id");
        command.Parameters.AddWithValue("$id", secretId);
        return command.ExecuteNonQuery() > 0;
    }

    public int DeleteExpired(DateTimeOffset now)
    {
        using var command = Command("DELETE FROM credentials WHERE expires_at IS NOT NULL AND expires_at <= $now");
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        return command.ExecuteNonQuery();
    }
}
