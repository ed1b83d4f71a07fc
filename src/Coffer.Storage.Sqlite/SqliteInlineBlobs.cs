namespace Coffer.Storage.Sqlite;

/// <summary>Small objects' bytes in the <c>inline_blobs</c> table (a rowid table: a 1 KiB payload fits in its leaf page).</summary>
internal sealed class SqliteInlineBlobs(SqliteSession session) : SqliteAggregate(session), IInlineBlobWriter
{
    public byte[]? Get(string blobId)
    {
        using var command = Command("SELECT data FROM inline_blobs WHERE blob_id = $id");
        command.Parameters.AddWithValue("$id", blobId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? reader.GetFieldValue<byte[]>(0) : null;
    }

    public void Insert(string blobId, byte[] data) =>
        Statement("INSERT INTO inline_blobs (blob_id, data) VALUES (?1, ?2)").Bind(1, blobId).Bind(2, data).Execute();

    public bool Delete(string blobId)
    {
        using var command = Command("DELETE FROM inline_blobs WHERE blob_id = $id");
        command.Parameters.AddWithValue("$id", blobId);
        return command.ExecuteNonQuery() > 0;
    }
}
