using System.Runtime.InteropServices;

namespace Coffer.Storage;

/// <summary>Another process (a running server) has the data folder open.</summary>
public sealed class DataDirectoryInUseException(string directory, Exception inner)
    : IOException($"The data folder '{directory}' is in use by another Coffer process.", inner);

/// <summary>
/// A lock on <c>coffer.lock</c> in the data folder, held while an engine is open: exclusive for the embedded engine, whose
/// recovery deletes unreferenced files, which is only safe when no other process is writing them; shared for the nodes of
/// a cluster, so that they keep an embedded engine out of their folder and it keeps them out of its own.
/// </summary>
internal sealed partial class DataDirectoryLock : IDisposable
{
    // What .NET puts in the IOException's HResult when another process holds the lock, and what flock sets errno to: the
    // errno EWOULDBLOCK (11 on Linux, 35 on macOS and the BSDs), or Windows' sharing violation. Any other failure to open
    // the file (a read-only file system, no permission) is not another Coffer process.
    private static readonly int HeldByAnother =
        OperatingSystem.IsWindows() ? unchecked((int)0x80070020) : OperatingSystem.IsLinux() ? 11 : 35;

    private const int SharedWithoutWaiting = 1 | 4; // LOCK_SH | LOCK_NB, alike on Linux, macOS and the BSDs
    private const int ExclusiveWithoutWaiting = 2 | 4; // LOCK_EX | LOCK_NB

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file)
    {
        _file = file;
    }

    public static DataDirectoryLock Acquire(string directory, bool shared)
    {
        try
        {
            return new DataDirectoryLock(OpenLocked(Path.Combine(directory, "coffer.lock"), FileMode.OpenOrCreate, shared));
        }
        catch (IOException e) when (e.HResult == HeldByAnother)
        {
            throw new DataDirectoryInUseException(directory, e);
        }
    }

    /// <summary>
    /// Whether another process holds the lock so that this one could not take it (<paramref name="shared"/> for a cluster
    /// node); never creates the folder or the lock file. A lock file that cannot be opened for another reason fails with
    /// that reason's exception (IOException, UnauthorizedAccessException).
    /// </summary>
    public static bool IsHeld(string directory, bool shared)
    {
        var path = Path.Combine(directory, "coffer.lock");
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            OpenLocked(path, FileMode.Open, shared).Dispose();
            return false;
        }
        catch (IOException e) when (e.HResult == HeldByAnother)
        {
            return true;
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>
    /// The lock file, opened and locked. FileShare.None takes an exclusive advisory lock on Unix (flock), FileShare.ReadWrite
    /// a shared one; the kernel releases either if the process dies.
    /// </summary>
    private static FileStream OpenLocked(string path, FileMode mode, bool shared)
    {
        var file = new FileStream(path, mode, FileAccess.ReadWrite, shared ? FileShare.ReadWrite : FileShare.None);
        try
        {
            Lock(file, shared);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes the flock itself, which .NET has already taken unless <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> (set for
    /// file systems whose locks misbehave) turned its own off: two servers must never share a folder, whatever that
    /// setting. Taking it again on the same open file changes nothing. As .NET does, only another holder counts: a file
    /// system that has no locks (ENOTSUP, ENOLCK) keeps serving, as it did before.
    /// </summary>
    private static void Lock(FileStream file, bool shared)
    {
        if (!OperatingSystem.IsWindows() && Flock(file.SafeFileHandle, shared ? SharedWithoutWaiting : ExclusiveWithoutWaiting) != 0
            && Marshal.GetLastPInvokeError() is var errno && errno == HeldByAnother)
        {
            throw new IOException($"Cannot lock '{file.Name}': {Marshal.GetPInvokeErrorMessage(errno)}.", errno);
        }
    }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeHandle fd, int operation);
}
