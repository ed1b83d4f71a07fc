using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Coffer.Storage.Blobs;

/// <summary>
/// Files written around the page cache (<c>O_DIRECT</c> on Linux): the disk takes the bytes straight from the caller's
/// buffer, so a large upload costs neither the kernel's copy of every byte into the page cache nor its later writeback
/// (about a sixth of a 1 GiB PUT's server CPU before, see docs/performance.md). Every write must start at an offset,
/// from an address and for a length that are multiples of <see cref="Alignment"/>. <c>O_DIRECT</c> makes neither the
/// data on the disk's cache nor the file's size durable: the file is still fsynced before it is renamed.
/// </summary>
internal static partial class DirectFile
{
    /// <summary>The alignment of every write's offset, address and length: a page, a multiple of every logical block size Linux has.</summary>
    internal const int Alignment = 4096;

    /// <summary>
    /// Creates the file at <paramref name="path"/> (which must not exist) for direct writes; null when the file system
    /// refuses direct writes, in which case the file may have been created all the same (Linux creates it before it
    /// checks <c>O_DIRECT</c>). A missing folder is a <see cref="DirectoryNotFoundException"/>.
    /// </summary>
    internal delegate SafeFileHandle? Create(string path);

    // O_DIRECT's value where direct I/O is used: Linux on x64 and Arm64, whose values differ.
    private static readonly int? DirectFlag = OperatingSystem.IsLinux() ? RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0x4000,
        Architecture.Arm64 => 0x10000,
        _ => null,
    } : null;

    /// <summary>The kernel's <c>open(O_DIRECT)</c> on Linux on x64 and Arm64; null elsewhere.</summary>
    internal static Create? Native { get; } = DirectFlag is { } flag ? path => CreateNative(path, flag) : null;

    /// <summary>
    /// Opens the existing file at <paramref name="path"/> for direct reads; null when the file system refuses direct
    /// reads. A missing file or folder is a <see cref="FileNotFoundException"/>.
    /// </summary>
    internal delegate SafeFileHandle? OpenForReading(string path);

    /// <summary>The kernel's <c>open(O_RDONLY | O_DIRECT)</c> on Linux on x64 and Arm64; null elsewhere.</summary>
    internal static OpenForReading? NativeRead { get; } = DirectFlag is { } flag ? path => OpenNative(path, flag) : null;

    // O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, the same on x64 and Arm64; the mode is FileStream's (0666 less the umask).
    private const int CreateNewForWriting = 0x1 | 0x40 | 0x80 | 0x80000;
    // O_RDONLY | O_CLOEXEC.
    private const int OpenForReadingOnly = 0x80000;
    private const int CreateMode = 0x1B6;
    private const int ENOENT = 2, EINVAL = 22;

    private static SafeFileHandle? CreateNative(string path, int directFlag)
    {
        var fd = Open(path, CreateNewForWriting | directFlag, CreateMode);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        return Marshal.GetLastPInvokeError() switch
        {
            EINVAL => null,
            ENOENT => throw new DirectoryNotFoundException($"The folder of '{path}' does not exist."),
            var error => throw new IOException($"Cannot create '{path}' for direct writes (errno {error})."),
        };
    }

    private static SafeFileHandle? OpenNative(string path, int directFlag)
    {
        var fd = Open(path, OpenForReadingOnly | directFlag, 0);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        return Marshal.GetLastPInvokeError() switch
        {
            EINVAL => null,
            // Which part of the path is missing is not told apart: both send the caller to an older build's path.
            ENOENT => throw new FileNotFoundException($"Cannot open '{path}': it does not exist.", path),
            var error => throw new IOException($"Cannot open '{path}' for direct reads (errno {error})."),
        };
    }

    /// <summary>The length rounded up to a multiple of <see cref="Alignment"/>: what a direct write of it must cover.</summary>
    internal static int Padded(int length) => (length + Alignment - 1) & -Alignment;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    /// <summary>Native memory aligned to <see cref="Alignment"/>, for direct writes; freed when disposed.</summary>
    internal sealed unsafe class AlignedBuffer : MemoryManager<byte>
    {
        private readonly int _length;
        private void* _pointer;

        public AlignedBuffer(int length)
        {
            ArgumentOutOfRangeException.ThrowIfNotEqual(length % Alignment, 0);
            _length = length;
            _pointer = NativeMemory.AlignedAlloc((nuint)length, Alignment);
        }

        public override Span<byte> GetSpan() => new(_pointer, _length);

        public override MemoryHandle Pin(int elementIndex = 0) => new((byte*)_pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
        }
    }
}
