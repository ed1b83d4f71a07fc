using System.Reflection;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// The embedded metadata store: one SQLite database in WAL mode. Readers use pooled connections, each in its own
/// read transaction (a snapshot); the single writer connection commits with <c>synchronous=FULL</c>, one transaction at
/// a time, so transactions are serial by construction.
/// </summary>
public sealed class SqliteMetadataStore : IMetadataStore, IBlobLedger
{
    /// <summary>The database's file in the data folder: its presence is what makes a folder an embedded Coffer store.</summary>
    public const string FileName = "metadata.db";

    internal const int RecordFormat = 1;
    private const int SchemaVersion = 6;

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
        // The change journal with the instants runs marked in it, and the outbox of event notifications: new tables only.
        [6] = Schema6,
    };

    private const string Schema6 =
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

    private readonly string _connectionString;
    private readonly SqliteConnection _writeConnection;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly TimeProvider _time;
    private long _lastSequence;

    private SqliteMetadataStore(string path, TimeProvider time)
    {
        _time = time;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _writeConnection = new SqliteConnection(_connectionString);
        _writeConnection.Open();
        Execute(_writeConnection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;");
        Migrate();
        _lastSequence = Scalar(_writeConnection,
            "SELECT MAX(s) FROM (SELECT COALESCE(MAX(born), 0) AS s FROM object_versions UNION ALL SELECT COALESCE(MAX(died), 0) FROM object_versions " +
            "UNION ALL SELECT COALESCE(MAX(seq), 0) FROM bucket_configs UNION ALL SELECT COALESCE(MAX(point), 0) FROM snapshot_pins " +
            // Journal sequences come from the same counter, and a purge remembers how far it went, so the counter never goes back.
            "UNION ALL SELECT COALESCE(MAX(seq), 0) FROM change_journal UNION ALL SELECT COALESCE(MAX(point), 0) FROM journal_marks " +
            "UNION ALL SELECT COALESCE(MAX(CAST(value AS INTEGER)), 0) FROM store_info WHERE name = 'journal_horizon')");
        LoadPins();
        PurgeSuperseded();
    }

    /// <summary>True while an instant is pinned: deletes and retags then keep what they supersede (see Schema.sql).</summary>
    internal bool HasPins { get; private set; }

    public string DatabasePath => _writeConnection.DataSource;

    public string Description => $"SQLite {DatabasePath}";

    public bool IsShared => false;

    public IBlobLedger Blobs => this;

    public static SqliteMetadataStore Open(string path, TimeProvider time) => new(path, time);

    public IMetadataSnapshot OpenSnapshot() => OpenSnapshot(asOf: null);

    public IMetadataSnapshot OpenSnapshot(SnapshotPoint at) => OpenSnapshot(SqlitePins.Position(at));

    private SqliteSession OpenSnapshot(long? asOf)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout=30000;");
        var transaction = connection.BeginTransaction(deferred: true);
        return new SqliteSession(this, connection, transaction, ownsConnection: true, asOf);
    }

    public async Task<int> PurgeSupersededAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            return PurgeSuperseded();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<T> WriteAsync<T>(Func<IMetadataTransaction, T> work, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var transaction = _writeConnection.BeginTransaction(deferred: false);
            using var session = new SqliteSession(this, _writeConnection, transaction, ownsConnection: false);
            var result = work(session);
            transaction.Commit();
            if (session.PinsChanged)
            {
                LoadPins();
                PurgeSuperseded();
            }

            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task RecordIntentAsync(string blobId, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            // An intent only has to survive a crash of this process, not of the machine: skip the fsync.
            Execute(_writeConnection, "PRAGMA synchronous=OFF;");
            try
            {
                using var command = _writeConnection.CreateCommand();
                command.CommandText = "INSERT OR REPLACE INTO unreferenced_blobs (blob_id, noted_at) VALUES ($id, $at)";
                command.Parameters.AddWithValue("$id", blobId);
                command.Parameters.AddWithValue("$at", _time.GetUtcNow().ToUnixTimeMilliseconds());
                command.ExecuteNonQuery();
            }
            finally
            {
                Execute(_writeConnection, "PRAGMA synchronous=FULL;");
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public IReadOnlyList<string> ListUnreferenced()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT blob_id FROM unreferenced_blobs";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public async Task<IReadOnlyList<string>> TakeUnreferencedAsync(DateTimeOffset notedBefore, int limit, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var command = _writeConnection.CreateCommand();
            command.CommandText =
                "DELETE FROM unreferenced_blobs WHERE blob_id IN (SELECT blob_id FROM unreferenced_blobs WHERE noted_at < $before LIMIT $limit) " +
                "RETURNING blob_id";
            command.Parameters.AddWithValue("$before", notedBefore.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var ids = new List<string>();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task ForgetAsync(IReadOnlyCollection<string> blobIds, CancellationToken cancellationToken = default)
    {
        if (blobIds.Count == 0)
        {
            return;
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            Execute(_writeConnection, "PRAGMA synchronous=OFF;");
            try
            {
                using var transaction = _writeConnection.BeginTransaction();
                using var command = _writeConnection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "DELETE FROM unreferenced_blobs WHERE blob_id = $id";
                var id = command.Parameters.Add("$id", SqliteType.Text);
                foreach (var blobId in blobIds)
                {
                    id.Value = blobId;
                    command.ExecuteNonQuery();
                }

                transaction.Commit();
            }
            finally
            {
                Execute(_writeConnection, "PRAGMA synchronous=FULL;");
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Dispose()
    {
        _writeConnection.Dispose();
        _writeLock.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    internal long NextSequence() => ++_lastSequence;

    /// <summary>The commit position every committed write is at or below (the writer holds the lock).</summary>
    internal long CurrentPosition => _lastSequence;

    private void LoadPins() => HasPins = Scalar(_writeConnection, "SELECT COUNT(*) FROM snapshot_pins") > 0;

    /// <summary>
    /// Deletes superseded revisions no pin needs: a revision that died at D is needed by a pin at S only when S &lt; D, so
    /// every revision that died at or before the oldest pin (or every one, with no pin) goes. Called with the writer held.
    /// </summary>
    private int PurgeSuperseded()
    {
        using var command = _writeConnection.CreateCommand();
        command.CommandText =
            "DELETE FROM object_versions WHERE died IS NOT NULL AND died <= COALESCE((SELECT MIN(point) FROM snapshot_pins), 9223372036854775807)";
        return command.ExecuteNonQuery();
    }

    internal long NowMilliseconds() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Migrate()
    {
        var current = Scalar(_writeConnection, "PRAGMA user_version");
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
        using var transaction = _writeConnection.BeginTransaction();
        using (var command = _writeConnection.CreateCommand())
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
        using var transaction = _writeConnection.BeginTransaction();
        using (var command = _writeConnection.CreateCommand())
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
