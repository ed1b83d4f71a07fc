using Coffer.Storage.Records;
using Coffer.Storage.Rows;

namespace Coffer.Storage.Postgres;

internal sealed class PostgresCredentials(PostgresSession session) : PostgresAggregate(session), ICredentialWriter
{
    public CredentialRecord? Get(string secretId) =>
        ReadOne(Command($"SELECT {CredentialRows.Columns} FROM credentials WHERE secret_id = $1", secretId), CredentialRows.Read);

    public IReadOnlyList<CredentialRecord> List(string appId) =>
        ReadAll(Command($"SELECT {CredentialRows.Columns} FROM credentials WHERE app_id = $1 ORDER BY uin, created_at, secret_id", appId), CredentialRows.Read);

    public IReadOnlyList<CredentialRecord> List(string appId, string uin) =>
        ReadAll(Command($"SELECT {CredentialRows.Columns} FROM credentials WHERE app_id = $1 AND uin = $2 ORDER BY created_at, secret_id", appId, uin),
            CredentialRows.Read);

    public void Insert(CredentialRecord credential) => NonQuery(Command(
        "INSERT INTO credentials (secret_id, secret_key, kind, app_id, uin, name, session_token, expires_at, policy, created_at, record_format) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        credential.SecretId, credential.SecretKey, credential.Kind, credential.AppId, credential.Uin, credential.Name, credential.SessionToken,
        credential.ExpiresAt?.ToUnixTimeMilliseconds(), credential.Policy, credential.CreatedAt.ToUnixTimeMilliseconds(),
        (short)PostgresMetadataStore.RecordFormat));

    public bool Delete(string secretId) => NonQuery(Command("DELETE FROM credentials WHERE secret_id = $1", secretId)) > 0;

    public int DeleteExpired(DateTimeOffset now) =>
        NonQuery(Command("DELETE FROM credentials WHERE expires_at IS NOT NULL AND expires_at <= $1", now.ToUnixTimeMilliseconds()));
}
