using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Coffer.Storage.Blobs;

/// <summary>
/// Starts the disk writes of a file being staged while the upload still arrives, so that a large PUT costs the longer
/// of receiving and writing instead of both one after the other. Linux leaves written pages dirty in the page cache
/// until they reach <c>dirty_background_ratio</c> of memory (GiBs on a large machine), and the final fsync would then
/// write the whole body while nothing else happens. Every <see cref="WindowSize"/> written, the window's writeback is
/// started (<c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>), and the window <see cref="WindowsInFlight"/> behind it is
/// waited for, which keeps an upload's dirty and in-flight pages bounded when the disk is slower than the network.
/// This is never the durability point: <c>sync_file_range</c> neither writes metadata nor flushes the disk's cache, so
/// the staged file is still fsynced at its end. Elsewhere than on Linux nothing is started early.
/// </summary>
internal sealed partial class FileWriteback
{
    /// <summary>The bytes whose writeback is started at once (8 MiB: a few dozen of the device's largest requests).</summary>
    internal const long WindowSize = 8 << 20;

    /// <summary>The windows under writeback before the oldest is waited for (32 MiB an upload, a few tens of ms of disk).</summary>
    internal const int WindowsInFlight = 4;

    /// <summary>One call of <c>sync_file_range</c> on <paramref name="file"/>; false when it failed.</summary>
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
            var settled = _started - WindowsInFlight * WindowSize;
            var ok = _sync(_file, _started, WindowSize, SyncFlags.Write)
                && (settled < 0 || _sync(_file, settled, WindowSize, SyncFlags.WaitBefore | SyncFlags.Write | SyncFlags.WaitAfter));
            if (!ok)
            {
                // Only a head start: a file system that refuses it is written by the final fsync, which reports real I/O errors.
                _sync = null;
            }

            _started += WindowSize;
        }
    }

    private static bool SyncNative(SafeFileHandle file, long offset, long length, SyncFlags flags) =>
        SyncFileRange(file, offset, length, (uint)flags) == 0;

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long length, uint flags);
}
