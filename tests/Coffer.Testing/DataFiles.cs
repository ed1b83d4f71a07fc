namespace Coffer.Testing;

/// <summary>
/// Every file under a data folder as raw bytes, whatever it is: the SQLite database with its <c>-wal</c> and <c>-shm</c>,
/// blob files, keys. For tests that a secret reaches the disk in no form (<see cref="StoredBlobs"/> reads only what holds
/// object bytes, and reads inline blobs through SQLite rather than the database's pages).
/// </summary>
public static class DataFiles
{
    private const string LockFile = "coffer.lock";

    /// <summary>The paths, relative to <paramref name="dataDirectory"/> and in ordinal order, of every file under it.</summary>
    public static string[] In(string dataDirectory) =>
        Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dataDirectory, f)).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The files of <see cref="In"/> holding <paramref name="needle"/>, read while a server may still have them open;
    /// but for the data folder's lock file, which is empty and which a running server holds under an exclusive lock
    /// that .NET would not let this process open.
    /// </summary>
    public static string[] Holding(string dataDirectory, ReadOnlySpan<byte> needle)
    {
        var found = new List<string>();
        foreach (var file in In(dataDirectory).Where(f => f != LockFile))
        {
            using var stream = new FileStream(Path.Combine(dataDirectory, file), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            if (bytes.GetBuffer().AsSpan(0, (int)bytes.Length).IndexOf(needle) >= 0)
            {
                found.Add(file);
            }
        }

        return [.. found];
    }
}
