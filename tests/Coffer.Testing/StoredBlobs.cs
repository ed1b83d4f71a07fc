using Microsoft.Data.Sqlite;

namespace Coffer.Testing;

/// <summary>
/// What a data folder holds at rest for object bytes, wherever they are: blob files under <c>blobs/</c>, and the inline
/// blobs of small objects in the SQLite metadata (<c>inline_blobs</c>). Tests that count blobs or look for plaintext on
/// disk read both, so they hold on either side of the inline threshold.
/// </summary>
public static class StoredBlobs
{
    /// <summary>Every stored blob: its id (a file's path, or <c>inline:&lt;id&gt;</c>) and its bytes, ids in ordinal order.</summary>
    public static IReadOnlyList<(string Id, byte[] Bytes)> In(string dataDirectory)
    {
        var stored = new List<(string, byte[])>();
        var blobs = Path.Combine(dataDirectory, "blobs");
        if (Directory.Exists(blobs))
        {
            stored.AddRange(Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).Select(f => (f, File.ReadAllBytes(f))));
        }

        var database = Path.Combine(dataDirectory, "metadata.db");
        if (File.Exists(database))
        {
            using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=false");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT blob_id, data FROM inline_blobs";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                stored.Add(("inline:" + reader.GetString(0), reader.GetFieldValue<byte[]>(1)));
            }
        }

        return stored.OrderBy(s => s.Item1, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The ids of <see cref="In"/>.</summary>
    public static string[] Ids(string dataDirectory) => In(dataDirectory).Select(s => s.Id).ToArray();

    /// <summary>The stored blobs holding <paramref name="needle"/> in the clear.</summary>
    public static string[] Holding(string dataDirectory, ReadOnlySpan<byte> needle)
    {
        var found = new List<string>();
        foreach (var (id, bytes) in In(dataDirectory))
        {
            if (bytes.AsSpan().IndexOf(needle) >= 0)
            {
                found.Add(id);
            }
        }

        return [.. found];
    }
}
