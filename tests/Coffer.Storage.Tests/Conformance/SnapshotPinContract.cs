using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>
/// What <see cref="ISnapshotPinWriter"/> and <see cref="IMetadataStore.OpenSnapshot(SnapshotPoint)"/> promise: a pinned
/// instant reads the same, whatever is written after it, across reopening, until the pin is released.
/// </summary>
public abstract class SnapshotPinContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    [Fact]
    public async Task APinnedInstant_ReadsEveryVersionAsItWas_AfterOverwritesDeletesRecreatesAndRetags()
    {
        var bucket = await CreateBucketAsync();
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            await InsertAsync(bucket, key);
        }

        var tagged = await Store.WriteAsync(w => w.Versions.Insert(Version(bucket, "e") with { Tags = [new("t", "before")] }));
        var point = await Store.WriteAsync(w => w.Pins.Pin("run-1"));
        var before = Read(point);

        await Store.WriteAsync(w =>
        {
            Replace(w, bucket, "a", size: 100);
            w.Versions.Delete(bucket.Id, "b", w.Versions.GetLatest(bucket.Id, "b")!.Sequence);
            w.Versions.Delete(bucket.Id, "c", w.Versions.GetLatest(bucket.Id, "c")!.Sequence);
            w.Versions.SetTags(bucket.Id, "e", tagged.Sequence, [new("t", "after")]);
            w.Versions.Insert(Version(bucket, "f"));
            return 0;
        });
        await Store.WriteAsync(w => w.Versions.Insert(Version(bucket, "c") with { Size = 300 }));

        using (var now = Store.OpenSnapshot())
        {
            now.Versions.ScanLatest(bucket.Id, "", true, null).Select(v => (v.Key, v.Size)).Should().Equal(("a", 100L), ("c", 300L), ("d", 1L), ("e", 1L), ("f", 1L));
            now.Versions.GetLatest(bucket.Id, "e")!.Tags.Should().Equal([new KeyValuePair<string, string>("t", "after")]);
            now.Versions.ScanVersions(bucket.Id, "", true, null, null).Should().HaveCount(5);
        }

        Read(point).Should().BeEquivalentTo(before, options => options.WithStrictOrdering());
        before.Select(v => (v.Key, v.Size, v.IsLatest)).Should().Equal(("a", 1L, true), ("b", 1L, true), ("c", 1L, true), ("d", 1L, true), ("e", 1L, true));
        before.Single(v => v.Key == "e").Tags.Should().Equal([new KeyValuePair<string, string>("t", "before")]);
        using var at = Store.OpenSnapshot(point);
        at.Versions.GetLatest(bucket.Id, "b")!.Size.Should().Be(1);
        at.Versions.Get(bucket.Id, "a", ObjectVersionRecord.NullVersionId)!.Size.Should().Be(1);
        at.Versions.GetLatest(bucket.Id, "f").Should().BeNull();
        at.Versions.ScanVersions(bucket.Id, "", true, null, null).Select(v => v.Key).Should().Equal("a", "b", "c", "d", "e");
    }

    [Fact]
    public async Task APinnedInstant_ReadsARecordAsItWas_AfterUpdateRecordRewritesIt()
    {
        var bucket = await CreateBucketAsync();
        var stored = await Store.WriteAsync(w => w.Versions.Insert(Version(bucket, "k") with { Acl = "private" }));
        var point = await Store.WriteAsync(w => w.Pins.Pin("run-1"));
        var until = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000);
        await Store.WriteAsync(w =>
        {
            w.Versions.UpdateRecord(stored with { Acl = "public-read", RetentionMode = "GOVERNANCE", RetainUntil = until, LegalHold = true });
            return 0;
        });

        using (var now = Store.OpenSnapshot())
        {
            var current = now.Versions.GetLatest(bucket.Id, "k")!;
            (current.Acl, current.RetainUntil, current.LegalHold).Should().Be(("public-read", until, true));
            now.Versions.ScanVersions(bucket.Id, "", true, null, null).Should().ContainSingle("the rewritten record replaces the old one for current reads");
        }

        using var at = Store.OpenSnapshot(point);
        var then = at.Versions.GetLatest(bucket.Id, "k")!;
        (then.Acl, then.RetainUntil, then.LegalHold).Should().Be(("private", (DateTimeOffset?)null, false));
        at.Versions.ScanLatest(bucket.Id, "", true, null).Should().ContainSingle();
    }

    [Fact]
    public async Task APinnedInstant_OfAVersionedKey_KnowsWhichVersionWasLatestThen()
    {
        var bucket = await CreateBucketAsync();
        var v1 = await InsertAsync(bucket, "k", "v1", isLatest: false);
        await InsertAsync(bucket, "k", "v2");
        var point = await Store.WriteAsync(w => w.Pins.Pin("run-1"));

        await Store.WriteAsync(w =>
        {
            var latest = w.Versions.GetLatest(bucket.Id, "k")!;
            w.Versions.SetLatest(bucket.Id, "k", latest.Sequence, false);
            w.Versions.Insert(Version(bucket, "k", "v3"));
            w.Versions.Delete(bucket.Id, "k", v1.Sequence);
            return 0;
        });

        using var at = Store.OpenSnapshot(point);
        at.Versions.ScanVersions(bucket.Id, "", true, null, null).Select(v => (v.VersionId, v.IsLatest)).Should().Equal(("v2", true), ("v1", false));
        at.Versions.ScanLatest(bucket.Id, "", true, null).Select(v => (v.VersionId, v.IsLatest)).Should().Equal(("v2", true));
        at.Versions.ScanVersions(bucket.Id, "k", false, at.Versions.Get(bucket.Id, "k", "v2")!.Sequence, null).Select(v => (v.VersionId, v.IsLatest))
            .Should().Equal(("v1", false));
        using var now = Store.OpenSnapshot();
        now.Versions.ScanVersions(bucket.Id, "", true, null, null).Select(v => (v.VersionId, v.IsLatest)).Should().Equal(("v3", true), ("v2", false));
    }

    [Fact]
    public async Task APinnedInstant_ReadsTheSame_AcrossManyBatchesAndAReopen()
    {
        var bucket = await CreateBucketAsync();
        await InsertManyAsync(bucket, Enumerable.Range(0, 20_000).Select(i => $"k{i:D5}"));
        var point = await Store.WriteAsync(w => w.Pins.Pin("run-1"));
        var before = Read(point).Select(v => (v.Key, v.Sequence)).ToList();

        // Every third key replaced, every fifth deleted, new keys between the old ones.
        await Store.WriteAsync(w =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                if (i % 3 == 0)
                {
                    Replace(w, bucket, $"k{i:D5}", size: 7);
                }
                else if (i % 5 == 0)
                {
                    w.Versions.Delete(bucket.Id, $"k{i:D5}", w.Versions.GetLatest(bucket.Id, $"k{i:D5}")!.Sequence);
                }

                if (i % 7 == 0)
                {
                    w.Versions.Insert(Version(bucket, $"k{i:D5}-new"));
                }
            }

            return 0;
        });
        Reopen();

        (await Store.WriteAsync(w => w.Pins.Get("run-1"))).Should().Be(point);
        Read(point).Select(v => (v.Key, v.Sequence)).Should().Equal(before);
        using var now = Store.OpenSnapshot();
        now.Versions.ScanLatest(bucket.Id, "", true, null).Should().HaveCount(20_000 - 2_666 + 2_858);
    }

    [Fact]
    public async Task APinnedScan_LeftBeforeItsEnd_LeavesTheSnapshotReadable()
    {
        var bucket = await CreateBucketAsync();
        await InsertManyAsync(bucket, Enumerable.Range(0, 50_000).Select(i => $"k{i:D5}"));
        var point = await Store.WriteAsync(w => w.Pins.Pin("run-1"));

        using (var at = Store.OpenSnapshot(point))
        {
            at.Versions.ScanVersions(bucket.Id, "", true, null, null).Take(3).Select(v => v.Key).Should().Equal("k00000", "k00001", "k00002");
            at.Versions.GetLatest(bucket.Id, "k49999")!.Key.Should().Be("k49999");
            at.Versions.ScanLatest(bucket.Id, "k49990", true, null).Select(v => v.Key).Should().HaveCount(10).And.StartWith("k49990");
        }

        using var again = Store.OpenSnapshot(point);
        again.Versions.ScanLatest(bucket.Id, "", true, null).Should().HaveCount(50_000);
    }

    [Fact]
    public async Task APinnedInstant_NeverChanges_WhenATransactionWasInFlightAsItWasPinned()
    {
        var bucket = await CreateBucketAsync();
        var writing = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var inFlight = Task.Run(() => Store.WriteAsync(w =>
        {
            w.Versions.Insert(Version(bucket, "x"));
            writing.SetResult();
            release.Task.Wait();
            return 0;
        }));
        await writing.Task;
        var pinning = Task.Run(() => Store.WriteAsync(w => w.Pins.Pin("run-1")));
        await Task.Delay(200);
        release.SetResult();
        await inFlight;
        var point = await pinning;

        var first = Read(point).Select(v => v.Key).ToList();
        await InsertAsync(bucket, "y");
        Read(point).Select(v => v.Key).Should().Equal(first).And.NotContain("y");
    }

    [Fact]
    public async Task Pins_AreOnePerOwner_AndReleasingOneLetsAPurgeRemoveWhatOnlyItNeeded()
    {
        var bucket = await CreateBucketAsync();
        await InsertAsync(bucket, "a");
        var first = await Store.WriteAsync(w => w.Pins.Pin("run-1"));
        (await Store.WriteAsync(w => w.Pins.Pin("run-1"))).Should().Be(first);
        await Store.WriteAsync(w =>
        {
            Replace(w, bucket, "a", size: 2);
            return 0;
        });
        var second = await Store.WriteAsync(w => w.Pins.Pin("run-2"));
        await Store.WriteAsync(w =>
        {
            Replace(w, bucket, "a", size: 3);
            return 0;
        });

        await Store.PurgeSupersededAsync();
        ReadSizes(first).Should().Equal(1);
        ReadSizes(second).Should().Equal(2);

        (await Store.WriteAsync(w => w.Pins.Release("run-1"))).Should().BeTrue();
        (await Store.WriteAsync(w => w.Pins.Release("run-1"))).Should().BeFalse();
        await Store.PurgeSupersededAsync();
        ReadSizes(second).Should().Equal(2);
        (await Store.WriteAsync(w => w.Pins.Get("run-1"))).Should().BeNull();

        await Store.WriteAsync(w => w.Pins.Release("run-2"));
        await Store.PurgeSupersededAsync();
        (await Store.PurgeSupersededAsync()).Should().Be(0, "nothing superseded is left once no pin needs it");
        using var now = Store.OpenSnapshot();
        now.Versions.ScanVersions(bucket.Id, "", true, null, null).Select(v => v.Size).Should().Equal(3);
        now.Buckets.HasContent(bucket.Id).Should().BeTrue();
    }

    [Fact]
    public async Task AKeyOverwrittenManyTimesWhilePinned_ReadsBackEachPut_AndAPutAfterItsDelete()
    {
        var bucket = await CreateBucketAsync();
        await InsertAsync(bucket, "k");
        var point = await Store.WriteAsync(w => w.Pins.Pin("run-1"));
        for (var size = 2; size <= 60; size++)
        {
            await Store.WriteAsync(w => Put(w, bucket, "k", size));
            using var now = Store.OpenSnapshot();
            now.Versions.Get(bucket.Id, "k", ObjectVersionRecord.NullVersionId)!.Size.Should().Be(size);
        }

        await Store.WriteAsync(w =>
        {
            w.Versions.Delete(bucket.Id, "k", w.Versions.Get(bucket.Id, "k", ObjectVersionRecord.NullVersionId)!.Sequence);
            return 0;
        });
        using (var deleted = Store.OpenSnapshot())
        {
            deleted.Versions.GetLatest(bucket.Id, "k").Should().BeNull();
        }

        await Store.WriteAsync(w => Put(w, bucket, "k", 100));
        await Store.WriteAsync(w => Put(w, bucket, "k", 101));
        using (var now = Store.OpenSnapshot())
        {
            now.Versions.ScanVersions(bucket.Id, "", true, null, null).Select(v => (v.VersionId, v.Size, v.IsLatest))
                .Should().Equal((ObjectVersionRecord.NullVersionId, 101L, true));
        }

        ReadSizes(point).Should().Equal(1);
    }

    private List<ObjectVersionRecord> Read(SnapshotPoint point)
    {
        using var at = Store.OpenSnapshot(point);
        var bucket = at.Buckets.Get("b-1250000000")!;
        return at.Versions.ScanLatest(bucket.Id, "", true, null).ToList();
    }

    private List<long> ReadSizes(SnapshotPoint point) => Read(point).Select(v => v.Size).ToList();

    /// <summary>What an unversioned PUT does to a key: its null version goes, a new one takes its place.</summary>
    private static void Replace(IMetadataTransaction w, BucketRecord bucket, string key, long size)
    {
        var previous = w.Versions.GetLatest(bucket.Id, key)!;
        w.Versions.Delete(bucket.Id, key, previous.Sequence);
        w.Versions.Insert(Version(bucket, key) with { Size = size });
    }
}

public sealed class SqliteSnapshotPins : SnapshotPinContract<SqliteTestEngine>;

public sealed class PostgresSnapshotPins : SnapshotPinContract<PostgresTestEngine>;
