namespace Coffer.Storage.Postgres;

/// <summary>Small objects' bytes in the <c>inline_blobs</c> table (stored out of line, uncompressed: see Schema.sql).</summary>
internal sealed class PostgresInlineBlobs(PostgresSession session) : PostgresAggregate(session), IInlineBlobWriter
{
    public byte[]? Get(string blobId) =>
        ReadOne(Command("SELECT data FROM inline_blobs WHERE blob_id = $1", blobId), reader => reader.GetFieldValue<byte[]>(0));

    public void Insert(string blobId, byte[] data) =>
        NonQuery(Command("INSERT INTO inline_blobs (blob_id, data) VALUES ($1, $2)", blobId, data));

    public bool Delete(string blobId) => NonQuery(Command("DELETE FROM inline_blobs WHERE blob_id = $1", blobId)) > 0;
}
