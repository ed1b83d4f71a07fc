using Coffer.Storage.Records;
using Npgsql;

namespace Coffer.Storage.Postgres;

internal sealed class PostgresCredentials(PostgresSession session) : PostgresAggregate(session), ICredentialWriter
{
    private const string Columns = "secret_id, secret_key, kind, app_id, uin, name, session_token, expires_at, policy, created_at";

    public CredentialRecord? Get(string secretId) =>
        ReadOne(Command($"SELECT {Columns} FROM credentials WHERE secret_id = $1", secretId), Read);

    public IReadOnlyList<CredentialRecord> List(string appId) =>
        ReadAll(Command($"SELECT {Columns} FROM credentials WHERE app_id = $1 ORDER BY uin, created_at, secret_id", appId), Read);

    public IReadOnlyList<CredentialRecord> List(string appId, string uin) =>
        ReadAll(Command($"SELECT {Columns} FROM credentials WHERE app_id = $1 AND uin = $2 ORDER BY created_at, secret_id", appId, uin), Read);

    public void Insert(CredentialRecord credential) => NonQuery(Command(
        "INSERT INTO credentials (secret_id, secret_key, kind, app_id, uin, name, session_token, expires_at, policy, created_at, record_format) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        credential.SecretId, credential.SecretKey, credential.Kind, credential.AppId, credential.Uin, credential.Name, credential.SessionToken,
        credential.ExpiresAt?.ToUnixTimeMilliseconds(), credential.Policy, credential.CreatedAt.ToUnixTimeMilliseconds(),
        (short)PostgresMetadataStore.RecordFormat));

    public bool Delete(string secretId) => NonQuery(Command("DELETE FROM credentials WHERE secret_id = $1", secretId)) > 0;

    public int DeleteExpired(DateTimeOffset now) =>
        NonQuery(Command("DELETE FROM credentials WHERE expires_at IS NOT NULL AND expires_at <= $1", now.ToUnixTimeMilliseconds()));

    private static CredentialRecord Read(NpgsqlDataReader reader) => new()
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
