using System.Data;
using System.Reflection;
using System.Text.RegularExpressions;
using Npgsql;

namespace Coffer.Storage.Postgres;

/// <summary>
/// The shared metadata store: one PostgreSQL database that every node of a cluster uses at once. Snapshots are
/// REPEATABLE READ transactions; write transactions run at READ COMMITTED and take what they read: a point read of an
/// object version takes a transaction lock on its key, a read of an upload or a run locks its row, a read of a bucket
/// share-locks its row (so it cannot be deleted underneath), and the run queue skips runs another node holds. A
/// transaction that loses a race (a deadlock, a serialization failure, a unique key taken meanwhile) is run again, so
/// the outcome is that of some serial order, as with the embedded store. A write transaction whose node sent nothing
/// for a while (paused, or cut off) is ended by the database, so its locks hold up the other nodes' writes no longer
/// than that, and it runs again if its node goes on. Pooling, timeouts and reconnection are Npgsql's; a
/// database that cannot be reached surfaces as <see cref="MetadataUnavailableException"/>.
/// </summary>
public sealed partial class PostgresMetadataStore : IMetadataStore, IBlobLedger
{
    internal const int RecordFormat = 1;
    private const int SchemaVersion = 1;
    private const int MaxAttempts = 8;

    /// <summary>
    /// How long a write transaction may wait for its node's next message. Each runs its statements back to back, and the
    /// keepalive of a live node's connection counts as a message (every 10 s, <see cref="PostgresUrl"/>), so only a node
    /// that stopped (a paused VM, a frozen process, a lost network) waits this long; meanwhile its locks (a bucket's row,
    /// a key, the outbox while it is counted) would stall every other node's writes that need them. A URL whose
    /// Keepalive is longer lets a live node's slow transaction be ended too, which only runs it again.
    /// </summary>
    private static readonly TimeSpan DefaultIdleWriteLimit = TimeSpan.FromSeconds(15);

    // Held while one node creates or migrates the schema, so nodes starting together do it once. A transaction's lock,
    // under the write transactions' idle limit: a node stopped half-way has its work rolled back and the lock released,
    // where a session's lock would hold up every other node's start until its connection died.
    private const long MigrationLock = 0x436f666665724d67; // "CofferMg"

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly string _setIdleWriteLimit;

    private PostgresMetadataStore(NpgsqlDataSource dataSource, string description, TimeProvider time, TimeSpan idleWriteLimit)
    {
        _dataSource = dataSource;
        Description = description;
        _time = time;
        _setIdleWriteLimit = $"SET LOCAL idle_in_transaction_session_timeout = {(long)idleWriteLimit.TotalMilliseconds}";
    }

    public string Description { get; }

    public bool IsShared => true;

    public IBlobLedger Blobs => this;

    /// <summary>
    /// Connects to the database at <paramref name="url"/> (<c>postgres://USER[:PASSWORD]@HOST:PORT/DB</c>) and creates or
    /// migrates its schema. Fails with <see cref="MetadataUnavailableException"/> when the database cannot be reached, with
    /// <see cref="MetadataRefusedException"/> when the server refuses the connection or the schema's statements, and with
    /// <see cref="MetadataSchemaException"/> when its schema is newer than this build knows.
    /// <paramref name="idleWriteLimit"/> replaces the limit on an idle write transaction (<see cref="DefaultIdleWriteLimit"/>).
    /// </summary>
    public static PostgresMetadataStore Open(string url, TimeProvider time, TimeSpan? idleWriteLimit = null)
    {
        if (idleWriteLimit is { } limit && (limit < TimeSpan.FromMilliseconds(1) || limit.TotalMilliseconds > int.MaxValue))
        {
            // PostgreSQL takes whole milliseconds up to int.MaxValue, and reads 0 as no limit at all.
            throw new ArgumentOutOfRangeException(nameof(idleWriteLimit), limit, "The idle write limit must be between 1 ms and int.MaxValue ms.");
        }

        var (connectionString, description) = PostgresUrl.Parse(url);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var dataSource = builder.Build();
        var store = new PostgresMetadataStore(dataSource, description, time, idleWriteLimit ?? DefaultIdleWriteLimit);
        try
        {
            Errors.Translate(store.Migrate, description);
            return store;
        }
        catch (PostgresException error)
        {
            // What is left once Translate has taken the unreachable: the server's own answer, named by its SQLSTATE. Its
            // MessageText, not Message, to which Npgsql adds lines (the statement's POSITION, a DETAIL).
            store.Dispose();
            throw new MetadataRefusedException($"{description} refused: {error.SqlState}: {error.MessageText}", error);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Always null: other nodes change buckets too, so each request reads its bucket's settings.</summary>
    public long? BucketSettingsGeneration => null;

    public IMetadataSnapshot OpenSnapshot() => OpenSnapshot(asOf: null);

    public IMetadataSnapshot OpenSnapshot(SnapshotPoint at) => OpenSnapshot(PostgresPins.Snapshot(at));

    private PostgresSession OpenSnapshot(string? asOf) => Errors.Translate(() =>
    {
        var connection = Errors.Connect(_dataSource);
        try
        {
            var transaction = connection.BeginTransaction(IsolationLevel.RepeatableRead);
            return new PostgresSession(this, connection, transaction, writable: false, asOf);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }, Description, OnUnavailable);

    public async Task<T> WriteAsync<T>(Func<IMetadataTransaction, T> work, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            // Set when the connection broke before the COMMIT went out, so that nothing of this attempt was committed.
            var brokeBeforeCommit = false;
            try
            {
                return await Errors.TranslateAsync(async () =>
                {
                    await using var connection = await Errors.ConnectAsync(_dataSource, cancellationToken);
                    await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
                    // LOCAL to this transaction: snapshots share the pooled connections, and a scan may rightly sit between two
                    // batches for long while holding nothing a write waits for.
                    await using (var limit = new NpgsqlCommand(_setIdleWriteLimit, connection, transaction))
                    {
                        await limit.ExecuteNonQueryAsync(cancellationToken);
                    }

                    T result;
                    try
                    {
                        result = work(new PostgresSession(this, connection, transaction, writable: true));
                    }
                    catch (Exception error) when (connection.FullState == ConnectionState.Broken && !Errors.IsTimeout(error))
                    {
                        // Broken under the work (by what its statement read, or by Npgsql's keepalive between two of them
                        // once the database ended the transaction for sitting idle): no COMMIT went out. If the database
                        // cannot be reached, the next attempt fails to connect and that is the request's 503. A statement
                        // that timed out is not run again: a slow database would only be given the same work again.
                        brokeBeforeCommit = true;
                        throw;
                    }

                    try
                    {
                        await transaction.CommitAsync(cancellationToken);
                    }
                    catch (InvalidOperationException) when (connection.FullState == ConnectionState.Broken)
                    {
                        // Npgsql refuses to send anything on a connection that broke after the work's last statement.
                        brokeBeforeCommit = true;
                        throw;
                    }
                    catch (Exception error) when (error is not (PostgresException { InvariantSeverity: "ERROR" } or OperationCanceledException)
                        && !(error is PostgresException ended && Errors.IsEndedIdle(ended)))
                    {
                        // An ERROR answer to the COMMIT rolled it back, as did ending the session for idling before it; a
                        // caller that cancelled (the server stopping) is told so, not that the database is away.
                        // Anything else (no answer, a broken connection, a FATAL sent once the commit record may be written)
                        // leaves it open whether the database committed.
                        OnUnavailable();
                        throw new MetadataUnavailableException($"{Description} did not answer the commit of a write: {error.Message}", error)
                        {
                            MayHaveCommitted = true,
                        };
                    }

                    return result;
                }, Description, OnUnavailable);
            }
            catch (Exception error) when (attempt < MaxAttempts
                && (brokeBeforeCommit || (error is PostgresException postgres && (Errors.IsEndedIdle(postgres) || Errors.IsLostRace(postgres)))))
            {
                // Another transaction got there first, or this one was ended before it committed (its node stalled): the
                // work reads again, on another connection, and decides again.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 1 << Math.Min(attempt, 6))), cancellationToken);
            }
        }
    }

    public Task RecordIntentAsync(string blobId, CancellationToken cancellationToken = default) =>
        Errors.TranslateAsync(async () =>
        {
            await using var connection = await Errors.ConnectAsync(_dataSource, cancellationToken);
            await using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand("BEGIN"),
                    // An intent only has to survive a crash of this process, not of the database machine.
                    new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO OFF"),
                    new NpgsqlBatchCommand("INSERT INTO unreferenced_blobs (blob_id, noted_at) VALUES ($1, $2) ON CONFLICT (blob_id) DO NOTHING")
                    {
                        Parameters = { new() { Value = blobId }, new() { Value = NowMilliseconds() } },
                    },
                    new NpgsqlBatchCommand("COMMIT"),
                },
            };
            await batch.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, Description, OnUnavailable);

    public IReadOnlyList<string> ListUnreferenced() => Errors.Translate(() =>
    {
        using var connection = Errors.Connect(_dataSource);
        using var command = new NpgsqlCommand("SELECT blob_id FROM unreferenced_blobs", connection);
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return (IReadOnlyList<string>)ids;
    }, Description, OnUnavailable);

    public Task<IReadOnlyList<string>> TakeUnreferencedAsync(DateTimeOffset notedBefore, int limit, CancellationToken cancellationToken = default) =>
        Errors.TranslateAsync(async () =>
        {
            await using var connection = await Errors.ConnectAsync(_dataSource, cancellationToken);
            await using var command = new NpgsqlCommand(
                "DELETE FROM unreferenced_blobs WHERE blob_id IN " +
                "(SELECT blob_id FROM unreferenced_blobs WHERE noted_at < $1 ORDER BY noted_at LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING blob_id",
                connection)
            {
                Parameters = { new() { Value = notedBefore.ToUnixTimeMilliseconds() }, new() { Value = limit } },
            };
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var ids = new List<string>();
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetString(0));
            }

            return (IReadOnlyList<string>)ids;
        }, Description, OnUnavailable);

    public Task ForgetAsync(IReadOnlyCollection<string> blobIds, CancellationToken cancellationToken = default) =>
        blobIds.Count == 0
            ? Task.CompletedTask
            : Errors.TranslateAsync(async () =>
            {
                await using var connection = await Errors.ConnectAsync(_dataSource, cancellationToken);
                await using var command = new NpgsqlCommand("DELETE FROM unreferenced_blobs WHERE blob_id = ANY($1)", connection)
                {
                    Parameters = { new() { Value = blobIds.ToArray() } },
                };
                await command.ExecuteNonQueryAsync(cancellationToken);
                return true;
            }, Description, OnUnavailable);

    public Task<int> PurgeSupersededAsync(CancellationToken cancellationToken = default) =>
        Errors.TranslateAsync(async () =>
        {
            await using var connection = await Errors.ConnectAsync(_dataSource, cancellationToken);
            // A revision that died in a transaction every pinned snapshot (and every snapshot taken from now on) sees as done
            // is needed by none: that is one older than the oldest xmin among the pins and the present.
            var horizons = new List<ulong>();
            await using (var command = new NpgsqlCommand("SELECT point FROM snapshot_pins UNION ALL SELECT pg_current_snapshot()::text", connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    horizons.Add(PostgresPins.Xmin(reader.GetString(0)));
                }
            }

            var purged = 0;
            while (true)
            {
                await using var delete = new NpgsqlCommand(
                    "DELETE FROM object_versions WHERE ctid IN (SELECT ctid FROM object_versions WHERE died_xid IS NOT NULL AND died_xid < $1::text::xid8 LIMIT 10000)",
                    connection)
                {
                    Parameters = { new() { Value = horizons.Min().ToString(System.Globalization.CultureInfo.InvariantCulture) } },
                };
                var deleted = await delete.ExecuteNonQueryAsync(cancellationToken);
                purged += deleted;
                if (deleted < 10000)
                {
                    return purged;
                }
            }
        }, Description, OnUnavailable);

    public void Dispose() => _dataSource.Dispose();

    internal long NowMilliseconds() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Called when the database cannot be reached: pooled connections are dropped, so the next request connects afresh.</summary>
    private void OnUnavailable() => _dataSource.Clear();

    private bool Migrate()
    {
        using var connection = Errors.Connect(_dataSource);
        try
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, _setIdleWriteLimit);
            Execute(connection, $"SELECT pg_advisory_xact_lock({MigrationLock})");
            var encoding = (string?)new NpgsqlCommand("SHOW server_encoding", connection).ExecuteScalar();
            if (!string.Equals(encoding, "UTF8", StringComparison.OrdinalIgnoreCase))
            {
                throw new MetadataSchemaException($"The database's encoding is {encoding}; Coffer needs UTF8 (createdb -E UTF8).");
            }

            Execute(connection, "CREATE TABLE IF NOT EXISTS coffer_schema (version integer NOT NULL)");
            var current = Convert.ToInt32(new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM coffer_schema", connection).ExecuteScalar());
            if (current > SchemaVersion)
            {
                throw new MetadataSchemaException(
                    $"The metadata database has schema version {current}; this Coffer understands up to {SchemaVersion}. Run a newer Coffer.");
            }

            var schema = SchemaText();
            if (current < SchemaVersion)
            {
                Execute(connection, schema);
                Execute(connection, $"DELETE FROM coffer_schema; INSERT INTO coffer_schema (version) VALUES ({SchemaVersion})");
            }
            else
            {
                CheckColumns(connection, schema);
            }

            transaction.Commit();
            return true;
        }
        catch (InvalidOperationException error) when (connection.FullState == ConnectionState.Broken)
        {
            // Npgsql refuses a broken connection's next command; its keepalive may have read the break first (the database
            // ending the transaction of a node paused past the idle limit, say).
            throw new MetadataUnavailableException($"{Description} cannot be reached: the connection broke while the schema was made", error);
        }
    }

    private static string SchemaText()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Coffer.Storage.Postgres.Schema.sql")
            ?? throw new InvalidOperationException("The schema resource is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Refuses, in one line, a database of this schema version that lacks a table or column of it: schema 1 grew in
    /// place before it was released, so a database made by an earlier development build says version 1 too, and would
    /// otherwise start, answer ready and fail every request that needs what it lacks.
    /// </summary>
    private void CheckColumns(NpgsqlConnection connection, string schema)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        using (var command = new NpgsqlCommand(
            "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = current_schema()", connection))
        using (var rows = command.ExecuteReader())
        {
            while (rows.Read())
            {
                present.Add(rows.GetString(0));
            }
        }

        var missing = SchemaColumns().Matches(schema).SelectMany(table => table.Groups["column"].Captures.Select(c => $"{table.Groups["table"].Value}.{c.Value}"))
            .FirstOrDefault(column => !present.Contains(column));
        if (missing is not null)
        {
            throw new MetadataSchemaException(
                $"{Description} lacks {missing} of schema version {SchemaVersion}: it was made by a development build of Coffer. Give this Coffer a new database.");
        }
    }

    // A table of Schema.sql and its columns: "CREATE TABLE name (" then one column a line, indented, in lower case (a
    // constraint's line, PRIMARY KEY (...), is upper case), up to ");".
    [GeneratedRegex(@"^CREATE TABLE (?<table>\w+) \(\n(?:    (?:(?<column>[a-z][a-z0-9_]*) )?[^\n]*\n)+\);", RegexOptions.Multiline)]
    private static partial Regex SchemaColumns();

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
