using System.Reflection;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// The embedded store's schema version (<c>PRAGMA user_version</c>): a new database gets <c>Schema.sql</c>, one of an
/// older release is brought up to date step by step when it is opened, one of a newer Coffer is refused.
/// </summary>
internal static class SqliteSchema
{
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

    /// <summary>Brings the database of <paramref name="writer"/> to <see cref="SchemaVersion"/>.</summary>
    public static void Migrate(SqliteConnection writer)
    {
        var current = SqliteMetadataStore.Scalar(writer, "PRAGMA user_version");
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
            Upgrade(writer, current);
            return;
        }

        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Coffer.Storage.Sqlite.Schema.sql")
            ?? throw new InvalidOperationException("The schema resource is missing.");
        using var reader = new StreamReader(stream);
        using var transaction = writer.BeginTransaction();
        using (var command = writer.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = reader.ReadToEnd() + $"\nPRAGMA user_version={SchemaVersion};";
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>Applies the upgrades after <paramref name="from"/> in one transaction, so a crash leaves the old version whole.</summary>
    private static void Upgrade(SqliteConnection writer, long from)
    {
        using var transaction = writer.BeginTransaction();
        using (var command = writer.CreateCommand())
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
}
