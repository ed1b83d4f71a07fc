using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// The embedded metadata store: one SQLite database in WAL mode. Readers use connections of their own, kept open with
/// their statements prepared, each snapshot in its own read transaction; the single writer connection commits with
/// <c>synchronous=FULL</c> through the <see cref="SqliteCommitQueue"/>, which groups concurrent writes into one
/// transaction and one fsync, so transactions are serial by construction.
/// </summary>
public sealed class SqliteMetadataStore : IMetadataStore, IBlobLedger
{
    /// <summary>The database's file in the data folder: its presence is what makes a folder an embedded Coffer store.</summary>
    public const string FileName = "metadata.db";

    internal const int RecordFormat = 1;
    private const int SchemaVersion = 11;

    // What each released schema version adds to the one before it; a data folder of an older release is brought up to date on open.
    private static readonly Dictionary<long, string> Upgrades = new()
    {
        [4] = "ALTER TABLE multipart_uploads ADD COLUMN checksum_algorithm TEXT; ALTER TABLE multipart_uploads ADD COLUMN checksum_type TEXT; " +
              "ALTER TABLE multipart_uploads ADD COLUMN initiator TEXT; ALTER TABLE multipart_uploads ADD COLUMN acl TEXT; " +
              "ALTER TABLE multipart_parts ADD COLUMN checksum TEXT; ALTER TABLE inventory_runs ADD COLUMN summary BLOB;",
        // Versions gain the commit positions they appeared and stopped being current at, in a rebuilt table whose key
        // lets a superseded revision sit beside the current one; instants can be pinned.
        [5] = "CREATE TABLE object_versions_5 (bucket_id INTEGER NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, version_id TEXT NOT NULL, " +
              "is_latest INTEGER NOT NULL, is_delete_marker INTEGER NOT NULL, record BLOB NOT NULL, born INTEGER NOT NULL, died INTEGER, " +
              "PRIMARY KEY (bucket_id, key, seq DESC, born DESC)) WITHOUT ROWID; " +
              "INSERT INTO object_versions_5 SELECT bucket_id, key, seq, version_id, is_latest, is_delete_marker, record, seq, NULL FROM object_versions; " +
              "DROP TABLE object_versions; ALTER TABLE object_versions_5 RENAME TO object_versions; " +
              "CREATE UNIQUE INDEX object_versions_by_version_id ON object_versions (bucket_id, key, version_id) WHERE died IS NULL; " +
              "CREATE INDEX object_versions_superseded ON object_versions (died) WHERE died IS NOT NULL; " +
              "CREATE TABLE snapshot_pins (owner TEXT PRIMARY KEY, point INTEGER NOT NULL, pinned_at INTEGER NOT NULL) WITHOUT ROWID;",
        // Small objects' bodies, apart from the versions that name them (inventory scans never read them).
        [6] = "CREATE TABLE IF NOT EXISTS inline_blobs (blob_id TEXT PRIMARY KEY, data BLOB NOT NULL);",
        // Inventory runs are cut into key ranges leased on their own.
        [7] = "CREATE TABLE inventory_partitions (job_id TEXT NOT NULL, partition INTEGER NOT NULL, from_key TEXT NOT NULL, to_key TEXT, " +
              "state TEXT NOT NULL, lease_owner TEXT, lease_expires INTEGER, progress BLOB, record_format INTEGER NOT NULL, " +
              "PRIMARY KEY (job_id, partition)) WITHOUT ROWID; " +
              "CREATE INDEX inventory_partitions_by_state ON inventory_partitions (state, job_id, partition);",
        // Batch jobs and their chunks of tasks: new tables only.
        [8] = "CREATE TABLE batch_jobs (job_id TEXT PRIMARY KEY, account TEXT NOT NULL, client_token TEXT, status TEXT NOT NULL, " +
              "priority INTEGER NOT NULL, created_at INTEGER NOT NULL, finished_at INTEGER, total_tasks INTEGER NOT NULL DEFAULT 0, " +
              "tasks_succeeded INTEGER NOT NULL DEFAULT 0, tasks_failed INTEGER NOT NULL DEFAULT 0, active_ms INTEGER NOT NULL DEFAULT 0, " +
              "spec BLOB NOT NULL, tags BLOB, progress BLOB, status_reason TEXT, failure_code TEXT, failure_reason TEXT, lease_owner TEXT, " +
              "lease_expires INTEGER, record_format INTEGER NOT NULL) WITHOUT ROWID; " +
              "CREATE UNIQUE INDEX batch_jobs_by_token ON batch_jobs (account, client_token) WHERE client_token IS NOT NULL; " +
              "CREATE INDEX batch_jobs_by_account ON batch_jobs (account, created_at, job_id); " +
              "CREATE INDEX batch_jobs_by_status ON batch_jobs (status, priority, created_at); " +
              "CREATE TABLE batch_job_chunks (job_id TEXT NOT NULL, chunk INTEGER NOT NULL, tasks BLOB NOT NULL, task_count INTEGER NOT NULL, " +
              "done INTEGER NOT NULL, succeeded INTEGER NOT NULL, failed INTEGER NOT NULL, results BLOB, record_format INTEGER NOT NULL, " +
              "PRIMARY KEY (job_id, chunk)) WITHOUT ROWID;",
        // The change journal with the instants runs marked in it, and the outbox of event notifications: new tables only.
        [9] = Schema9,
        // Sequences come from a block reserved in store_info; the first reservation is the highest sequence in use, found
        // by the one full scan this upgrade makes, so that opening the store never scans again.
        [10] = "INSERT OR REPLACE INTO store_info (name, value) SELECT 'sequence_reserved', CAST(MAX(s) AS TEXT) FROM (" +
               "SELECT COALESCE(MAX(born), 0) AS s FROM object_versions UNION ALL SELECT COALESCE(MAX(died), 0) FROM object_versions " +
               "UNION ALL SELECT COALESCE(MAX(seq), 0) FROM bucket_configs UNION ALL SELECT COALESCE(MAX(point), 0) FROM snapshot_pins " +
               "UNION ALL SELECT COALESCE(MAX(seq), 0) FROM change_journal UNION ALL SELECT COALESCE(MAX(point), 0) FROM journal_marks " +
               "UNION ALL SELECT COALESCE(MAX(CAST(value AS INTEGER)), 0) FROM store_info WHERE name = 'journal_horizon');",
        // The version-id index keeps only ids a versioning bucket assigned: "null" versions are found by the primary key.
        [11] = "DROP INDEX object_versions_by_version_id; " +
               "CREATE UNIQUE INDEX object_versions_versioned_by_id ON object_versions (bucket_id, key, version_id) WHERE version_id <> 'null' AND died IS NULL;",
    };

    /// <summary>
    /// How many sequences one reservation covers. A store opened again goes on after its last reservation, so a restart
    /// skips at most this many; the reservation is written once per block, inside the transaction that first needs it.
    /// </summary>
    public const long SequenceBlock = 1 << 20;

    private const string Schema9 =
        "CREATE TABLE change_journal (seq INTEGER PRIMARY KEY, bucket_id INTEGER NOT NULL, key TEXT NOT NULL, version_id TEXT NOT NULL, " +
        "version_seq INTEGER NOT NULL, operation INTEGER NOT NULL, is_latest INTEGER NOT NULL, is_delete_marker INTEGER NOT NULL, at INTEGER NOT NULL, " +
        "record BLOB NOT NULL, previous BLOB); " +
        "CREATE INDEX change_journal_by_bucket ON change_journal (bucket_id, seq); " +
        "CREATE TABLE journal_marks (owner TEXT PRIMARY KEY, point INTEGER NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID; " +
        "CREATE TABLE notification_outbox (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, target TEXT NOT NULL, body BLOB NOT NULL, " +
        "queued_at INTEGER NOT NULL, next_attempt INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, lease_owner TEXT, " +
        "lease_until INTEGER); " +
        "CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt, seq); " +
        "CREATE INDEX notification_outbox_by_target ON notification_outbox (target);";

    /// <summary>The first schema version a release wrote; older versions only existed in development builds.</summary>
    private const int FirstReleasedSchemaVersion = 3;

    /// <summary>
    /// Deletes superseded revisions no pin needs: a revision that died at D is needed by a pin at S only when S &lt; D, so
    /// every revision that died at or before the oldest pin (or every one, with no pin) goes. Run on the writer.
    /// </summary>
    private const string PurgeSql =
        "DELETE FROM object_versions WHERE died IS NOT NULL AND died <= COALESCE((SELECT MIN(point) FROM snapshot_pins), 9223372036854775807)";

    // Reader connections kept open beyond this many are closed when handed back (each holds its own page cache).
    private const int IdleReaders = 16;

    private readonly string _connectionString;
    private readonly PreparedConnection _writer;
    private readonly SqliteCommitQueue _queue;
    private readonly ConcurrentBag<PreparedConnection> _readers = [];

    // The store's connections still open: 1 for the store itself until disposed, plus every reader taken and not yet
    // handed back. Whoever brings it to 0 closes the idle readers and then the pages' descriptor, which drops this
    // process's POSIX locks on the database file: no connection may still rely on one then.
    private int _openConnections = 1;
    private int _disposed;
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
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        _writer = new PreparedConnection(_connectionString);
        // Kept as a string so a scan thread never asks the writer's connection for it.
        DatabasePath = _writer.Connection.DataSource;
        Pages = new DatabasePages(DatabasePath);
        try
        {
            Execute(_writer.Connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;");
            Migrate();
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
        var reader = TakeReader();
        CurrentObjectRead found;
        try
        {
            found = SqliteCurrentObject.Read(reader, bucket, key, withInlineBody);
        }
        catch
        {
            CloseReader(reader);
            throw;
        }

        ReturnReader(reader, reusable: true);
        return found;
    }

    private SqliteSession OpenSnapshot(long? asOf)
    {
        var reader = TakeReader();
        try
        {
            return SqliteSession.Snapshot(this, reader, ReturnReader, asOf);
        }
        catch
        {
            CloseReader(reader);
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
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Dispose();
        _writer.Dispose();
        CloseIdleReaders();
        ConnectionClosed();
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

    private PreparedConnection TakeReader()
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
            reader = new PreparedConnection(_connectionString);
            Execute(reader.Connection, "PRAGMA busy_timeout=30000;");
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

    private void ReturnReader(PreparedConnection reader, bool reusable)
    {
        if (reusable && Volatile.Read(ref _disposed) == 0 && _readers.Count < IdleReaders)
        {
            _readers.Add(reader);
            ConnectionClosed();
        }
        else
        {
            CloseReader(reader);
        }
    }

    private void CloseReader(PreparedConnection reader)
    {
        reader.Dispose();
        ConnectionClosed();
    }

    /// <summary>One connection fewer counted; the last (after the store was disposed) closes what is left, the pages last.</summary>
    private void ConnectionClosed()
    {
        if (Interlocked.Decrement(ref _openConnections) == 0)
        {
            // A reader handed back while the store was being disposed may have gone to the idle ones after they were closed.
            CloseIdleReaders();
            Pages.Dispose();
        }
    }

    private void CloseIdleReaders()
    {
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    private void Migrate()
    {
        var current = Scalar(_writer.Connection, "PRAGMA user_version");
        if (current > SchemaVersion)
        {
            throw new MetadataSchemaException(
                $"The metadata database has schema version {current}; this Coffer understands up to {SchemaVersion}.");
        }

        if (current == SchemaVersion)
        {
            return;
        }

        if (current is > 0 and < FirstReleasedSchemaVersion)
        {
            // Versions 1 and 2 only ever existed in development builds before the first release; there is nothing to migrate.
            throw new MetadataSchemaException(
                $"The metadata database has schema version {current}, written by a development build of Coffer; start with a new data folder.");
        }

        if (current != 0)
        {
            Upgrade(current);
            return;
        }

        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Coffer.Storage.Sqlite.Schema.sql")
            ?? throw new InvalidOperationException("The schema resource is missing.");
        using var reader = new StreamReader(stream);
        using var transaction = _writer.Connection.BeginTransaction();
        using (var command = _writer.Connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = reader.ReadToEnd() + $"\nPRAGMA user_version={SchemaVersion};";
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>Applies the upgrades after <paramref name="from"/> in one transaction, so a crash leaves the old version whole.</summary>
    private void Upgrade(long from)
    {
        using var transaction = _writer.Connection.BeginTransaction();
        using (var command = _writer.Connection.CreateCommand())
        {
            command.Transaction = transaction;
            for (var version = from + 1; version <= SchemaVersion; version++)
            {
                command.CommandText = Upgrades[version] + $"\nPRAGMA user_version={version};";
                command.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L);
    }
}
