using System.Collections.Concurrent;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// The reader connections of a <see cref="SqliteMetadataStore"/>: each kept open with its statements prepared and lent
/// to one read at a time, up to <see cref="IdleReaders"/> of them kept between reads. The last connection to close,
/// once the store has let go of its own, closes the database pages' descriptor.
/// </summary>
internal sealed class SqliteReaderPool(string connectionString, DatabasePages pages)
{
    // Reader connections kept open beyond this many are closed when handed back (each holds its own page cache).
    private const int IdleReaders = 16;

    private readonly ConcurrentBag<PreparedConnection> _readers = [];

    // The store's connections still open: 1 for the store itself until disposed, plus every reader taken and not yet
    // handed back. Whoever brings it to 0 closes the idle readers and then the pages' descriptor, which drops this
    // process's POSIX locks on the database file: no connection may still rely on one then.
    private int _openConnections = 1;
    private int _disposed;

    /// <summary>A reader, idle or new; ObjectDisposedException once the store is being disposed.</summary>
    public PreparedConnection Take()
    {
        // Counted before the check, so a dispose after it leaves the pages open for this reader.
        Interlocked.Increment(ref _openConnections);
        if (Volatile.Read(ref _disposed) != 0)
        {
            ConnectionClosed();
            throw new ObjectDisposedException(nameof(SqliteMetadataStore));
        }

        if (_readers.TryTake(out var reader))
        {
            return reader;
        }

        try
        {
            reader = new PreparedConnection(connectionString);
            SqliteMetadataStore.Execute(reader.Connection, "PRAGMA busy_timeout=30000;");
            SqliteCurrentObject.Register(reader.Connection);
            return reader;
        }
        catch
        {
            reader?.Dispose();
            ConnectionClosed();
            throw;
        }
    }

    /// <summary>Hands a reader back: kept for the next read when <paramref name="reusable"/> and there is room, else closed.</summary>
    public void Return(PreparedConnection reader, bool reusable)
    {
        if (reusable && Volatile.Read(ref _disposed) == 0 && _readers.Count < IdleReaders)
        {
            _readers.Add(reader);
            ConnectionClosed();
        }
        else
        {
            Close(reader);
        }
    }

    /// <summary>Closes a reader that failed, instead of handing it back.</summary>
    public void Close(PreparedConnection reader)
    {
        reader.Dispose();
        ConnectionClosed();
    }

    /// <summary>Lends no reader from now on; false when the store was being disposed already.</summary>
    public bool StopLending() => Interlocked.Exchange(ref _disposed, 1) == 0;

    /// <summary>
    /// Closes the idle readers and gives up the store's own count, once its writer is closed: readers still taken close
    /// when handed back, and the last one closes the pages' descriptor.
    /// </summary>
    public void Release()
    {
        CloseIdleReaders();
        ConnectionClosed();
    }

    /// <summary>One connection fewer counted; the last (after the store was disposed) closes what is left, the pages last.</summary>
    private void ConnectionClosed()
    {
        if (Interlocked.Decrement(ref _openConnections) == 0)
        {
            // A reader handed back while the store was being disposed may have gone to the idle ones after they were closed.
            CloseIdleReaders();
            pages.Dispose();
        }
    }

    private void CloseIdleReaders()
    {
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }
}
