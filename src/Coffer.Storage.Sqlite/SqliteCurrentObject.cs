using Coffer.Storage.Records;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// A GET or HEAD of a key's current version as one <c>SELECT</c> outside any transaction: in WAL mode a lone statement
/// is its own read transaction, so the bucket, the version and an inline body come from one instant without the
/// <c>BEGIN</c>, the <c>ROLLBACK</c> and the two further statements a snapshot read takes. The body is joined on the
/// blob id inside the packed record, which <see cref="InlineBlobFunction"/> reads out of it.
/// </summary>
internal static class SqliteCurrentObject
{
    /// <summary>The SQL function (on reader connections) that gives a record's single inline blob id, or NULL.</summary>
    internal const string InlineBlobFunction = "coffer_inline_blob";

    private const string Select =
        "SELECT b.id, b.name, b.owner_app_id, b.region, b.created_at, b.versioning, " +
        "v.bucket_id, v.key, v.seq, v.version_id, v.is_latest, v.is_delete_marker, v.record";

    // The latest current version, as SqliteVersions.GetLatest finds it: the highest sequence with no died.
    private const string FromBucketAndLatest =
        " FROM buckets b LEFT JOIN object_versions v ON v.bucket_id = b.id AND v.key = $key AND v.died IS NULL AND v.seq = " +
        "(SELECT seq FROM object_versions WHERE bucket_id = b.id AND key = $key AND died IS NULL ORDER BY seq DESC LIMIT 1)";

    private const string WithoutBody = Select + FromBucketAndLatest + " WHERE b.name = $name";

    private const string WithBody = Select + ", i.data" + FromBucketAndLatest +
        " LEFT JOIN inline_blobs i ON i.blob_id = " + InlineBlobFunction + "(v.record) WHERE b.name = $name";

    /// <summary>Makes <see cref="InlineBlobFunction"/> known to <paramref name="connection"/>.</summary>
    public static void Register(SqliteConnection connection) =>
        connection.CreateFunction<byte[]?, string?>(InlineBlobFunction,
            record => record is null ? null : VersionRecordCodec.SingleInlineBlobId(record), isDeterministic: true);

    public static CurrentObjectRead Read(PreparedConnection connection, string bucket, string key, bool withInlineBody)
    {
        using var command = connection.Command(withInlineBody ? WithBody : WithoutBody, transaction: null);
        command.Parameters.AddWithValue("$name", bucket);
        command.Parameters.AddWithValue("$key", key);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return new CurrentObjectRead(null, null, null);
        }

        var found = SqliteBuckets.Read(reader, 0);
        if (reader.IsDBNull(6))
        {
            return new CurrentObjectRead(found, null, null);
        }

        var version = SqliteVersions.ReadAt(reader, 6);
        var body = withInlineBody && !reader.IsDBNull(13) ? reader.GetFieldValue<byte[]>(13) : null;
        return new CurrentObjectRead(found, version, body);
    }
}
