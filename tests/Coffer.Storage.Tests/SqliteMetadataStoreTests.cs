using Coffer.Storage.Records;
using Coffer.Storage.Sqlite;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

/// <summary>What only the SQLite engine does: its schema version and journal mode (the shared contract is in Conformance/).</summary>
public sealed class SqliteMetadataStoreTests : IDisposable
{
    /// <summary>The schema version this build writes: every migration ends there.</summary>
    private const int NewestSchemaVersion = 11;

    private readonly TempDirectory _directory = new("sqlite");
    private SqliteMetadataStore _store;

    public SqliteMetadataStoreTests()
    {
        _store = Open();
    }

    [Fact]
    public async Task Schema_IsVersioned()
    {
        _store.Dispose();
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_directory.Combine("metadata.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        Convert.ToInt64(await command.ExecuteScalarAsync()).Should().Be(NewestSchemaVersion);
        command.CommandText = "PRAGMA journal_mode";
        (await command.ExecuteScalarAsync()).Should().Be("wal");
        _store = Open();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Open_RefusesTheSchemaVersionsOfDevelopmentBuilds(int version)
    {
        _store.Dispose();
        await SetUserVersionAsync(version);
        var open = Open;
        open.Should().Throw<InvalidOperationException>().WithMessage($"*schema version {version}*new data folder*");

        await SetUserVersionAsync(NewestSchemaVersion);
        _store = Open();
    }

    [Fact]
    public async Task Open_MigratesASchema3Database_KeepingItsUploadsAndParts()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "b-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        var upload = new MultipartUploadRecord { BucketId = bucket.Id, UploadId = "u1", Key = "k", InitiatedAt = DateTimeOffset.UnixEpoch };
        var part = new MultipartPartRecord { BucketId = bucket.Id, UploadId = "u1", PartNumber = 1, Size = 3, ETag = "e", BlobId = "b1" };
        await _store.WriteAsync(w =>
        {
            w.Uploads.Insert(upload);
            return w.Uploads.PutPart(part);
        });
        _store.Dispose();

        await DowngradeToSchema3Async();

        _store = Open();
        using (var reader = _store.OpenSnapshot())
        {
            reader.Uploads.Get(bucket.Id, "u1").Should().BeEquivalentTo(upload);
            reader.Uploads.ScanParts(bucket.Id, "u1", 0).Should().ContainSingle().Which.Should().BeEquivalentTo(part);
        }

        var upgraded = upload with
        {
            UploadId = "u2",
            ChecksumAlgorithm = "CRC32",
            ChecksumType = "FULL_OBJECT",
            Initiator = "qcs::cam::uin/1:uin/2",
            Acl = "private",
        };
        await _store.WriteAsync(w =>
        {
            w.Uploads.Insert(upgraded);
            return w.Uploads.PutPart(part with { UploadId = "u2", Checksum = "AAAAAA==" });
        });
        using (var reader = _store.OpenSnapshot())
        {
            reader.Uploads.Get(bucket.Id, "u2").Should().BeEquivalentTo(upgraded);
            reader.Uploads.ScanParts(bucket.Id, "u2", 0).Single().Checksum.Should().Be("AAAAAA==");
        }

        _store.Dispose();
        (await ScalarAsync("PRAGMA user_version")).Should().Be(NewestSchemaVersion);
        _store = Open();
    }

    /// <summary>Schema 10 is schema 11 with every current version's id indexed, "null" ones too.</summary>
    private Task DowngradeToSchema10Async() => ExecuteAsync(
        "DROP INDEX object_versions_versioned_by_id; " +
        "CREATE UNIQUE INDEX object_versions_by_version_id ON object_versions (bucket_id, key, version_id) WHERE died IS NULL; PRAGMA user_version=10;");

    /// <summary>Schema 9 is schema 10 without the sequence reservation: opening it found the highest sequence by scanning.</summary>
    private async Task DowngradeToSchema9Async()
    {
        await DowngradeToSchema10Async();
        await ExecuteAsync("DELETE FROM store_info WHERE name = 'sequence_reserved'; PRAGMA user_version=9;");
    }

    /// <summary>Schema 8 is schema 9 without what 9 added: no journal, marks or outbox.</summary>
    private async Task DowngradeToSchema8Async()
    {
        await DowngradeToSchema9Async();
        await ExecuteAsync("DROP TABLE change_journal; DROP TABLE journal_marks; DROP TABLE notification_outbox; PRAGMA user_version=8;");
    }

    /// <summary>Schema 7 is schema 8 without its batch job tables.</summary>
    private async Task DowngradeToSchema7Async()
    {
        await DowngradeToSchema8Async();
        await ExecuteAsync("DROP TABLE batch_jobs; DROP TABLE batch_job_chunks; PRAGMA user_version=7;");
    }

    /// <summary>Schema 6 is schema 7 without the run partitions.</summary>
    private async Task DowngradeToSchema6Async()
    {
        await DowngradeToSchema7Async();
        await ExecuteAsync("DROP TABLE inventory_partitions; PRAGMA user_version=6;");
    }

    /// <summary>Schema 5 is schema 6 without the inline blobs table.</summary>
    private async Task DowngradeToSchema5Async()
    {
        await DowngradeToSchema6Async();
        await ExecuteAsync("DROP TABLE inline_blobs; PRAGMA user_version=5;");
    }

    /// <summary>Schema 4 is schema 5 without what 5 added: versions without commit positions, and no pins.</summary>
    private async Task DowngradeToSchema4Async()
    {
        await DowngradeToSchema5Async();
        await ExecuteAsync(
            "DROP TABLE snapshot_pins; DROP INDEX object_versions_superseded; DROP INDEX object_versions_by_version_id; " +
            "CREATE TABLE object_versions_4 (bucket_id INTEGER NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, version_id TEXT NOT NULL, " +
            "is_latest INTEGER NOT NULL, is_delete_marker INTEGER NOT NULL, record BLOB NOT NULL, PRIMARY KEY (bucket_id, key, seq DESC)) WITHOUT ROWID; " +
            "INSERT INTO object_versions_4 SELECT bucket_id, key, seq, version_id, is_latest, is_delete_marker, record FROM object_versions WHERE died IS NULL; " +
            "DROP TABLE object_versions; ALTER TABLE object_versions_4 RENAME TO object_versions; " +
            "CREATE UNIQUE INDEX object_versions_by_version_id ON object_versions (bucket_id, key, version_id); PRAGMA user_version=4;");
    }

    /// <summary>Schema 3 is schema 4 without the columns 4 added: what a data folder of the first release holds.</summary>
    private async Task DowngradeToSchema3Async()
    {
        await DowngradeToSchema4Async();
        await ExecuteAsync(
            "ALTER TABLE multipart_uploads DROP COLUMN checksum_algorithm; ALTER TABLE multipart_uploads DROP COLUMN checksum_type; " +
            "ALTER TABLE multipart_uploads DROP COLUMN initiator; ALTER TABLE multipart_uploads DROP COLUMN acl; " +
            "ALTER TABLE multipart_parts DROP COLUMN checksum; ALTER TABLE inventory_runs DROP COLUMN summary; PRAGMA user_version=3;");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_directory.Combine("metadata.db")};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> ScalarAsync(string sql) => Convert.ToInt64(await ValueAsync(sql));

    private async Task<object?> ValueAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_directory.Combine("metadata.db")};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    [Fact]
    public async Task Open_MigratesVersion3_AddingTheRunSummaryColumn()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "r-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        await _store.WriteAsync(w =>
        {
            w.Runs.Insert(new InventoryRunRecord
            {
                JobId = "job-1",
                BucketId = bucket.Id,
                ConfigId = "c",
                Trigger = "manual",
                State = InventoryRunStates.Succeeded,
                Config = [1, 2],
            });
            return true;
        });
        _store.Dispose();

        await DowngradeToSchema3Async();

        _store = Open();
        using (var reader = _store.OpenSnapshot())
        {
            reader.Runs.Get("job-1")!.State.Should().Be(InventoryRunStates.Succeeded);
            reader.Runs.GetSummary("job-1").Should().BeNull();
        }

        await _store.WriteAsync(w =>
        {
            w.Runs.SetSummary("job-1", [7, 8, 9]);
            return true;
        });
        using (var reader = _store.OpenSnapshot())
        {
            reader.Runs.GetSummary("job-1").Should().Equal(7, 8, 9);
        }
    }

    [Fact]
    public async Task Open_MigratesASchema8Database_AddingTheJournalAndOutbox_WithSequencesAfterEveryOneBefore()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "j-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        var before = await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "old", VersionId = "null", IsLatest = true }));
        _store.Dispose();
        await DowngradeToSchema8Async();

        _store = Open();
        (await ScalarAsync("PRAGMA user_version")).Should().Be(NewestSchemaVersion);
        var start = await _store.WriteAsync(w => w.Journal.Mark("start", w.Pins.Pin("start")));
        start.Sequence.Should().BeGreaterThanOrEqualTo(before.Sequence);
        var after = await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "new", VersionId = "null", IsLatest = true }));
        await _store.WriteAsync(w =>
        {
            w.Outbox.Enqueue(new OutboxEvent { Id = "e1", Target = "hook", Body = [1] });
            return 0;
        });
        var end = await _store.WriteAsync(w => w.Journal.Mark("end", w.Pins.Pin("end")));

        using var reader = _store.OpenSnapshot();
        reader.Journal.Read(bucket.Id, start.Point, end.Point, "", null, ChangeOrder.Sequence).Select(c => (c.Version.Key, c.Version.Sequence))
            .Should().Equal(("new", after.Sequence));
        reader.Versions.ScanLatest(bucket.Id, "", true, null).Select(v => v.Key).Should().Equal("new", "old");
        reader.Outbox.CountByTarget().Should().ContainKey("hook");
    }

    [Fact]
    public async Task Open_MigratesASchema10Database_IndexingOnlyTheIdsAVersioningBucketAssigned()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "v-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        const string Assigned = "MTc2NTAwMDAwMDAwMDAwMDAwMDE";
        await _store.WriteAsync(w =>
        {
            w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "k", VersionId = "null", IsLatest = false });
            return w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "k", VersionId = Assigned, IsLatest = true });
        });
        const string IndexText = "SELECT sql FROM sqlite_master WHERE name = 'object_versions_versioned_by_id'";
        var created = await ValueAsync(IndexText);
        _store.Dispose();
        await DowngradeToSchema10Async();

        _store = Open();
        (await ScalarAsync("PRAGMA user_version")).Should().Be(NewestSchemaVersion);
        (await ValueAsync(IndexText)).Should().Be(created, "a new store and an upgraded one have the same index");
        (await ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE name = 'object_versions_by_version_id'")).Should().Be(0);
        (await ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE name = 'object_versions_versioned_by_id' AND sql LIKE '%version_id <> ''null''%'"))
            .Should().Be(1);
        using (var reader = _store.OpenSnapshot())
        {
            reader.Versions.Get(bucket.Id, "k", "null")!.IsLatest.Should().BeFalse();
            reader.Versions.Get(bucket.Id, "k", Assigned)!.IsLatest.Should().BeTrue();
        }

        // An assigned id stays unique per key: the index refuses a second current row with it.
        var duplicate = _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "k", VersionId = Assigned, IsLatest = true }));
        await duplicate.Invoking(t => t).Should().ThrowAsync<Microsoft.Data.Sqlite.SqliteException>();
    }

    [Fact]
    public async Task Open_MigratesASchema9Database_ReservingAfterTheHighestSequenceInUse()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "r-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        var before = await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "old", VersionId = "null", IsLatest = true }));
        _store.Dispose();
        await DowngradeToSchema9Async();

        _store = Open();
        // The highest in use: the version's, or the journal entry the insert wrote after it.
        var reserved = await ScalarAsync("SELECT CAST(value AS INTEGER) FROM store_info WHERE name = 'sequence_reserved'");
        reserved.Should().BeInRange(before.Sequence, before.Sequence + 1);
        var after = await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "new", VersionId = "null", IsLatest = true }));
        after.Sequence.Should().Be(reserved + 1);
    }

    [Fact]
    public async Task Open_GoesOnAfterTheReservation_WithoutReusingASequence()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "s-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        var first = await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "a", VersionId = "null", IsLatest = true }));
        _store.Dispose();

        _store = Open();
        var second = await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "b", VersionId = "null", IsLatest = true }));
        second.Sequence.Should().BeGreaterThan(first.Sequence).And.BeLessThanOrEqualTo(first.Sequence + SqliteMetadataStore.SequenceBlock + 1);
    }

    [Fact]
    public async Task Open_AfterAWriteThatReservedWasRolledBack_StillGoesOnAfterEverySequenceCommitted()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "t-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        _store.Dispose();
        await ExecuteAsync("DELETE FROM store_info WHERE name = 'sequence_reserved'");
        _store = Open();

        // The first sequence of this store writes the reservation, and the write that took it fails: both roll back.
        var failing = () => _store.WriteAsync<ObjectVersionRecord>(w =>
        {
            w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "gone", VersionId = "null", IsLatest = true });
            throw new InvalidOperationException("the write fails after taking a sequence");
        });
        await failing.Should().ThrowAsync<InvalidOperationException>();
        var kept = await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "kept", VersionId = "null", IsLatest = true }));
        _store.Dispose();

        _store = Open();
        var next = await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "next", VersionId = "null", IsLatest = true }));
        next.Sequence.Should().BeGreaterThan(kept.Sequence);
    }

    [Fact]
    public async Task Open_AfterAPinFollowingARolledBackReservation_KeepsLaterWritesOutOfThePinnedInstant()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "u-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "before", VersionId = "null", IsLatest = true }));
        _store.Dispose();
        _store = Open();

        // The first sequence after opening writes a reservation, and its write fails: the pin after it must still be covered.
        var failing = () => _store.WriteAsync<ObjectVersionRecord>(w =>
        {
            w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "gone", VersionId = "null", IsLatest = true });
            throw new InvalidOperationException("the write fails after taking a sequence");
        });
        await failing.Should().ThrowAsync<InvalidOperationException>();
        var pin = await _store.WriteAsync(w => w.Pins.Pin("run"));
        _store.Dispose();

        _store = Open();
        await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "after", VersionId = "null", IsLatest = true }));
        using var pinned = _store.OpenSnapshot(pin);
        pinned.Versions.ScanLatest(bucket.Id, "", true, null).Select(v => v.Key).Should().Equal("before");
    }

    [Fact]
    public async Task Open_AfterTheJournalWasPurged_NeverHandsOutASequenceAgain()
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        _store.Dispose();
        _store = SqliteMetadataStore.Open(_directory.Combine("metadata.db"), time);
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "p-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        var gone = await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "k", VersionId = "null", IsLatest = true }));
        await _store.WriteAsync(w =>
        {
            // Deleted for good: from now on only the journal holds the highest sequence.
            w.Versions.Delete(bucket.Id, "k", gone.Sequence);
            return 0;
        });
        var mark = await _store.WriteAsync(w => w.Journal.Mark("m", w.Pins.Pin("m")));
        await _store.WriteAsync(w => w.Pins.Release("m"));
        time.Advance(TimeSpan.FromDays(1));
        await _store.WriteAsync(w => w.Journal.Purge(time.GetUtcNow(), 1000));
        _store.Dispose();

        _store = SqliteMetadataStore.Open(_directory.Combine("metadata.db"), time);
        var next = await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "k", VersionId = "null", IsLatest = true }));
        next.Sequence.Should().BeGreaterThan(mark.Sequence);
    }

    [Fact]
    public async Task Open_MigratesASchema4Database_KeepingEveryVersion_AndPinsWorkOnIt()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "m-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        var stored = await _store.WriteAsync(w => Enumerable.Range(0, 3).Select(i => w.Versions.Insert(new ObjectVersionRecord
        {
            BucketId = bucket.Id,
            Key = $"k{i}",
            VersionId = ObjectVersionRecord.NullVersionId,
            IsLatest = true,
            Size = i,
            Tags = [new("n", $"{i}")],
        })).ToList());
        _store.Dispose();
        await DowngradeToSchema4Async();

        _store = Open();
        (await ScalarAsync("PRAGMA user_version")).Should().Be(NewestSchemaVersion);
        var point = await _store.WriteAsync(w => w.Pins.Pin("run"));
        await _store.WriteAsync(w =>
        {
            w.Versions.Delete(bucket.Id, "k0", stored[0].Sequence);
            return w.Versions.Insert(stored[1] with { Key = "k3", Size = 10 });
        });
        using (var now = _store.OpenSnapshot())
        {
            now.Versions.ScanLatest(bucket.Id, "", true, null).Select(v => (v.Key, v.Size)).Should().Equal(("k1", 1L), ("k2", 2L), ("k3", 10L));
        }

        using var at = _store.OpenSnapshot(point);
        at.Versions.ScanLatest(bucket.Id, "", true, null).Should().BeEquivalentTo(stored, options => options.WithStrictOrdering());
    }

    [Fact]
    public async Task Open_MigratesVersion5_AddingTheInlineBlobsTable_AndKeepingWhatItHeld()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "i-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord
        {
            BucketId = bucket.Id,
            Key = "file",
            VersionId = ObjectVersionRecord.NullVersionId,
            IsLatest = true,
            Size = 3,
            Layout = BlobLayout.Single("0123456789abcdef", 3),
        }));
        _store.Dispose();
        await DowngradeToSchema5Async();
        (await ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE name = 'inline_blobs'")).Should().Be(0);

        _store = Open();
        (await ScalarAsync("PRAGMA user_version")).Should().Be(NewestSchemaVersion);
        using (var reader = _store.OpenSnapshot())
        {
            reader.Versions.GetLatest(bucket.Id, "file")!.Layout.Segments.Should().Equal(new BlobSegment("0123456789abcdef", 3));
        }

        await _store.WriteAsync(w =>
        {
            w.InlineBlobs.Insert("fedcba9876543210", [1, 2, 3]);
            return true;
        });
        using (var reader = _store.OpenSnapshot())
        {
            reader.InlineBlobs.Get("fedcba9876543210").Should().Equal(1, 2, 3);
        }
    }

    [Fact]
    public async Task Open_MigratesASchema6Database_KeepingItsRunsAndPins_AndPartitionsWorkOnIt()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "p-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        var point = await _store.WriteAsync(w =>
        {
            w.Runs.Insert(new InventoryRunRecord
            {
                JobId = "job-5",
                BucketId = bucket.Id,
                ConfigId = "c",
                Trigger = "manual",
                State = InventoryRunStates.Running,
                Config = [1],
            });
            return w.Pins.Pin("job-5");
        });
        _store.Dispose();
        await DowngradeToSchema6Async();

        _store = Open();
        (await ScalarAsync("PRAGMA user_version")).Should().Be(NewestSchemaVersion);
        var partition = new PartitionRecord { JobId = "job-5", Index = 0, FromKey = "", State = PartitionStates.Pending };
        await _store.WriteAsync(w =>
        {
            w.Partitions.Insert(partition);
            return 0;
        });
        using var reader = _store.OpenSnapshot();
        reader.Runs.Get("job-5")!.State.Should().Be(InventoryRunStates.Running);
        reader.Pins.Get("job-5").Should().Be(point);
        reader.Partitions.List("job-5").Should().ContainSingle().Which.Should().BeEquivalentTo(partition);
    }

    [Fact]
    public async Task Open_MigratesASchema7Database_KeepingItsObjects_AndBatchJobsWorkOnIt()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "j-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        await _store.WriteAsync(w => w.Versions.Insert(new ObjectVersionRecord { BucketId = bucket.Id, Key = "k", VersionId = ObjectVersionRecord.NullVersionId, IsLatest = true }));
        _store.Dispose();
        await DowngradeToSchema7Async();
        (await ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE name = 'batch_jobs'")).Should().Be(0);

        _store = Open();
        (await ScalarAsync("PRAGMA user_version")).Should().Be(NewestSchemaVersion);
        var job = new BatchJobRecord { JobId = "job", Account = "1250000000", Status = BatchJobStates.New, Spec = [1], ClientToken = "t" };
        await _store.WriteAsync(w =>
        {
            w.Jobs.Insert(job);
            w.Jobs.InsertChunks([new BatchChunkRecord { JobId = "job", Chunk = 0, Tasks = [2], TaskCount = 1 }]);
            return true;
        });
        using var reader = _store.OpenSnapshot();
        reader.Versions.GetLatest(bucket.Id, "k").Should().NotBeNull();
        reader.Jobs.FindByToken("1250000000", "t").Should().BeEquivalentTo(job);
        reader.Jobs.ListChunks("job", 0, 10).Should().ContainSingle();
    }

    private async Task SetUserVersionAsync(int version)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_directory.Combine("metadata.db")};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA user_version={version}";
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    private SqliteMetadataStore Open() => SqliteMetadataStore.Open(_directory.Combine("metadata.db"), TimeProvider.System);
}
