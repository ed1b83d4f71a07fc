-- Coffer metadata, schema version 11. Times are Unix milliseconds (UTC). Every row carries a record format (a
-- record_format column, or the first byte of a packed record) so a later format can be read beside this one. Keys are TEXT compared with BINARY collation, i.e. UTF-8 byte order.

-- Named values of the store: sequence_reserved (the block of commit positions handed out), journal_horizon (the highest
-- sequence a journal purge removed), bucket_id_high (the highest id a deleted bucket had: no new bucket takes it).
CREATE TABLE IF NOT EXISTS store_info (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS buckets (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    owner_app_id  TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    versioning    INTEGER NOT NULL DEFAULT 0,   -- 0 unversioned, 1 enabled, 2 suspended
    record_format INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS buckets_by_owner ON buckets (owner_app_id, name);

-- One row per object version or delete marker. The primary key orders a bucket by key, newest version first,
-- so listing and inventory scans are range scans of this table. Everything a query does not filter on lives in
-- `record` (VersionRecordCodec, which starts with its own format byte): a scan reads six columns a row.
-- `born` and `died` are commit positions (from the same counter as `seq`): while an instant is pinned (snapshot_pins),
-- a version deleted, replaced or retagged after it stays as a revision with `died` set, so reads at that instant find it;
-- current reads take only rows with no `died`. Without a pin, deletes are deletes and retags update in place.
CREATE TABLE IF NOT EXISTS object_versions (
    bucket_id        INTEGER NOT NULL,
    key              TEXT    NOT NULL,
    seq              INTEGER NOT NULL,
    version_id       TEXT    NOT NULL,
    is_latest        INTEGER NOT NULL,
    is_delete_marker INTEGER NOT NULL,
    record           BLOB    NOT NULL,
    born             INTEGER NOT NULL,
    died             INTEGER,
    PRIMARY KEY (bucket_id, key, seq DESC, born DESC)
) WITHOUT ROWID;
-- Schema 11: only ids a versioning bucket assigned are indexed (SqliteVersions.Get), so a PUT into a bucket that does not
-- version, whose versions are all "null", writes its key into one b-tree (the table), not two. A "null" version is found
-- through the primary key's (bucket_id, key) prefix, among that key's revisions, and the insert of one refuses it while
-- the key has a current one (SqliteVersions.InsertRow), as the index refuses a second current row with an assigned id.
-- The index's text is Upgrades[11]'s to the byte (sqlite_master keeps it), so a new store and an upgraded one agree.
CREATE UNIQUE INDEX IF NOT EXISTS object_versions_versioned_by_id ON object_versions (bucket_id, key, version_id) WHERE version_id <> 'null' AND died IS NULL;
CREATE INDEX IF NOT EXISTS object_versions_superseded ON object_versions (died) WHERE died IS NOT NULL;

-- Instants pinned for reads at them (an inventory run's snapshot): the commit position as of the pin.
CREATE TABLE IF NOT EXISTS snapshot_pins (
    owner     TEXT    PRIMARY KEY,
    point     INTEGER NOT NULL,
    pinned_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Multipart uploads in progress and their parts.
CREATE TABLE IF NOT EXISTS multipart_uploads (
    bucket_id     INTEGER NOT NULL,
    upload_id     TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    initiated_at  INTEGER NOT NULL,
    content_type  TEXT,
    storage_class TEXT    NOT NULL,
    user_metadata BLOB,
    headers       BLOB,
    tags          BLOB,
    encryption    TEXT,
    record_format INTEGER NOT NULL,
    kms_key_id    TEXT,
    checksum_algorithm TEXT,                -- schema 4: the parts' flexible checksum (CRC32, ...), when initiated with one
    checksum_type TEXT,                     -- schema 4: COMPOSITE or FULL_OBJECT, with checksum_algorithm
    initiator     TEXT,                     -- schema 4: the CAM principal that initiated the upload
    acl           TEXT,                     -- schema 4: the object's own canned ACL, when it has one
    PRIMARY KEY (bucket_id, upload_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS multipart_uploads_by_key ON multipart_uploads (bucket_id, key, initiated_at);

CREATE TABLE IF NOT EXISTS multipart_parts (
    bucket_id     INTEGER NOT NULL,
    upload_id     TEXT    NOT NULL,
    part_number   INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    etag          TEXT    NOT NULL,
    crc64         INTEGER,
    blob_id       TEXT    NOT NULL,
    last_modified INTEGER NOT NULL,
    record_format INTEGER NOT NULL,
    blob_key      BLOB,                     -- the blob's data key wrapped by the master key, when encrypted
    checksum      TEXT,                     -- schema 4: the part's checksum (base64) in its upload's checksum_algorithm
    PRIMARY KEY (bucket_id, upload_id, part_number)
) WITHOUT ROWID;

-- Bucket sub-resource configurations (inventory, policy, tagging, ...), one row per (kind, id), in creation order.
CREATE TABLE IF NOT EXISTS bucket_configs (
    bucket_id     INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    config_id     TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    body          BLOB    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    record_format INTEGER NOT NULL,
    PRIMARY KEY (bucket_id, kind, config_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS bucket_configs_in_order ON bucket_configs (bucket_id, kind, seq);

-- Inventory runs (one-time and scheduled) with their progress, so a restart resumes them.
CREATE TABLE IF NOT EXISTS inventory_runs (
    job_id          TEXT    PRIMARY KEY,
    bucket_id       INTEGER NOT NULL,
    config_id       TEXT    NOT NULL,
    trigger         TEXT    NOT NULL,         -- one-time | scheduled | manual
    state           TEXT    NOT NULL,         -- queued | running | succeeded | failed
    config          BLOB    NOT NULL,         -- the configuration as it was when the run was queued
    queued_at       INTEGER NOT NULL,
    started_at      INTEGER,
    finished_at     INTEGER,
    objects_scanned INTEGER NOT NULL DEFAULT 0,
    bytes_scanned   INTEGER NOT NULL DEFAULT 0,
    objects_matched INTEGER NOT NULL DEFAULT 0,
    bytes_matched   INTEGER NOT NULL DEFAULT 0,
    files_written   INTEGER NOT NULL DEFAULT 0,
    manifest_key    TEXT,
    error_code      TEXT,
    error_message   TEXT,
    progress        BLOB,                     -- resumable cursor and files written so far
    lease_owner     TEXT,
    lease_expires   INTEGER,
    record_format   INTEGER NOT NULL,
    summary         BLOB                      -- what the report holds (dashboard numbers), written when the run succeeds; v4
);
CREATE INDEX IF NOT EXISTS inventory_runs_by_bucket ON inventory_runs (bucket_id, config_id, queued_at);
CREATE INDEX IF NOT EXISTS inventory_runs_by_state ON inventory_runs (state, queued_at);

-- The key ranges an inventory run is cut into, each leased on its own (schema 7): workers on the cores of a node, or on
-- every node sharing the database, take pending partitions or those whose lease ran out, and record their cursor
-- (last key written, part files finished, counters) in `progress`. A run's partitions are deleted when it ends.
CREATE TABLE IF NOT EXISTS inventory_partitions (
    job_id        TEXT    NOT NULL,
    partition     INTEGER NOT NULL,
    from_key      TEXT    NOT NULL,          -- first key of the range (inclusive)
    to_key        TEXT,                      -- first key after it; NULL: to the end
    state         TEXT    NOT NULL,          -- pending | running | done | failed
    lease_owner   TEXT,
    lease_expires INTEGER,
    progress      BLOB,
    record_format INTEGER NOT NULL,
    PRIMARY KEY (job_id, partition)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS inventory_partitions_by_state ON inventory_partitions (state, job_id, partition);

-- Blob files that may exist without committed metadata pointing at them: a staged upload between rename and
-- commit, or a version that was replaced or deleted. Start-up deletes what is listed here.
CREATE TABLE IF NOT EXISTS unreferenced_blobs (
    blob_id    TEXT    PRIMARY KEY,
    noted_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- Small objects' bytes (schema 6): what a blob file would hold (plaintext, or the sealed format when encrypted), for
-- objects up to the inline threshold, written and deleted in the same transactions as the versions that point at them.
-- A rowid table, so a payload of a few KiB sits in its leaf page instead of an overflow chain; kept apart from
-- object_versions so that scans never read payloads.
CREATE TABLE IF NOT EXISTS inline_blobs (
    blob_id TEXT PRIMARY KEY,
    data    BLOB NOT NULL
);

-- Key pairs beyond the configured root accounts: sub-accounts' keys and temporary keys (with a session token and an
-- expiry), each belonging to a root account (APPID) and an identity (uin). `policy` is an optional CAM policy (JSON).
CREATE TABLE IF NOT EXISTS credentials (
    secret_id     TEXT    PRIMARY KEY,
    secret_key    TEXT    NOT NULL,
    kind          TEXT    NOT NULL,         -- sub | temporary
    app_id        TEXT    NOT NULL,
    uin           TEXT    NOT NULL,
    name          TEXT,
    session_token TEXT,
    expires_at    INTEGER,
    policy        BLOB,
    created_at    INTEGER NOT NULL,
    record_format INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS credentials_by_account ON credentials (app_id, uin);

-- Batch jobs (S3 Batch Operations / COS batch processing), schema 8: the job as created (`spec`), where it stands, its
-- counters and its lease; its tasks in chunks of consecutive manifest rows, each with how many are done and the outcomes
-- the completion report needs. A chunk's progress commits with the effects of the tasks it records.
CREATE TABLE IF NOT EXISTS batch_jobs (
    job_id          TEXT    PRIMARY KEY,
    account         TEXT    NOT NULL,         -- the APPID the job belongs to
    client_token    TEXT,                     -- CreateJob's idempotency token, unique per account
    status          TEXT    NOT NULL,         -- New, Preparing, Suspended, Ready, Active, Cancelling, ... (S3's JobStatus)
    priority        INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    total_tasks     INTEGER NOT NULL DEFAULT 0,
    tasks_succeeded INTEGER NOT NULL DEFAULT 0,
    tasks_failed    INTEGER NOT NULL DEFAULT 0,
    active_ms       INTEGER NOT NULL DEFAULT 0,
    spec            BLOB    NOT NULL,         -- operation, manifest, report, creator (encoded by the model)
    tags            BLOB,
    progress        BLOB,                     -- the runner's state
    status_reason   TEXT,
    failure_code    TEXT,
    failure_reason  TEXT,
    lease_owner     TEXT,
    lease_expires   INTEGER,
    record_format   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS batch_jobs_by_token ON batch_jobs (account, client_token) WHERE client_token IS NOT NULL;
CREATE INDEX IF NOT EXISTS batch_jobs_by_account ON batch_jobs (account, created_at, job_id);
CREATE INDEX IF NOT EXISTS batch_jobs_by_status ON batch_jobs (status, priority, created_at);

CREATE TABLE IF NOT EXISTS batch_job_chunks (
    job_id        TEXT    NOT NULL,
    chunk         INTEGER NOT NULL,
    tasks         BLOB    NOT NULL,           -- the chunk's objects (encoded by the model)
    task_count    INTEGER NOT NULL,
    done          INTEGER NOT NULL,           -- tasks done, from the chunk's first
    succeeded     INTEGER NOT NULL,
    failed        INTEGER NOT NULL,
    results       BLOB,                       -- outcomes beyond "succeeded" (encoded by the model)
    record_format INTEGER NOT NULL,
    PRIMARY KEY (job_id, chunk)
) WITHOUT ROWID;
-- Schema 9: the change journal. One row per change of an object version (created, deleted for good, made latest or not,
-- retagged), written in the change's transaction with a sequence from the commit counter, so the changes between two
-- pinned positions are those with a sequence between them. `record` is the version after the change (as it was, for a
-- delete); `previous` the version before a retag. Rows older than the retention are purged; store_info's
-- journal_horizon is the highest sequence a purge removed.
CREATE TABLE IF NOT EXISTS change_journal (
    seq              INTEGER PRIMARY KEY,
    bucket_id        INTEGER NOT NULL,
    key              TEXT    NOT NULL,
    version_id       TEXT    NOT NULL,
    version_seq      INTEGER NOT NULL,
    operation        INTEGER NOT NULL,      -- 1 create, 2 delete, 3 latest flag, 4 tags
    is_latest        INTEGER NOT NULL,      -- after the change (before it, for a delete)
    is_delete_marker INTEGER NOT NULL,
    at               INTEGER NOT NULL,
    record           BLOB    NOT NULL,
    previous         BLOB
);
CREATE INDEX IF NOT EXISTS change_journal_by_bucket ON change_journal (bucket_id, seq);

-- Instants inventory runs reported on, kept after their pins are released so later runs can start from them.
CREATE TABLE IF NOT EXISTS journal_marks (
    owner TEXT    PRIMARY KEY,
    point INTEGER NOT NULL,
    at    INTEGER NOT NULL
) WITHOUT ROWID;

-- Event notifications waiting for delivery, written in the transaction of the change they tell of. A deliverer leases
-- an event until lease_until; a failed one waits until next_attempt.
CREATE TABLE IF NOT EXISTS notification_outbox (
    seq          INTEGER PRIMARY KEY,
    id           TEXT    NOT NULL UNIQUE,
    target       TEXT    NOT NULL,
    body         BLOB    NOT NULL,
    queued_at    INTEGER NOT NULL,
    next_attempt INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    lease_owner  TEXT,
    lease_until  INTEGER
);
CREATE INDEX IF NOT EXISTS notification_outbox_due ON notification_outbox (next_attempt, seq);
CREATE INDEX IF NOT EXISTS notification_outbox_by_target ON notification_outbox (target);
