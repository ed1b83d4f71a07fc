using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// Pages of the database file as SQLite's file format lays them out (sqlite.org/fileformat2.html), read beside SQLite
/// rather than through it: each page's newest committed copy, from the write-ahead log when a frame of it is there, else
/// from the database file. Reads race SQLite's writes and checkpoints, so a page may be stale or torn; the callers check
/// everything they parse and give up on anything implausible.
/// <para>
/// The database file is opened once and kept open until the store is disposed: closing any descriptor of a file drops
/// every POSIX lock this process holds on it, SQLite's included (sqlite.org/howtocorrupt.html, 2.2). The log is not
/// locked by SQLite (its locks are on the database file and the shared-memory index), so it is opened for each read.
/// </para>
/// </summary>
internal sealed class DatabasePages : IDisposable
{
    private const int HeaderBytes = 100;
    private const int WalHeaderBytes = 32;
    private const int FrameHeaderBytes = 24;

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
        return frames is null ? null : new PageView(database, pageSize, usable, frames.Value.Frames, frames.Value.Wal);
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
    /// The committed frames of the log at <paramref name="walPath"/>, by page: the frames whose salts match the header's
    /// and whose running checksum holds, up to the last commit frame among them. None when there is no log; null when it
    /// cannot be read.
    /// </summary>
    private static (Dictionary<uint, long> Frames, byte[]? Wal)? ReadWal(string walPath, int pageSize)
    {
        byte[] wal;
        try
        {
            using var handle = File.OpenHandle(walPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(handle);
            if (length > MaxWalBytes)
            {
                return null;
            }

            wal = new byte[length];
            var read = 0;
            while (read < wal.Length)
            {
                var n = RandomAccess.Read(handle, wal.AsSpan(read), read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            wal = wal[..read];
        }
        catch (FileNotFoundException)
        {
            return ([], null);
        }
        catch (IOException)
        {
            return null;
        }

        return (CommittedFrames(wal, pageSize), wal);
    }

    /// <summary>Page number → offset of its page image in <paramref name="wal"/>, for every committed frame (the latest wins).</summary>
    internal static Dictionary<uint, long> CommittedFrames(ReadOnlySpan<byte> wal, int pageSize)
    {
        var committed = new Dictionary<uint, long>();
        if (wal.Length < WalHeaderBytes)
        {
            return committed;
        }

        var magic = BinaryPrimitives.ReadUInt32BigEndian(wal);
        if ((magic & 0xFFFFFFFE) != 0x377F0682 || BinaryPrimitives.ReadUInt32BigEndian(wal[8..]) != pageSize)
        {
            return committed;
        }

        var bigEndian = (magic & 1) == 1;
        var (s0, s1) = Checksum(wal[..24], bigEndian, 0, 0);
        if (s0 != BinaryPrimitives.ReadUInt32BigEndian(wal[24..]) || s1 != BinaryPrimitives.ReadUInt32BigEndian(wal[28..]))
        {
            return committed;
        }

        var salts = wal.Slice(16, 8);
        var pending = new List<(uint Page, long Offset)>();
        for (long at = WalHeaderBytes; at + FrameHeaderBytes + pageSize <= wal.Length; at += FrameHeaderBytes + pageSize)
        {
            var frame = wal.Slice((int)at, FrameHeaderBytes + pageSize);
            if (!frame.Slice(8, 8).SequenceEqual(salts))
            {
                break;
            }

            (s0, s1) = Checksum(frame[..8], bigEndian, s0, s1);
            (s0, s1) = Checksum(frame[FrameHeaderBytes..], bigEndian, s0, s1);
            if (s0 != BinaryPrimitives.ReadUInt32BigEndian(frame[16..]) || s1 != BinaryPrimitives.ReadUInt32BigEndian(frame[20..]))
            {
                break;
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

        return committed;
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

/// <summary>The pages of a database as of one look at its log: the log's copy of a page when it has one, else the file's.</summary>
internal sealed class PageView(SafeFileHandle database, int pageSize, int usable, Dictionary<uint, long> frames, byte[]? wal)
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
            wal.AsSpan((int)offset, PageSize).CopyTo(page);
            return true;
        }

        return RandomAccess.Read(database, page, (long)(number - 1) * PageSize) == PageSize;
    }
}
