using System.Reflection;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// The embedded metadata store: one SQLite database in WAL mode. Readers use pooled connections, each in its own
/// read transaction (a snapshot); the single writer connection commits with <c>synchronous=FULL</c>.
/// </summary>
public sealed class SqliteMetadataStore : IMetadataStore
{
    internal const int RecordFormat = 1;
    private const int SchemaVersion = 4;

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
            "SELECT MAX(s) FROM (SELECT COALESCE(MAX(seq), 0) AS s FROM object_versions " +
            "UNION ALL SELECT COALESCE(MAX(seq), 0) FROM bucket_configs)");
    }

    public string DatabasePath => _writeConnection.DataSource;

    public static SqliteMetadataStore Open(string path, TimeProvider time) => new(path, time);

    public IMetadataReader OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout=30000;");
        var transaction = connection.BeginTransaction(deferred: true);
        return new SqliteReader(connection, transaction, ownsConnection: true);
    }

    public async Task<T> WriteAsync<T>(Func<IMetadataWriter, T> work, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var transaction = _writeConnection.BeginTransaction(deferred: false);
            var writer = new SqliteWriter(this, _writeConnection, transaction);
            var result = work(writer);
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task RecordBlobIntentAsync(string blobId, CancellationToken cancellationToken = default)
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

    public IReadOnlyList<string> ListUnreferencedBlobs()
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

    public async Task ForgetUnreferencedBlobsAsync(IReadOnlyCollection<string> blobIds, CancellationToken cancellationToken = default)
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

    internal long NowMilliseconds() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Migrate()
    {
        var current = Scalar(_writeConnection, "PRAGMA user_version");
        if (current > SchemaVersion)
        {
            throw new InvalidOperationException(
                $"The metadata database has schema version {current}; this Coffer understands up to {SchemaVersion}.");
        }

        if (current == SchemaVersion)
        {
            return;
        }

        if (current == 3)
        {
            // Version 4 appends one nullable column: the summary a successful run stores with itself.
            using var upgrade = _writeConnection.BeginTransaction();
            using (var command = _writeConnection.CreateCommand())
            {
                command.Transaction = upgrade;
                command.CommandText = "ALTER TABLE inventory_runs ADD COLUMN summary BLOB;\nPRAGMA user_version=4;";
                command.ExecuteNonQuery();
            }

            upgrade.Commit();
            return;
        }

        if (current != 0)
        {
            // Versions 1 and 2 only ever existed in development builds before the first release; there is nothing to migrate.
            throw new InvalidOperationException(
                $"The metadata database has schema version {current}, written by a development build of Coffer; start with a new data folder.");
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
