using Coffer.Storage.Records;
using Coffer.Storage.Sqlite;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

/// <summary>What only the SQLite engine does: its schema version and journal mode (the shared contract is in Conformance/).</summary>
public sealed class SqliteMetadataStoreTests : IDisposable
{
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
        Convert.ToInt64(await command.ExecuteScalarAsync()).Should().Be(4);
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

        await SetUserVersionAsync(4);
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
        (await ScalarAsync("PRAGMA user_version")).Should().Be(4);
        _store = Open();
    }

    /// <summary>Schema 3 is schema 4 without the columns 4 added: what a data folder of the first release holds.</summary>
    private Task DowngradeToSchema3Async() => ExecuteAsync(
        "ALTER TABLE multipart_uploads DROP COLUMN checksum_algorithm; ALTER TABLE multipart_uploads DROP COLUMN checksum_type; " +
        "ALTER TABLE multipart_uploads DROP COLUMN initiator; ALTER TABLE multipart_uploads DROP COLUMN acl; " +
        "ALTER TABLE multipart_parts DROP COLUMN checksum; ALTER TABLE inventory_runs DROP COLUMN summary; PRAGMA user_version=3;");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_directory.Combine("metadata.db")};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_directory.Combine("metadata.db")};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
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
