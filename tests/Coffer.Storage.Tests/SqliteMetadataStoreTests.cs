using Coffer.Storage.Records;
using Coffer.Storage.Sqlite;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

public sealed class SqliteMetadataStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new("sqlite");
    private SqliteMetadataStore _store;

    public SqliteMetadataStoreTests()
    {
        _store = Open();
    }

    [Fact]
    public async Task ScanLatest_OrdersKeysByUtf8Bytes()
    {
        var bucket = await CreateBucketAsync();
        string[] keys = ["b", "a", "\uE000", "\U0001F600", "A", "a/b", "a0"];
        foreach (var key in keys)
        {
            await InsertAsync(bucket, key);
        }

        using var reader = _store.OpenReader();
        reader.ScanLatest(bucket.Id, "", true, null).Select(v => v.Key)
            .Should().Equal("A", "a", "a/b", "a0", "b", "\uE000", "\U0001F600");
    }

    [Fact]
    public async Task ScanLatest_RespectsBounds()
    {
        var bucket = await CreateBucketAsync();
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            await InsertAsync(bucket, key);
        }

        using var reader = _store.OpenReader();
        reader.ScanLatest(bucket.Id, "b", true, "d").Select(v => v.Key).Should().Equal("b", "c");
        reader.ScanLatest(bucket.Id, "b", false, null).Select(v => v.Key).Should().Equal("c", "d");
    }

    [Fact]
    public async Task Reader_SeesItsSnapshot_WhenWritesCommitDuringAScan()
    {
        var bucket = await CreateBucketAsync();
        await InsertAsync(bucket, "a");
        await InsertAsync(bucket, "c");

        using var reader = _store.OpenReader();
        var seen = new List<string>();
        foreach (var version in reader.ScanLatest(bucket.Id, "", true, null))
        {
            seen.Add(version.Key);
            if (seen.Count == 1)
            {
                await InsertAsync(bucket, "b");
                await InsertAsync(bucket, "d");
            }
        }

        seen.Should().Equal("a", "c");
        using var later = _store.OpenReader();
        later.ScanLatest(bucket.Id, "", true, null).Select(v => v.Key).Should().Equal("a", "b", "c", "d");
    }

    [Fact]
    public async Task InsertVersion_RoundTripsEveryField()
    {
        var bucket = await CreateBucketAsync();
        var version = new ObjectVersionRecord
        {
            BucketId = bucket.Id,
            Key = "dir/k",
            VersionId = "v1",
            IsLatest = true,
            Size = 42,
            ETag = "abc",
            Crc64 = ulong.MaxValue - 5,
            ContentType = "text/plain",
            StorageClass = "STANDARD_IA",
            IsMultipartUploaded = true,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_001),
            LastModified = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_002),
            Layout = new BlobLayout([new BlobSegment("0123456789abcdef", 40), new BlobSegment("fedcba9876543210", 2)]),
            UserMetadata = [new("b", "2"), new("a", "1")],
            Headers = [new("Cache-Control", "no-cache")],
            Tags = [new("k", "v")],
            ReplicationStatus = "COMPLETED",
            Encryption = "AES256",
        };
        var stored = await _store.WriteAsync(w => w.InsertVersion(version));

        using var reader = _store.OpenReader();
        var read = reader.GetVersion(bucket.Id, "dir/k", "v1");
        read.Should().BeEquivalentTo(stored);
        read!.Sequence.Should().BePositive();
    }

    [Fact]
    public async Task Scans_ReturnEveryField_AndOnlyTheSectionsAskedFor()
    {
        var bucket = await CreateBucketAsync();
        var stored = await _store.WriteAsync(w => w.InsertVersion(new ObjectVersionRecord
        {
            BucketId = bucket.Id,
            Key = "dir/腾讯云 k",
            VersionId = ObjectVersionRecord.NullVersionId,
            IsLatest = true,
            Size = 1L << 40,
            ETag = "d41d8cd98f00b204e9800998ecf8427e-3",
            Crc64 = ulong.MaxValue,
            StorageClass = "DEEP_ARCHIVE",
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_001),
            LastModified = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_002),
            Layout = new BlobLayout([new BlobSegment("0123456789abcdef", 40)]),
            UserMetadata = [new("color", "red")],
            Headers = [new("Content-Encoding", "gzip")],
            Tags = [new("team", "data")],
        }));

        using var reader = _store.OpenReader();
        reader.ScanLatest(bucket.Id, "", true, null).Should().ContainSingle().Which.Should().BeEquivalentTo(stored);
        reader.ScanVersions(bucket.Id, "", true, null, null).Should().ContainSingle().Which.Should().BeEquivalentTo(stored);
        reader.ScanLatest(bucket.Id, "", true, null, VersionDetail.Tags).Single().Should().BeEquivalentTo(
            stored with { Layout = BlobLayout.Empty, UserMetadata = [], Headers = [] });
    }

    [Fact]
    public async Task SetTags_ReplacesTheTags_AndKeepsEveryOtherField()
    {
        var bucket = await CreateBucketAsync();
        var stored = await InsertAsync(bucket, "k");
        await _store.WriteAsync(w =>
        {
            w.SetTags(bucket.Id, "k", stored.Sequence, [new("a", "1"), new("b", "2")]);
            return 0;
        });

        using var reader = _store.OpenReader();
        reader.GetLatestVersion(bucket.Id, "k").Should().BeEquivalentTo(stored with { Tags = [new("a", "1"), new("b", "2")] });
    }

    [Fact]
    public async Task Credentials_RoundTrip_AndDelete()
    {
        var credential = new CredentialRecord
        {
            SecretId = "AKIDsub",
            SecretKey = "secret",
            Kind = CredentialKinds.Temporary,
            AppId = "1250000000",
            Uin = "100000000011",
            Name = "ci",
            SessionToken = "token",
            ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000),
            Policy = [1, 2, 3],
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
        };
        await _store.WriteAsync(w =>
        {
            w.InsertCredential(credential);
            w.InsertCredential(credential with { SecretId = "AKIDother", AppId = "1250000001", Policy = null, ExpiresAt = null, SessionToken = null });
            return 0;
        });

        using (var reader = _store.OpenReader())
        {
            reader.GetCredential("AKIDsub").Should().BeEquivalentTo(credential);
            reader.ListCredentials("1250000000").Should().ContainSingle().Which.SecretId.Should().Be("AKIDsub");
            reader.GetCredential("AKIDnone").Should().BeNull();
        }

        (await _store.WriteAsync(w => w.DeleteCredential("AKIDsub"))).Should().BeTrue();
        (await _store.WriteAsync(w => w.DeleteCredential("AKIDsub"))).Should().BeFalse();
    }

    [Fact]
    public async Task Sequences_KeepIncreasing_AcrossReopen()
    {
        var bucket = await CreateBucketAsync();
        var first = await InsertAsync(bucket, "a");
        _store.Dispose();
        _store = Open();
        var second = await InsertAsync(bucket, "b");
        second.Sequence.Should().BeGreaterThan(first.Sequence);
    }

    [Fact]
    public async Task WriteAsync_RollsBack_WhenWorkThrows()
    {
        var bucket = await CreateBucketAsync();
        var act = () => _store.WriteAsync<int>(w =>
        {
            w.InsertVersion(Version(bucket, "x"));
            throw new InvalidOperationException("boom");
        });
        await act.Should().ThrowAsync<InvalidOperationException>();

        using var reader = _store.OpenReader();
        reader.HasObjects(bucket.Id).Should().BeFalse();
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
    public async Task Open_MigratesVersion3_AddingTheRunSummaryColumn()
    {
        var bucket = await CreateBucketAsync();
        await _store.WriteAsync(w =>
        {
            w.InsertRun(new InventoryRunRecord
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

        // What a version 3 data folder holds: the table without the column.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_directory.Combine("metadata.db")};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE inventory_runs DROP COLUMN summary; PRAGMA user_version=3;";
            await command.ExecuteNonQueryAsync();
        }

        _store = Open();
        using (var reader = _store.OpenReader())
        {
            reader.GetRun("job-1")!.State.Should().Be(InventoryRunStates.Succeeded);
            reader.GetRunSummary("job-1").Should().BeNull();
        }

        await _store.WriteAsync(w =>
        {
            w.SetRunSummary("job-1", [7, 8, 9]);
            return true;
        });
        using (var reader = _store.OpenReader())
        {
            reader.GetRunSummary("job-1").Should().Equal(7, 8, 9);
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

    private Task<BucketRecord> CreateBucketAsync() => _store.WriteAsync(w => w.CreateBucket(new BucketRecord
    {
        Name = "b-1250000000",
        OwnerAppId = "1250000000",
        Region = "ap-guangzhou",
        CreatedAt = DateTimeOffset.UnixEpoch,
    }));

    private Task<ObjectVersionRecord> InsertAsync(BucketRecord bucket, string key) =>
        _store.WriteAsync(w => w.InsertVersion(Version(bucket, key)));

    private static ObjectVersionRecord Version(BucketRecord bucket, string key) => new()
    {
        BucketId = bucket.Id,
        Key = key,
        VersionId = ObjectVersionRecord.NullVersionId,
        IsLatest = true,
    };
}
