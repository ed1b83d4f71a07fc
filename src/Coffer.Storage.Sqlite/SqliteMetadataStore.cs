using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// The embedded metadata store: one SQLite database in WAL mode, brought to the current schema when opened
/// (<see cref="SqliteSchema"/>). Readers use connections of their own (<see cref="SqliteReaderPool"/>), kept open with
/// their statements prepared, each snapshot in its own read transaction; the single writer connection commits with
/// <c>synchronous=FULL</c> through the <see cref="SqliteCommitQueue"/>, which groups concurrent writes into one
/// transaction and one fsync, so transactions are serial by construction.
/// </summary>
public sealed class SqliteMetadataStore : IMetadataStore, IBlobLedger
{
    /// <summary>The database's file in the data folder: its presence is what makes a folder an embedded Coffer store.</summary>
    public const string FileName = "metadata.db";

    internal const int RecordFormat = 1;

    /// <summary>
    /// How many sequences one reservation covers. A store opened again goes on after its last reservation, so a restart
    /// skips at most this many; the reservation is written once per block, inside the transaction that first needs it.
    /// </summary>
    public const long SequenceBlock = 1 << 20;

    /// <summary>
    /// Deletes superseded revisions no pin needs: a revision that died at D is needed by a pin at S only when S &lt; D, so
    /// every revision that died at or before the oldest pin (or every one, with no pin) goes. Run on the writer.
    /// </summary>
    private const string PurgeSql =
        "DELETE FROM object_versions WHERE died IS NOT NULL AND died <= COALESCE((SELECT MIN(point) FROM snapshot_pins), 9223372036854775807)";

    private readonly PreparedConnection _writer;
    private readonly SqliteCommitQueue _queue;
    private readonly SqliteReaderPool _readers;
    private readonly TimeProvider _time;
    private long _lastSequence;

    // Every committed sequence and pinned position is at or below a reservation committed with it (see Reserve); -1 after
    // a rollback, which may have taken the last reservation with it.
    private long _reservedSequence;
    private long _bucketSettingsGeneration;
    private bool _bucketSettingsTouched;

    private SqliteMetadataStore(string path, TimeProvider time)
    {
        _time = time;
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        _writer = new PreparedConnection(connectionString);
        // Kept as a string so a scan thread never asks the writer's connection for it.
        DatabasePath = _writer.Connection.DataSource;
        Pages = new DatabasePages(DatabasePath);
        _readers = new SqliteReaderPool(connectionString, Pages);
        try
        {
            Execute(_writer.Connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;");
            SqliteSchema.Migrate(_writer.Connection);
            // A fresh store has no reservation yet, and nothing written: it starts from 0.
            _lastSequence = Scalar(_writer.Connection, "SELECT COALESCE(MAX(CAST(value AS INTEGER)), 0) FROM store_info WHERE name = 'sequence_reserved'");
            _reservedSequence = _lastSequence;
            HasPins = Scalar(_writer.Connection, "SELECT COUNT(*) FROM snapshot_pins") > 0;
            PurgeSuperseded(_writer.Command(PurgeSql, transaction: null));
        }
        catch
        {
            _writer.Dispose();
            throw;
        }

        _queue = new SqliteCommitQueue(_writer, transaction => new SqliteSession(this, _writer, transaction), PinsChanged, GroupEnded,
            WorkRolledBack);
    }

    /// <summary>True while an instant is pinned: deletes and retags then keep what they supersede (see Schema.sql).</summary>
    internal bool HasPins { get; private set; }

    /// <summary>Buckets and configurations the writer read, kept for the writes after (writer thread only).</summary>
    internal WriterSettingsCache WriterSettings { get; } = new();

    public string DatabasePath { get; }

    /// <summary>The database file's pages read beside SQLite, for split points; its one descriptor outlives every connection of the store.</summary>
    internal DatabasePages Pages { get; }

    public string Description => $"SQLite {DatabasePath}";

    public bool IsShared => false;

    /// <summary>The scans step SQLite directly and hand over its column spans.</summary>
    public bool ReadsRowsInPlace => true;

    public IBlobLedger Blobs => this;

    /// <summary>How many write transactions have been committed (each one fsync), however many writes they carried.</summary>
    public long Commits => _queue.Commits;

    public static SqliteMetadataStore Open(string path, TimeProvider time) => new(path, time);

    /// <summary>One process writes this database (the data folder's lock), so every change to a bucket goes through here.</summary>
    public long? BucketSettingsGeneration => Volatile.Read(ref _bucketSettingsGeneration);

    public IMetadataSnapshot OpenSnapshot() => OpenSnapshot(asOf: null);

    public IMetadataSnapshot OpenSnapshot(SnapshotPoint at) => OpenSnapshot(SqlitePins.Position(at));

    public CurrentObjectRead ReadCurrentObject(string bucket, string key, bool withInlineBody)
    {
        var reader = _readers.Take();
        CurrentObjectRead found;
        try
        {
            found = SqliteCurrentObject.Read(reader, bucket, key, withInlineBody);
        }
        catch
        {
            _readers.Close(reader);
            throw;
        }

        _readers.Return(reader, reusable: true);
        return found;
    }

    private SqliteSession OpenSnapshot(long? asOf)
    {
        var reader = _readers.Take();
        try
        {
            return SqliteSession.Snapshot(this, reader, _readers.Return, asOf);
        }
        catch
        {
            _readers.Close(reader);
            throw;
        }
    }

    public Task<int> PurgeSupersededAsync(CancellationToken cancellationToken = default) =>
        _queue.Enqueue(session => PurgeSuperseded(session.Command(PurgeSql)), cancellationToken);

    public Task<T> WriteAsync<T>(Func<IMetadataTransaction, T> work, CancellationToken cancellationToken = default) =>
        _queue.Enqueue(work, cancellationToken);

    /// <summary>
    /// An intent goes through the commit queue like any write, so it is as durable as the commit that later claims it
    /// and shares that queue's fsyncs with the writes around it; no pragma is switched per write.
    /// </summary>
    public Task RecordIntentAsync(string blobId, CancellationToken cancellationToken = default) =>
        _queue.Enqueue(session =>
        {
            using var command = session.Command("INSERT OR REPLACE INTO unreferenced_blobs (blob_id, noted_at) VALUES ($id, $at)");
            command.Parameters.AddWithValue("$id", blobId);
            command.Parameters.AddWithValue("$at", NowMilliseconds());
            return command.ExecuteNonQuery();
        }, cancellationToken);

    public IReadOnlyList<string> ListUnreferenced()
    {
        using var snapshot = (SqliteSession)OpenSnapshot();
        using var command = snapshot.Command("SELECT blob_id FROM unreferenced_blobs");
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public Task<IReadOnlyList<string>> TakeUnreferencedAsync(DateTimeOffset notedBefore, int limit, CancellationToken cancellationToken = default) =>
        _queue.Enqueue<IReadOnlyList<string>>(session =>
        {
            using var command = session.Command(
                "DELETE FROM unreferenced_blobs WHERE blob_id IN (SELECT blob_id FROM unreferenced_blobs WHERE noted_at < $before LIMIT $limit) " +
                "RETURNING blob_id");
            command.Parameters.AddWithValue("$before", notedBefore.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var ids = new List<string>();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }, cancellationToken);

    public Task ForgetAsync(IReadOnlyCollection<string> blobIds, CancellationToken cancellationToken = default) =>
        blobIds.Count == 0
            ? Task.CompletedTask
            : _queue.Enqueue(session =>
            {
                using var command = session.Command("DELETE FROM unreferenced_blobs WHERE blob_id = $id");
                var id = command.Parameters.Add("$id", SqliteType.Text);
                foreach (var blobId in blobIds)
                {
                    id.Value = blobId;
                    command.ExecuteNonQuery();
                }

                return blobIds.Count;
            }, cancellationToken);

    /// <summary>
    /// Lets the queued writes commit and closes the writer and the idle readers; readers still taken (a snapshot being read)
    /// close when handed back, and the last one closes the pages' descriptor.
    /// </summary>
    public void Dispose()
    {
        if (!_readers.StopLending())
        {
            return;
        }

        _queue.Dispose();
        _writer.Dispose();
        _readers.Release();
    }

    /// <summary>The next commit sequence, on the writer thread inside <paramref name="session"/>'s transaction.</summary>
    internal long NextSequence(SqliteSession session)
    {
        var next = _lastSequence + 1;
        Reserve(session, next);
        return _lastSequence = next;
    }

    /// <summary>
    /// The commit position every committed write is at or below (the writer holds the lock), for a pin written in
    /// <paramref name="session"/>'s transaction: a later start must go on above it too.
    /// </summary>
    internal long CurrentPosition(SqliteSession session)
    {
        Reserve(session, _lastSequence);
        return _lastSequence;
    }

    /// <summary>
    /// Makes sure a reservation at or above <paramref name="position"/> commits with <paramref name="session"/>'s work: past
    /// the last one, a new one is written in the same transaction (and savepoint), so the two commit or roll back together.
    /// Opening the store reads the reservation instead of scanning every version for the highest sequence.
    /// </summary>
    private void Reserve(SqliteSession session, long position)
    {
        if (position <= _reservedSequence)
        {
            return;
        }

        var reserved = position + SequenceBlock;
        using var command = session.Command("INSERT OR REPLACE INTO store_info (name, value) VALUES ('sequence_reserved', $value)");
        command.Parameters.AddWithValue("$value", reserved.ToString(CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
        _reservedSequence = reserved;
    }

    /// <summary>
    /// Told by the commit queue that a write (or its whole group) was rolled back: a reservation it wrote may be gone with
    /// it, so the next sequence or pin writes one again.
    /// </summary>
    private void WorkRolledBack()
    {
        _reservedSequence = -1;
        // What the work read after changing a bucket or a configuration is gone with it.
        WriterSettings.Forget();
    }


    private static int PurgeSuperseded(SqliteCommand purge)
    {
        using (purge)
        {
            return purge.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Called by the commit queue on the writer thread. Within a group (<paramref name="session"/> set), a write that pinned
    /// or released an instant makes the writes after it see whether any pin stands; once the group has committed or rolled
    /// back (<paramref name="session"/> null), the pins are read again and what they no longer need is purged.
    /// </summary>
    private void PinsChanged(SqliteSession? session)
    {
        if (session is not null)
        {
            using var count = session.Command("SELECT COUNT(*) FROM snapshot_pins");
            HasPins |= Convert.ToInt64(count.ExecuteScalar() ?? 0L) > 0;
            return;
        }

        HasPins = Scalar(_writer.Connection, "SELECT COUNT(*) FROM snapshot_pins") > 0;
        PurgeSuperseded(_writer.Command(PurgeSql, transaction: null));
    }

    /// <summary>Told by a write, on the writer thread, that it created, deleted or changed a bucket or a configuration.</summary>
    internal void BucketSettingsTouched()
    {
        _bucketSettingsTouched = true;
        WriterSettings.Forget();
    }

    /// <summary>
    /// Called by the commit queue on the writer thread once a group has committed or rolled back, before any of its
    /// callers is answered: a group that touched bucket settings moves the generation on, so nothing read before its
    /// commit passes for current after it is acknowledged.
    /// </summary>
    private void GroupEnded()
    {
        if (_bucketSettingsTouched)
        {
            _bucketSettingsTouched = false;
            Interlocked.Increment(ref _bucketSettingsGeneration);
        }
    }

    internal long NowMilliseconds() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L);
    }
}
