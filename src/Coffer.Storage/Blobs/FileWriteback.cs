using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Coffer.Storage.Blobs;

/// <summary>
/// Starts the disk writes of a file being staged while the upload still arrives, so that a large PUT costs the longer
/// of receiving and writing instead of both one after the other. Linux leaves written pages dirty in the page cache
/// until they reach <c>dirty_background_ratio</c> of memory (GiBs on a large machine), and the final fsync would then
/// write the whole body while nothing else happens. Every <see cref="WindowSize"/> written, the window's writeback is
/// started (<c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>), and nothing waits for it: a wait would hold a thread-pool
/// thread for the disk's time and would consume a write error that the final fsync must report (the kernel reports
/// one to the first caller that waits). When the disk is slower than the network, the kernel's own dirty-page
/// throttling slows the writes. This is never the durability point: <c>sync_file_range</c> neither writes metadata
/// nor flushes the disk's cache, so the staged file is still fsynced at its end. Elsewhere than on Linux nothing is
/// started early.
/// </summary>
internal sealed partial class FileWriteback
{
    /// <summary>
    /// The bytes whose writeback is started at once (1 MiB, one staging chunk): the final fsync then finds at most about
    /// this much not yet on its way to the disk. With 8 MiB windows a file of tens of MiB (an inventory report's part)
    /// left up to 8 MiB for its fsync, on the critical path of the run (docs/performance.md, "The fixed costs of a run").
    /// </summary>
    internal const long WindowSize = 1 << 20;

    /// <summary>
    /// One call of <c>sync_file_range</c> on <paramref name="file"/>; false when the file system does not take it, an
    /// <see cref="IOException"/> when it failed otherwise.
    /// </summary>
    internal delegate bool RangeSync(SafeFileHandle file, long offset, long length, SyncFlags flags);

    /// <summary>The flags of <c>sync_file_range</c>, with Linux's values.</summary>
    [Flags]
    internal enum SyncFlags : uint
    {
        WaitBefore = 1,
        Write = 2,
        WaitAfter = 4,
    }

    /// <summary>The kernel's <c>sync_file_range</c> on Linux; null elsewhere.</summary>
    internal static RangeSync? Native { get; } = OperatingSystem.IsLinux() ? SyncNative : null;

    private readonly SafeFileHandle _file;
    private RangeSync? _sync;
    private long _started;

    /// <param name="file">The file being written from its start, in order.</param>
    /// <param name="sync">What starts and waits for writeback (<see cref="Native"/>, or a test's recorder); null does nothing.</param>
    public FileWriteback(SafeFileHandle file, RangeSync? sync)
    {
        _file = file;
        _sync = sync;
    }

    /// <summary>Starts the writeback of every whole window below <paramref name="written"/> not started yet.</summary>
    public void Advance(long written)
    {
        while (_sync is not null && written - _started >= WindowSize)
        {
            if (!_sync(_file, _started, WindowSize, SyncFlags.Write))
            {
                // Only a head start: a file system that does not take it is written by the final fsync.
                _sync = null;
            }

            _started += WindowSize;
        }
    }

    private static bool SyncNative(SafeFileHandle file, long offset, long length, SyncFlags flags)
    {
        if (SyncFileRange(file, offset, length, (uint)flags) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        return error is EINVAL or ESPIPE or ENOSYS or EOPNOTSUPP
            ? false
            : throw new IOException($"sync_file_range failed (errno {error}).");
    }

    // Linux's errno values for "this file or file system does not take sync_file_range".
    private const int EINVAL = 22, ESPIPE = 29, ENOSYS = 38, EOPNOTSUPP = 95;

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long length, uint flags);
}
