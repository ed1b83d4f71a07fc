using System.Text;
using Coffer.Common.Lifecycle;
using Coffer.Model.Buckets;
using Coffer.Model.Lifecycle;
using Coffer.Model.Multipart;
using Coffer.Model.Objects;

namespace Coffer.Model.Tests;

/// <summary>
/// The lifecycle worker over a real engine, its clock driven by hand: what is due goes on the day it is due (S3's
/// rounding to midnight UTC), nothing else goes, locked versions stay, and a bucket's pass runs once a day.
/// </summary>
public sealed class LifecycleWorkerTests : IDisposable
{
    private const string Bucket = "lifecycle-1250000000";
    private readonly ObjectServiceFixture _fixture = new();
    private readonly BucketSettings _settings;

    public LifecycleWorkerTests()
    {
        _settings = new BucketSettings(_fixture.Engine.Metadata, _fixture.Time);
    }

    private ObjectService Service => _fixture.Service;

    [Fact]
    public async Task RunDue_ExpiresCurrentVersions_AtTheMidnightAfterTheirDays_AndOnlyUnderTheRulesPrefix()
    {
        await CreateBucketAsync(BucketVersioning.Unversioned);
        await PutAsync("logs/a");
        await PutAsync("keep/b");
        await ConfigureAsync(new LifecycleRule { Id = "logs", Enabled = true, Filter = new LifecycleFilter { Prefix = "logs/" }, Expiration = new(1, null) });

        // Written at 08:00 on the 22nd with one day: due at 00:00 on the 24th.
        _fixture.Time.Set(new DateTimeOffset(2026, 11, 23, 23, 59, 0, TimeSpan.Zero));
        (await Worker().RunDueAsync()).Should().ContainSingle().Which.Expired.Should().Be(0);
        Keys().Should().Equal("keep/b", "logs/a");

        _fixture.Time.Set(new DateTimeOffset(2026, 11, 24, 0, 0, 1, TimeSpan.Zero));
        var pass = (await Worker().RunDueAsync()).Should().ContainSingle().Subject;
        (pass.Bucket, pass.Expired, pass.VersionsDeleted).Should().Be((Bucket, 1L, 0L));
        Keys().Should().Equal("keep/b");
        Service.ListObjectVersions(Bucket, new ListVersionsQuery()).Versions.Should().ContainSingle("unversioned, an expired object is gone");
    }

    [Fact]
    public async Task RunDue_RunsABucketOnceADay_AndAgainWhenItsConfigurationChanges()
    {
        await CreateBucketAsync(BucketVersioning.Unversioned);
        await PutAsync("a");
        await ConfigureAsync(new LifecycleRule { Id = "r", Enabled = true, Filter = new LifecycleFilter { Prefix = "x/" }, Expiration = new(1, null) });
        (await Worker().RunDueAsync()).Should().ContainSingle();
        _fixture.Time.Advance(TimeSpan.FromHours(10));
        (await Worker().RunDueAsync()).Should().BeEmpty("the bucket's pass ran today, on this node or another");

        _fixture.Time.Advance(TimeSpan.FromMinutes(1));
        await ConfigureAsync(new LifecycleRule { Id = "r", Enabled = true, Expiration = new(null, new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero)) });
        var pass = (await Worker().RunDueAsync()).Should().ContainSingle().Subject;
        pass.Expired.Should().Be(1, "the new rule's date has passed");
        Keys().Should().BeEmpty();

        _fixture.Time.Advance(TimeSpan.FromDays(1));
        (await Worker().RunDueAsync()).Should().ContainSingle("a new UTC day");
    }

    [Fact]
    public async Task RunDue_OnAVersionedBucket_MarksCurrentVersions_DeletesOldNoncurrentOnes_AndKeepsTheNewestNoncurrent()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        await PutAsync("k");
        _fixture.Time.Advance(TimeSpan.FromDays(1));
        var v2 = await PutAsync("k");
        _fixture.Time.Advance(TimeSpan.FromDays(1));
        var v3 = await PutAsync("k");
        await ConfigureAsync(new LifecycleRule
        {
            Id = "versions",
            Enabled = true,
            Expiration = new(30, null),
            NoncurrentVersionExpiration = new NoncurrentVersionAction(1, NewerNoncurrentVersions: 1),
        });

        _fixture.Time.Advance(TimeSpan.FromDays(2));
        var pass = (await Worker().RunDueAsync()).Should().ContainSingle().Subject;
        (pass.Expired, pass.VersionsDeleted).Should().Be((0L, 1L));
        Versions().Should().Equal((v3.VersionId, true, false), (v2.VersionId, false, false));

        _fixture.Time.Advance(TimeSpan.FromDays(30));
        (await Worker().RunDueAsync()).Should().ContainSingle().Which.Expired.Should().Be(1);
        var versions = Versions();
        versions.Should().HaveCount(3);
        versions[0].IsDeleteMarker.Should().BeTrue("a versioned bucket's expiration puts a delete marker on top");
        versions.Skip(1).Should().Equal((v3.VersionId, false, false), (v2.VersionId, false, false));
    }

    [Fact]
    public async Task RunDue_RemovesADeleteMarkerLeftAlone_WhenARuleSaysExpiredObjectDeleteMarker()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        await PutAsync("gone");
        await Service.DeleteObjectAsync(Bucket, "gone");
        await PutAsync("kept");
        await Service.DeleteObjectAsync(Bucket, "kept");
        await ConfigureAsync(
            new LifecycleRule { Id = "markers", Enabled = true, Expiration = new(null, null, ExpiredObjectDeleteMarker: true) },
            new LifecycleRule { Id = "old", Enabled = true, Filter = new LifecycleFilter { Prefix = "gone" }, NoncurrentVersionExpiration = new(1, null) });

        _fixture.Time.Advance(TimeSpan.FromDays(2));
        (await Worker().RunDueAsync()).Should().ContainSingle().Which.VersionsDeleted.Should().Be(1, "the noncurrent version of 'gone'");
        _fixture.Time.Advance(TimeSpan.FromDays(1));
        (await Worker().RunDueAsync()).Should().ContainSingle().Which.VersionsDeleted.Should().Be(1, "now the marker of 'gone' is all its key has");
        Service.ListObjectVersions(Bucket, new ListVersionsQuery()).Versions.Select(v => (v.Key, v.IsDeleteMarker))
            .Should().Equal(("kept", true), ("kept", false));
    }

    [Fact]
    public async Task RunDue_LeavesAVersionUnderLegalHold_AndDeletesItOnceTheHoldIsLifted()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        var held = await PutAsync("k");
        await PutAsync("k");
        await SetLegalHoldAsync(held.VersionId, true);
        await ConfigureAsync(new LifecycleRule { Id = "r", Enabled = true, NoncurrentVersionExpiration = new(1, null) });

        _fixture.Time.Advance(TimeSpan.FromDays(3));
        (await Worker().RunDueAsync()).Should().ContainSingle().Which.VersionsDeleted.Should().Be(0);
        Versions().Should().HaveCount(2);

        await SetLegalHoldAsync(held.VersionId, false);
        _fixture.Time.Advance(TimeSpan.FromDays(1));
        (await Worker().RunDueAsync()).Should().ContainSingle().Which.VersionsDeleted.Should().Be(1);
        Versions().Should().ContainSingle();
    }

    [Fact]
    public async Task RunDue_SkipsAVersionUnderRetention_WithoutAnError_AndDeletesItOnceTheRetentionEnds()
    {
        await Service.CreateBucketAsync(Bucket, ObjectServiceFixture.Owner, "ap-guangzhou", objectLockEnabled: true);
        var retained = await PutAsync("k");
        await Service.PutObjectRetentionAsync(Bucket, "k", retained.VersionId, "COMPLIANCE", _fixture.Time.GetUtcNow().AddDays(5), false);
        await PutAsync("k");
        await ConfigureAsync(new LifecycleRule { Id = "r", Enabled = true, NoncurrentVersionExpiration = new(1, null) });

        _fixture.Time.Advance(TimeSpan.FromDays(3));
        (await Worker().RunDueAsync()).Should().ContainSingle().Which.VersionsDeleted.Should().Be(0);
        Versions().Should().HaveCount(2);

        _fixture.Time.Advance(TimeSpan.FromDays(3));
        (await Worker().RunDueAsync()).Should().ContainSingle().Which.VersionsDeleted.Should().Be(1);
        Versions().Should().ContainSingle();
    }

    [Fact]
    public async Task RunDue_AbortsUploadsIncompleteForTheirDays_UnderTheRulesPrefix_AndNoOthers()
    {
        await CreateBucketAsync(BucketVersioning.Unversioned);
        var old = await Service.CreateMultipartUploadAsync(new CreateMultipartUploadRequest { Bucket = Bucket, Key = "tmp/old" });
        var part = Encoding.UTF8.GetBytes("part");
        await Service.UploadPartAsync(new UploadPartRequest
        {
            Bucket = Bucket,
            Key = "tmp/old",
            UploadId = old.UploadId,
            PartNumber = 1,
            Body = new MemoryStream(part),
            ContentLength = part.Length,
        });
        await Service.CreateMultipartUploadAsync(new CreateMultipartUploadRequest { Bucket = Bucket, Key = "other/old" });
        _fixture.Time.Advance(TimeSpan.FromDays(2));
        await Service.CreateMultipartUploadAsync(new CreateMultipartUploadRequest { Bucket = Bucket, Key = "tmp/new" });
        await ConfigureAsync(new LifecycleRule { Id = "uploads", Enabled = true, Filter = new LifecycleFilter { Prefix = "tmp/" }, AbortIncompleteMultipartUploadDays = 2 });

        _fixture.Time.Advance(TimeSpan.FromHours(17));
        var pass = (await Worker().RunDueAsync()).Should().ContainSingle().Subject;
        pass.UploadsAborted.Should().Be(1);
        Service.ListMultipartUploads(Bucket, new ListUploadsQuery()).Uploads.Select(u => u.Key).Should().Equal("other/old", "tmp/new");
    }

    [Fact]
    public async Task RunDue_OverManyBatches_ExpiresEveryDueKey()
    {
        await CreateBucketAsync(BucketVersioning.Unversioned);
        for (var i = 0; i < 25; i++)
        {
            await PutAsync($"k{i:D2}");
        }

        await ConfigureAsync(new LifecycleRule { Id = "all", Enabled = true, Filter = new LifecycleFilter { Prefix = "k1" }, Expiration = new(1, null) });
        _fixture.Time.Advance(TimeSpan.FromDays(2));
        var pass = (await Worker(batchKeys: 3).RunDueAsync()).Should().ContainSingle().Subject;
        (pass.KeysScanned, pass.Expired).Should().Be((10L, 10L), "only the range under k1 is read");
        Keys().Should().HaveCount(15).And.NotContain(k => k.StartsWith("k1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunDue_OnTwoWorkersAtOnce_ExpiresEveryDueKeyExactlyOnce()
    {
        const int keys = 300;
        await CreateBucketAsync(BucketVersioning.Enabled);
        await PutManyAsync(keys);
        await ConfigureAsync(new LifecycleRule { Id = "all", Enabled = true, Expiration = new(1, null) });
        _fixture.Time.Advance(TimeSpan.FromDays(2));

        // Two nodes' workers on one database, their passes started together: one holds the bucket's lease.
        var first = new LifecycleWorker(_fixture.Engine, _settings, _fixture.Time, new LifecycleOptions { Owner = "node-a", BatchKeys = 20 });
        var second = new LifecycleWorker(_fixture.Engine, _settings, _fixture.Time, new LifecycleOptions { Owner = "node-b", BatchKeys = 20 });
        var passes = (await Task.WhenAll(Task.Run(() => first.RunDueAsync()), Task.Run(() => second.RunDueAsync()))).SelectMany(p => p).ToArray();

        passes.Should().ContainSingle("the other worker found the lease held, or the pass done for the day")
            .Which.Expired.Should().Be(keys);
        DeleteMarkersPerKey().Should().HaveCount(keys).And.OnlyContain(k => k.Markers == 1);
    }

    [Fact]
    public async Task RunDue_AfterAWorkerDiesMidPass_AnotherTakesOverOnceTheLeaseRunsOut_AndExpiresEachKeyOnce()
    {
        const int keys = 300;
        await CreateBucketAsync(BucketVersioning.Enabled);
        await PutManyAsync(keys);
        await ConfigureAsync(new LifecycleRule { Id = "all", Enabled = true, Expiration = new(1, null) });
        _fixture.Time.Advance(TimeSpan.FromDays(2));

        // Node A's worker dies before its fourth read of the clock: after committing a few batches, mid-pass.
        var dying = new DyingClock(_fixture.Time, diesAtCall: 4);
        var lease = TimeSpan.FromMinutes(2);
        var nodeA = new LifecycleWorker(_fixture.Engine, _settings, dying, new LifecycleOptions { Owner = "node-a", BatchKeys = 20, Lease = lease });
        await nodeA.Invoking(w => w.RunDueAsync()).Should().ThrowAsync<NodeDiedException>();
        var expiredByA = DeleteMarkersPerKey().Length;
        expiredByA.Should().BeInRange(1, keys - 1, "node A died part way through");

        var nodeB = new LifecycleWorker(_fixture.Engine, _settings, _fixture.Time, new LifecycleOptions { Owner = "node-b", BatchKeys = 20, Lease = lease });
        (await nodeB.RunDueAsync()).Should().BeEmpty("node A's lease has not run out");

        _fixture.Time.Advance(lease + TimeSpan.FromSeconds(1));
        var pass = (await nodeB.RunDueAsync()).Should().ContainSingle().Subject;
        pass.Expired.Should().Be(keys - expiredByA, "node B resumed where node A stopped");
        pass.KeysScanned.Should().BeLessThan(keys, "from node A's cursor, not from the first key");
        (await new LifecycleWorker(_fixture.Engine, _settings, _fixture.Time, new LifecycleOptions { Owner = "node-a" }).RunDueAsync())
            .Should().BeEmpty("the bucket's pass is done for the day, whoever finished it");
        DeleteMarkersPerKey().Should().HaveCount(keys).And.OnlyContain(k => k.Markers == 1);
        Service.ListObjectVersions(Bucket, new ListVersionsQuery { MaxKeys = 1000 }).Versions.Should().HaveCount(2 * keys, "every key kept its version under one marker");
    }

    [Fact]
    public async Task RunDue_TransitionsCurrentVersions_InPlace_ToTheColdestDueClass_AndNeverBackToAWarmerOne()
    {
        await CreateBucketAsync(BucketVersioning.Unversioned);
        var written = await PutAsync("a");
        await PutAsync("cold", "DEEP_ARCHIVE");
        await ConfigureAsync(new LifecycleRule
        {
            Id = "tiers",
            Enabled = true,
            Transitions = [new LifecycleTransition(1, null, "STANDARD_IA"), new LifecycleTransition(3, null, "ARCHIVE")],
        });

        _fixture.Time.Set(new DateTimeOffset(2026, 11, 23, 23, 59, 0, TimeSpan.Zero));
        (await Worker().RunDueAsync()).Should().ContainSingle().Which.Transitioned.Should().Be(0, "written at 08:00 on the 22nd, one day is due at 00:00 on the 24th");
        _fixture.Time.Set(new DateTimeOffset(2026, 11, 24, 0, 0, 1, TimeSpan.Zero));
        (await Worker().RunDueAsync()).Should().ContainSingle().Which.Transitioned.Should().Be(1, "DEEP_ARCHIVE is colder than STANDARD_IA: it stays");
        Classes().Should().Equal(("a", "STANDARD_IA"), ("cold", "DEEP_ARCHIVE"));

        _fixture.Time.Set(new DateTimeOffset(2026, 11, 28, 0, 0, 1, TimeSpan.Zero));
        (await Worker().RunDueAsync()).Should().ContainSingle().Which.Transitioned.Should().Be(1, "both classes are due: the colder one wins");
        Classes().Should().Equal(("a", "ARCHIVE"), ("cold", "DEEP_ARCHIVE"));
        var moved = Service.HeadObject(Bucket, "a");
        (moved.VersionId, moved.ETag, moved.Size, moved.CreatedAt).Should().Be((written.VersionId, written.ETag, written.Size, written.CreatedAt),
            "a transition changes the class of the same version, nothing else");

        _fixture.Time.Advance(TimeSpan.FromDays(1));
        (await Worker().RunDueAsync()).Should().ContainSingle().Which.Transitioned.Should().Be(0, "nothing is moved twice");
    }

    [Fact]
    public async Task RunDue_TransitionsNoncurrentVersions_AfterTheirDays_KeepingTheNewestNoncurrentWhereItIs()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        var v1 = await PutAsync("k");
        _fixture.Time.Advance(TimeSpan.FromDays(1));
        var v2 = await PutAsync("k");
        _fixture.Time.Advance(TimeSpan.FromDays(1));
        var v3 = await PutAsync("k");
        await ConfigureAsync(new LifecycleRule
        {
            Id = "old",
            Enabled = true,
            NoncurrentVersionTransitions = [new NoncurrentVersionTransition(1, NewerNoncurrentVersions: 1, "ARCHIVE")],
        });

        _fixture.Time.Advance(TimeSpan.FromDays(2));
        var pass = (await Worker().RunDueAsync()).Should().ContainSingle().Subject;
        (pass.Transitioned, pass.Expired, pass.VersionsDeleted).Should().Be((1L, 0L, 0L));
        Service.ListObjectVersions(Bucket, new ListVersionsQuery()).Versions.Select(v => (v.VersionId, v.StorageClass))
            .Should().Equal((v3.VersionId, "STANDARD"), (v2.VersionId, "STANDARD"), (v1.VersionId, "ARCHIVE"));
    }

    [Fact]
    public async Task RunDue_ExpiresRatherThanTransitions_WhenBothAreDue()
    {
        await CreateBucketAsync(BucketVersioning.Enabled);
        await PutAsync("k");
        await PutAsync("k");
        await ConfigureAsync(new LifecycleRule
        {
            Id = "both",
            Enabled = true,
            Expiration = new(2, null),
            Transitions = [new LifecycleTransition(1, null, "ARCHIVE")],
            NoncurrentVersionExpiration = new(2, null),
            NoncurrentVersionTransitions = [new NoncurrentVersionTransition(1, null, "ARCHIVE")],
        });

        _fixture.Time.Advance(TimeSpan.FromDays(3));
        var pass = (await Worker().RunDueAsync()).Should().ContainSingle().Subject;
        (pass.Expired, pass.VersionsDeleted, pass.Transitioned).Should().Be((1L, 1L, 0L));
        Service.ListObjectVersions(Bucket, new ListVersionsQuery()).Versions.Where(v => !v.IsDeleteMarker).Select(v => v.StorageClass)
            .Should().Equal(["STANDARD"], "the expired current version became noncurrent under its marker, unmoved");
    }

    public void Dispose() => _fixture.Dispose();

    private LifecycleWorker Worker(int batchKeys = 1000) =>
        new(_fixture.Engine, _settings, _fixture.Time, new LifecycleOptions { BatchKeys = batchKeys });

    private async Task CreateBucketAsync(BucketVersioning versioning)
    {
        await Service.CreateBucketAsync(Bucket, ObjectServiceFixture.Owner, "ap-guangzhou");
        if (versioning != BucketVersioning.Unversioned)
        {
            await Service.SetBucketVersioningAsync(Bucket, versioning);
        }
    }

    private Task ConfigureAsync(params LifecycleRule[] rules) => _settings.PutLifecycleAsync(Bucket, new LifecycleConfiguration(rules));

    private Task<ObjectInfo> PutAsync(string key, string storageClass = "STANDARD")
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        return Service.PutObjectAsync(new PutObjectRequest
        {
            Bucket = Bucket,
            Key = key,
            Body = new MemoryStream(bytes),
            ContentLength = bytes.Length,
            StorageClass = storageClass,
        });
    }

    private (string Key, string StorageClass)[] Classes() =>
        Service.ListObjects(Bucket, new ListObjectsQuery()).Objects.Select(o => (o.Key, o.StorageClass)).ToArray();

    private Task SetLegalHoldAsync(string versionId, bool hold) => _fixture.Engine.Metadata.WriteAsync(writer =>
    {
        var bucket = writer.Buckets.Get(Bucket)!;
        var version = writer.Versions.Get(bucket.Id, "k", versionId)!;
        writer.Versions.UpdateRecord(version with { LegalHold = hold });
        return 0;
    });

    private async Task PutManyAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await PutAsync($"k{i:D4}");
        }
    }

    /// <summary>Each key that has delete markers, with how many.</summary>
    private (string Key, int Markers)[] DeleteMarkersPerKey() =>
        Service.ListObjectVersions(Bucket, new ListVersionsQuery { MaxKeys = 1000 }).Versions.Where(v => v.IsDeleteMarker)
            .GroupBy(v => v.Key).Select(g => (g.Key, g.Count())).ToArray();

    private string[] Keys() => Service.ListObjects(Bucket, new ListObjectsQuery()).Objects.Select(o => o.Key).ToArray();

    private (string VersionId, bool IsLatest, bool IsDeleteMarker)[] Versions() =>
        Service.ListObjectVersions(Bucket, new ListVersionsQuery()).Versions.Select(v => (v.VersionId, v.IsLatest, v.IsDeleteMarker)).ToArray();

    /// <summary>A node's clock that stops the node dead (an exception out of its worker) at its n-th reading.</summary>
    private sealed class DyingClock(TimeProvider inner, int diesAtCall) : TimeProvider
    {
        private int _calls;

        public override DateTimeOffset GetUtcNow() =>
            ++_calls >= diesAtCall ? throw new NodeDiedException() : inner.GetUtcNow();
    }

    private sealed class NodeDiedException() : Exception("The node died.");
}
