using Coffer.Storage.Records;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// One SQLite transaction seen through the aggregate interfaces: a read snapshot (a deferred transaction on a reader
/// connection of its own, handed back when the snapshot is disposed) or one work's view of the writer's transaction.
/// A snapshot runs its <c>BEGIN</c> and <c>ROLLBACK</c> as the connection's cached statements rather than through a
/// <see cref="SqliteTransaction"/>, which prepares both anew each time (a tenth of a GET's CPU).
/// </summary>
internal sealed class SqliteSession : IMetadataSnapshot, IMetadataTransaction
{
    private readonly PreparedConnection _connection;
    private readonly Action<PreparedConnection, bool>? _handBack;
    private List<string>? _released;
    private bool _disposed;

    /// <summary>A view of the writer's transaction for one work.</summary>
    public SqliteSession(SqliteMetadataStore store, PreparedConnection connection, SqliteTransaction transaction)
        : this(store, connection, transaction, handBack: null, asOf: null)
    {
    }

    /// <param name="handBack">
    /// For a snapshot: where its reader connection goes once the snapshot ends, and whether it can be used again (false
    /// when ending its transaction failed). Null for a write.
    /// </param>
    /// <param name="asOf">The pinned commit position versions are read at, or null for the current state.</param>
    private SqliteSession(SqliteMetadataStore store, PreparedConnection connection, SqliteTransaction? transaction, Action<PreparedConnection, bool>? handBack,
        long? asOf)
    {
        Store = store;
        _connection = connection;
        Connection = connection.Connection;
        Transaction = transaction;
        _handBack = handBack;
        AsOf = asOf;
    }

    /// <summary>The pinned commit position versions are read at, or null for the current state.</summary>
    public long? AsOf { get; }

    /// <summary>Set when this transaction pinned or released an instant: the store reloads its pins after the commit.</summary>
    public bool PinsChanged { get; set; }

    public SqliteMetadataStore Store { get; }

    /// <summary>The writer's kept buckets and configurations in a write; null in a snapshot, which reads them itself.</summary>
    public WriterSettingsCache? WriterSettings => _handBack is null ? Store.WriterSettings : null;

    public SqliteConnection Connection { get; }

    /// <summary>The writer's transaction; null in a snapshot, whose transaction the connection runs by its own statements.</summary>
    public SqliteTransaction? Transaction { get; }

    // Each aggregate is made on first use: a session lives for one work or one read, and a PUT's work touches three of them.
    public SqliteBuckets Buckets => field ??= new SqliteBuckets(this);

    public SqliteVersions Versions => field ??= new SqliteVersions(this);

    public SqliteUploads Uploads => field ??= new SqliteUploads(this);

    public SqliteConfigs Configs => field ??= new SqliteConfigs(this);

    public SqliteRuns Runs => field ??= new SqliteRuns(this);

    public SqliteCredentials Credentials => field ??= new SqliteCredentials(this);

    public SqlitePins Pins => field ??= new SqlitePins(this);

    public SqlitePartitions Partitions => field ??= new SqlitePartitions(this);

    IPartitionReader IMetadataView.Partitions => Partitions;

    IPartitionWriter IMetadataTransaction.Partitions => Partitions;
    public SqliteJobs Jobs => field ??= new SqliteJobs(this);

    IJobReader IMetadataView.Jobs => Jobs;

    IJobWriter IMetadataTransaction.Jobs => Jobs;

    public SqliteJournal Journal => field ??= new SqliteJournal(this);

    public SqliteOutbox Outbox => field ??= new SqliteOutbox(this);

    IChangeJournalReader IMetadataView.Journal => Journal;

    IChangeJournalWriter IMetadataTransaction.Journal => Journal;

    IOutboxReader IMetadataView.Outbox => Outbox;

    IOutboxWriter IMetadataTransaction.Outbox => Outbox;

    ISnapshotPinReader IMetadataView.Pins => Pins;

    ISnapshotPinWriter IMetadataTransaction.Pins => Pins;

    public SqliteInlineBlobs InlineBlobs => field ??= new SqliteInlineBlobs(this);

    IBucketReader IMetadataView.Buckets => Buckets;

    IVersionReader IMetadataView.Versions => Versions;

    IUploadReader IMetadataView.Uploads => Uploads;

    IConfigReader IMetadataView.Configs => Configs;

    IRunReader IMetadataView.Runs => Runs;

    ICredentialReader IMetadataView.Credentials => Credentials;

    IInlineBlobReader IMetadataView.InlineBlobs => InlineBlobs;

    IBucketWriter IMetadataTransaction.Buckets => Buckets;

    IVersionWriter IMetadataTransaction.Versions => Versions;

    IUploadWriter IMetadataTransaction.Uploads => Uploads;

    IConfigWriter IMetadataTransaction.Configs => Configs;

    IRunWriter IMetadataTransaction.Runs => Runs;

    ICredentialWriter IMetadataTransaction.Credentials => Credentials;

    IInlineBlobWriter IMetadataTransaction.InlineBlobs => InlineBlobs;

    public IReadOnlyCollection<string> ReleasedBlobIds => (IReadOnlyCollection<string>?)_released ?? [];

    /// <summary>
    /// A read snapshot on <paramref name="reader"/>: a deferred transaction (SQLite takes its read mark at the first
    /// statement), begun and ended by the connection's cached statements.
    /// </summary>
    public static SqliteSession Snapshot(SqliteMetadataStore store, PreparedConnection reader, Action<PreparedConnection, bool> handBack, long? asOf)
    {
        reader.Execute("BEGIN DEFERRED");
        return new SqliteSession(store, reader, transaction: null, handBack, asOf);
    }

    public void ClaimBlob(string blobId)
    {
        using var command = Command("DELETE FROM unreferenced_blobs WHERE blob_id = $id");
        command.Parameters.AddWithValue("$id", blobId);
        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"Blob {blobId} has no intent to claim: it was swept as abandoned.");
        }
    }

    public void ReleaseBlobs(BlobLayout layout)
    {
        foreach (var segment in layout.Segments)
        {
            if (segment.Inline)
            {
                // Its bytes go with this transaction; snapshots opened before it still read them.
                InlineBlobs.Delete(segment.BlobId);
                continue;
            }

            (_released ??= []).Add(segment.BlobId);
            using var command = Command("INSERT OR REPLACE INTO unreferenced_blobs (blob_id, noted_at) VALUES ($id, $at)");
            command.Parameters.AddWithValue("$id", segment.BlobId);
            command.Parameters.AddWithValue("$at", Store.NowMilliseconds());
            command.ExecuteNonQuery();
        }
    }

    /// <summary>A command in this transaction, its statement prepared once per connection (dispose it when done).</summary>
    public SqliteCommand Command(string sql)
    {
        // A disposed snapshot's connection is back in the pool, or closed: another snapshot's, or freed memory.
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _connection.Command(sql, Transaction);
    }

    /// <summary>A hot write bound through SQLite directly, prepared once per connection; it runs in this transaction.</summary>
    public DirectStatement Statement(string sql)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _connection.Statement(sql);
    }

    public void Dispose()
    {
        if (_handBack is null || _disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // SQLite may have ended it already (an I/O error rolls a transaction back by itself).
            if (raw.sqlite3_get_autocommit(Connection.Handle) == 0)
            {
                _connection.Execute("ROLLBACK");
            }
        }
        catch
        {
            _handBack(_connection, false);
            throw;
        }

        _handBack(_connection, true);
    }
}

/// <summary>The base of the per-aggregate classes: commands run in the session's transaction.</summary>
internal abstract class SqliteAggregate(SqliteSession session)
{
    protected SqliteSession Session => session;

    protected SqliteCommand Command(string sql) => session.Command(sql);

    protected DirectStatement Statement(string sql) => session.Statement(sql);

    protected static object Nullable(object? value) => value ?? DBNull.Value;

    protected static List<T> ReadAll<T>(SqliteCommand command, Func<SqliteDataReader, T> read)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    protected static T? ReadOne<T>(SqliteCommand command, Func<SqliteDataReader, T> read)
        where T : class
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? read(reader) : null;
    }
}
