using Coffer.Storage.Records;
using Coffer.Storage.Sqlite;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

/// <summary>
/// The embedded engine's bucket-settings generation, which lets the access rules of a bucket be kept between requests:
/// it moves on with every committed change to a bucket or a configuration, before the change is acknowledged, and
/// stays put for other writes.
/// </summary>
public sealed class SqliteBucketSettingsGenerationTests : IDisposable
{
    private readonly TempDirectory _directory = new("sqlite-generation");
    private readonly SqliteMetadataStore _store;

    public SqliteBucketSettingsGenerationTests()
    {
        _store = SqliteMetadataStore.Open(_directory.Combine("metadata.db"), TimeProvider.System);
    }

    [Fact]
    public async Task BucketSettingsGeneration_MovesOn_WithEveryCommittedBucketOrConfigurationChange_BeforeItIsAcknowledged()
    {
        var bucket = await Changes(w => w.Buckets.Create(new BucketRecord { Name = "g-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        await Changes(w => w.Configs.Put(bucket.Id, "policy", "", [1], DateTimeOffset.UnixEpoch));
        await Changes(w => w.Configs.Put(bucket.Id, "policy", "", [2], DateTimeOffset.UnixEpoch));
        await Changes(w => w.Configs.Delete(bucket.Id, "policy", ""));
        await Changes(w =>
        {
            w.Buckets.SetVersioning(bucket.Id, VersioningState.Enabled);
            return 0;
        });
        await Changes(w => w.Buckets.DeleteIfEmpty(bucket.Id));
    }

    [Fact]
    public async Task BucketSettingsGeneration_StaysPut_ForWritesThatChangeNoBucket()
    {
        var bucket = await _store.WriteAsync(w => w.Buckets.Create(new BucketRecord { Name = "s-1250000000", OwnerAppId = "1250000000", Region = "ap-guangzhou" }));
        var before = _store.BucketSettingsGeneration;

        await _store.RecordIntentAsync("blob-1");
        await _store.WriteAsync(w => w.Buckets.Get(bucket.Id));

        _store.BucketSettingsGeneration.Should().Be(before);
    }

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    private async Task<T> Changes<T>(Func<IMetadataTransaction, T> work)
    {
        var before = _store.BucketSettingsGeneration;
        before.Should().NotBeNull("one process writes an embedded store");
        var result = await _store.WriteAsync(work);
        _store.BucketSettingsGeneration.Should().BeGreaterThan(before!.Value);
        return result;
    }
}
