using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// Pages of the database file as SQLite's file format lays them out (sqlite.org/fileformat2.html), read beside SQLite
/// rather than through it: each page's newest committed copy, from the write-ahead log when a frame of it is there, else
/// from the database file. Reads race SQLite's writes and checkpoints, so a page may be stale or torn; the callers check
/// everything they parse and give up on anything implausible.
/// <para>
/// The database file is opened once and kept open until the store and every connection of it are closed: closing any
/// descriptor of a file drops every POSIX lock this process holds on it, SQLite's included (sqlite.org/howtocorrupt.html,
/// 2.2). The log is not locked by SQLite (its locks are on the database file and the shared-memory index), so it is
/// opened for each view. A view that outlives this object fails its reads with <see cref="ObjectDisposedException"/>
/// (the descriptor is a <see cref="SafeFileHandle"/>, never closed under a read in flight, so its number cannot be
/// reused under one) and the split pass falls back.
/// </para>
/// </summary>
internal sealed class DatabasePages : IDisposable
{
    private const int HeaderBytes = 100;
    private const int WalHeaderBytes = 32;
    internal const int FrameHeaderBytes = 24;

    /// <summary>The largest log read: past it, the pass falls back rather than checksum a long log.</summary>
    private const long MaxWalBytes = 64L << 20;

    private readonly string _path;
    private readonly Lock _gate = new();
    private SafeFileHandle? _database;
    private bool _disposed;

    public DatabasePages(string path) => _path = path;

    /// <summary>
    /// A view of the pages as of now: the page size from the header, and the log's committed frames (the latest frame of a
    /// page wins). Null when the file is not a database this reader understands, or the log is too long to read.
    /// </summary>
    public PageView? Open()
    {
        var database = Database();
        if (database is null)
        {
            return null;
        }

        var header = new byte[HeaderBytes];
        if (RandomAccess.Read(database, header, 0) != HeaderBytes || !header.AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8))
        {
            return null;
        }

        var pageSize = (int)BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16));
        pageSize = pageSize == 1 ? 65536 : pageSize;
        var usable = pageSize - header[20];
        if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0 || usable < 480)
        {
            return null;
        }

        var frames = ReadWal(_path + "-wal", pageSize);
        return frames is null ? null : new PageView(database, pageSize, usable, frames.Value.Frames, frames.Value.Wal, frames.Value.Salts);
    }

    private SafeFileHandle? Database()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return null;
            }

            try
            {
                return _database ??= File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// The committed frames of the log at <paramref name="walPath"/>, by page, the log opened to read them and its salts
    /// (null when it has none): the frames whose salts match the header's and whose running checksum holds, up to the last commit
    /// frame among them. Empty when there is no log; null when it cannot be read.
    /// </summary>
    private static (Dictionary<uint, long> Frames, SafeFileHandle? Wal, byte[]? Salts)? ReadWal(string walPath, int pageSize)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(walPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return ([], null, null);
        }
        catch (IOException)
        {
            return null;
        }

        try
        {
            if (RandomAccess.GetLength(handle) > MaxWalBytes)
            {
                handle.Dispose();
                return null;
            }

            var frames = CommittedFrames((offset, into) => RandomAccess.Read(handle, into, offset), pageSize);
            var salts = new byte[8];
            if (frames.Count == 0 || RandomAccess.Read(handle, salts, 16) != salts.Length)
            {
                handle.Dispose();
                return ([], null, null);
            }

            return (frames, handle, salts);
        }
        catch (IOException)
        {
            handle.Dispose();
            return null;
        }
    }

    /// <summary>Reads bytes of a log at an offset into a span; how many (fewer at its end).</summary>
    internal delegate int ReadAt(long offset, Span<byte> into);

    /// <summary>Page number → offset of its page image in <paramref name="wal"/>, for every committed frame (the latest wins).</summary>
    internal static Dictionary<uint, long> CommittedFrames(ReadOnlyMemory<byte> wal, int pageSize) =>
        CommittedFrames((offset, into) =>
        {
            var available = (int)Math.Clamp(wal.Length - offset, 0, into.Length);
            wal.Span.Slice((int)offset, available).CopyTo(into);
            return available;
        }, pageSize);

    /// <summary>
    /// Page number → offset of its page image in the log <paramref name="read"/> reads, for every committed frame (the
    /// latest wins). The log is read a few frames at a time into one pooled buffer, so a long log costs no memory.
    /// </summary>
    internal static Dictionary<uint, long> CommittedFrames(ReadAt read, int pageSize)
    {
        var committed = new Dictionary<uint, long>();
        Span<byte> header = stackalloc byte[WalHeaderBytes];
        if (ReadFully(read, 0, header) < WalHeaderBytes)
        {
            return committed;
        }

        var magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        if ((magic & 0xFFFFFFFE) != 0x377F0682 || BinaryPrimitives.ReadUInt32BigEndian(header[8..]) != pageSize)
        {
            return committed;
        }

        var bigEndian = (magic & 1) == 1;
        var (s0, s1) = Checksum(header[..24], bigEndian, 0, 0);
        if (s0 != BinaryPrimitives.ReadUInt32BigEndian(header[24..]) || s1 != BinaryPrimitives.ReadUInt32BigEndian(header[28..]))
        {
            return committed;
        }

        var salts = header.Slice(16, 8);
        var frameBytes = FrameHeaderBytes + pageSize;
        // A few frames a read, below the large-object heap's threshold (one frame when pages are large).
        var framesPerRead = Math.Max(1, 64 * 1024 / frameBytes);
        var buffer = ArrayPool<byte>.Shared.Rent(framesPerRead * frameBytes);
        try
        {
            var pending = new List<(uint Page, long Offset)>();
            long at = WalHeaderBytes;
            while (true)
            {
                var filled = ReadFully(read, at, buffer.AsSpan(0, framesPerRead * frameBytes));
                var whole = filled / frameBytes;
                for (var i = 0; i < whole; i++, at += frameBytes)
                {
                    var frame = buffer.AsSpan(i * frameBytes, frameBytes);
                    if (!frame.Slice(8, 8).SequenceEqual(salts))
                    {
                        return committed;
                    }

                    (s0, s1) = Checksum(frame[..8], bigEndian, s0, s1);
                    (s0, s1) = Checksum(frame[FrameHeaderBytes..], bigEndian, s0, s1);
                    if (s0 != BinaryPrimitives.ReadUInt32BigEndian(frame[16..]) || s1 != BinaryPrimitives.ReadUInt32BigEndian(frame[20..]))
                    {
                        return committed;
                    }

                    pending.Add((BinaryPrimitives.ReadUInt32BigEndian(frame), at + FrameHeaderBytes));
                    if (BinaryPrimitives.ReadUInt32BigEndian(frame[4..]) != 0)
                    {
                        // A commit frame: it and every frame before it stand.
                        foreach (var (page, offset) in pending)
                        {
                            committed[page] = offset;
                        }

                        pending.Clear();
                    }
                }

                if (whole < framesPerRead)
                {
                    return committed;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int ReadFully(ReadAt read, long offset, Span<byte> into)
    {
        var filled = 0;
        while (filled < into.Length)
        {
            var n = read(offset + filled, into[filled..]);
            if (n <= 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }

    /// <summary>The log's running checksum (fileformat2, "Checksum Algorithm") over <paramref name="data"/>, from (s0, s1).</summary>
    private static (uint, uint) Checksum(ReadOnlySpan<byte> data, bool bigEndian, uint s0, uint s1)
    {
        for (var i = 0; i + 8 <= data.Length; i += 8)
        {
            var x0 = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[i..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            var x1 = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[(i + 4)..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[(i + 4)..]);
            s0 += x0 + s1;
            s1 += x1 + s0;
        }

        return (s0, s1);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _database?.Dispose();
            _database = null;
        }
    }
}

/// <summary>
/// The pages of a database as of one look at its log: the log's copy of a page when it has one, else the file's. It
/// holds the log open (a log is not locked by SQLite, so closing it costs SQLite nothing) until disposed; a frame read
/// from it must still name its page and carry the salts the log had when it was looked at, or the log was restarted
/// since and the read fails.
/// </summary>
internal sealed class PageView(SafeFileHandle database, int pageSize, int usable, Dictionary<uint, long> frames, SafeFileHandle? wal,
    byte[]? salts) : IDisposable
{
    public int PageSize { get; } = pageSize;

    /// <summary>The bytes of a page SQLite uses (the page less its reserved tail).</summary>
    public int Usable { get; } = usable;

    /// <summary>How many pages were read so far.</summary>
    public int Reads { get; private set; }

    /// <summary>How many pages were found in the log.</summary>
    public int FromLog { get; private set; }

    /// <summary>Page <paramref name="number"/> (from 1) into <paramref name="page"/>; false when it is past the end of the file.</summary>
    public bool Read(uint number, byte[] page)
    {
        if (number == 0 || page.Length != PageSize)
        {
            return false;
        }

        Reads++;
        if (wal is not null && frames.TryGetValue(number, out var offset))
        {
            FromLog++;
            Span<byte> header = stackalloc byte[DatabasePages.FrameHeaderBytes];
            return RandomAccess.Read(wal, header, offset - header.Length) == header.Length
                && BinaryPrimitives.ReadUInt32BigEndian(header) == number
                && header.Slice(8, 8).SequenceEqual(salts)
                && RandomAccess.Read(wal, page, offset) == PageSize;
        }

        return RandomAccess.Read(database, page, (long)(number - 1) * PageSize) == PageSize;
    }

    public void Dispose() => wal?.Dispose();
}
