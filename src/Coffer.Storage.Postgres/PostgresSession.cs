using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Coffer.Storage.Records;
using Npgsql;

namespace Coffer.Storage.Postgres;

/// <summary>One PostgreSQL transaction seen through the aggregate interfaces: a read snapshot or a write transaction.</summary>
internal sealed class PostgresSession : IMetadataSnapshot, IMetadataTransaction
{
    private readonly List<string> _released = [];
    private readonly HashSet<long> _locks = [];

    public PostgresSession(PostgresMetadataStore store, NpgsqlConnection connection, NpgsqlTransaction transaction, bool writable, string? asOf = null)
    {
        Store = store;
        Connection = connection;
        Transaction = transaction;
        Writable = writable;
        AsOf = asOf;
        Buckets = new PostgresBuckets(this);
        Versions = new PostgresVersions(this);
        Uploads = new PostgresUploads(this);
        Configs = new PostgresConfigs(this);
        Runs = new PostgresRuns(this);
        Credentials = new PostgresCredentials(this);
        Pins = new PostgresPins(this);
        InlineBlobs = new PostgresInlineBlobs(this);
        Partitions = new PostgresPartitions(this);
        Jobs = new PostgresJobs(this);
        Journal = new PostgresJournal(this);
        Outbox = new PostgresOutbox(this);
    }

    /// <summary>The pinned snapshot (<c>pg_snapshot</c> text, checked to be one) versions are read in, or null for the current state.</summary>
    public string? AsOf { get; }

    public PostgresMetadataStore Store { get; }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    /// <summary>A write transaction: its reads take what they read (see <see cref="PostgresMetadataStore"/>).</summary>
    public bool Writable { get; }

    public PostgresBuckets Buckets { get; }

    public PostgresVersions Versions { get; }

    public PostgresUploads Uploads { get; }

    public PostgresConfigs Configs { get; }

    public PostgresRuns Runs { get; }

    public PostgresCredentials Credentials { get; }

    public PostgresPins Pins { get; }

    public PostgresPartitions Partitions { get; }

    IPartitionReader IMetadataView.Partitions => Partitions;

    IPartitionWriter IMetadataTransaction.Partitions => Partitions;
    public PostgresJobs Jobs { get; }

    IJobReader IMetadataView.Jobs => Jobs;

    IJobWriter IMetadataTransaction.Jobs => Jobs;

    public PostgresJournal Journal { get; }

    public PostgresOutbox Outbox { get; }

    IChangeJournalReader IMetadataView.Journal => Journal;

    IChangeJournalWriter IMetadataTransaction.Journal => Journal;

    IOutboxReader IMetadataView.Outbox => Outbox;

    IOutboxWriter IMetadataTransaction.Outbox => Outbox;

    ISnapshotPinReader IMetadataView.Pins => Pins;

    ISnapshotPinWriter IMetadataTransaction.Pins => Pins;

    public PostgresInlineBlobs InlineBlobs { get; }

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

    public IReadOnlyCollection<string> ReleasedBlobIds => _released;

    public void ClaimBlob(string blobId)
    {
        using var command = Command("DELETE FROM unreferenced_blobs WHERE blob_id = $1", blobId);
        if (Run(command.ExecuteNonQuery) != 1)
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

            _released.Add(segment.BlobId);
            using var command = Command(
                "INSERT INTO unreferenced_blobs (blob_id, noted_at) VALUES ($1, $2) ON CONFLICT (blob_id) DO UPDATE SET noted_at = excluded.noted_at",
                segment.BlobId, Store.NowMilliseconds());
            Run(command.ExecuteNonQuery);
        }
    }

    /// <summary>
    /// In a write transaction, holds <paramref name="scope"/> (a key of a bucket, say) until the commit, so that two
    /// transactions reading and then writing the same thing run one after the other.
    /// </summary>
    public void Hold(byte kind, long bucketId, string scope)
    {
        if (!Writable)
        {
            return;
        }

        Span<byte> prefix = stackalloc byte[9];
        prefix[0] = kind;
        BinaryPrimitives.WriteInt64LittleEndian(prefix[1..], bucketId);
        var hash = new XxHash64();
        hash.Append(prefix);
        hash.Append(Encoding.UTF8.GetBytes(scope));
        var id = unchecked((long)hash.GetCurrentHashAsUInt64());
        if (_locks.Add(id))
        {
            using var command = Command("SELECT pg_advisory_xact_lock($1)", id);
            Run(command.ExecuteNonQuery);
        }
    }

    public NpgsqlCommand Command(string sql, params object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, Connection, Transaction);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    public T Run<T>(Func<T> work) => Errors.Translate(work, Store.Description);

    public void Dispose()
    {
        Transaction.Dispose();
        Connection.Dispose();
    }
}

/// <summary>The base of the per-aggregate classes: commands run in the session's transaction.</summary>
internal abstract class PostgresAggregate(PostgresSession session)
{
    protected PostgresSession Session => session;

    /// <summary>" FOR ..." in a write transaction, nothing in a snapshot.</summary>
    protected string Locking(string clause) => session.Writable ? " " + clause : "";

    protected NpgsqlCommand Command(string sql, params object?[] parameters) => session.Command(sql, parameters);

    // These run a command and dispose of it.
    protected int NonQuery(NpgsqlCommand command) => session.Run(() =>
    {
        using (command)
        {
            return command.ExecuteNonQuery();
        }
    });

    protected T Scalar<T>(NpgsqlCommand command) => session.Run(() =>
    {
        using (command)
        {
            return (T)command.ExecuteScalar()!;
        }
    });

    protected List<T> ReadAll<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read) => session.Run(() =>
    {
        using (command)
        {
            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(read(reader));
            }

            return rows;
        }
    });

    protected T? ReadOne<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read)
        where T : class => session.Run(() =>
    {
        using (command)
        {
            using var reader = command.ExecuteReader();
            return reader.Read() ? read(reader) : null;
        }
    });
}
