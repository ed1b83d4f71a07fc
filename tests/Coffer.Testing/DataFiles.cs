using System.Diagnostics;

namespace Coffer.Testing;

/// <summary>
/// Every file under a data folder as raw bytes, whatever it is: the SQLite database with its <c>-wal</c> and <c>-shm</c>,
/// blob files, keys. For tests that a secret reaches the disk in no form (<see cref="StoredBlobs"/> reads only what holds
/// object bytes, and reads inline blobs through SQLite rather than the database's pages).
/// </summary>
public static class DataFiles
{
    /// <summary>The paths, relative to <paramref name="dataDirectory"/> and in ordinal order, of every file under it.</summary>
    public static string[] In(string dataDirectory) =>
        Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dataDirectory, f)).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The files of <see cref="In"/> holding <paramref name="needle"/>; a server may still have them open (see <see cref="Read"/>).</summary>
    public static string[] Holding(string dataDirectory, byte[] needle) =>
        In(dataDirectory).Where(file => Read(Path.Combine(dataDirectory, file)).AsSpan().IndexOf(needle) >= 0).ToArray();

    /// <summary>
    /// A file's bytes, read by another process (<c>cat</c>). Closing a descriptor of a file drops every POSIX lock the
    /// closing process holds on it, so were an in-process server's database opened and closed here, its SQLite
    /// connections would silently lose their locks; a child's descriptors are its own, and so are the locks it drops.
    /// </summary>
    private static byte[] Read(string path)
    {
        var start = new ProcessStartInfo("cat") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        using var cat = Process.Start(start)!;
        using var bytes = new MemoryStream();
        cat.StandardOutput.BaseStream.CopyTo(bytes);
        cat.WaitForExit();
        return cat.ExitCode == 0 ? bytes.ToArray() : throw new IOException($"cat {path} exited with {cat.ExitCode}.");
    }
}
