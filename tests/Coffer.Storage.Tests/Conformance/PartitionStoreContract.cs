using System.Collections.Concurrent;
using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>
/// What <see cref="IPartitionReader"/> and <see cref="IPartitionWriter"/> promise: partitions leased one by one that two
/// workers never both take, and key samples even in rows, at the reader's instant.
/// </summary>
public abstract class PartitionStoreContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    [Fact]
    public async Task Insert_RoundTripsEveryField_UpdateReplacesThem_AndDeleteAllRemovesTheRunsOnly()
    {
        var first = Partition("job-1", 0, "", "m") with { LeaseOwner = "node-a", LeaseExpires = Now, State = PartitionStates.Running, Progress = [1, 2] };
        var second = Partition("job-1", 1, "m", null);
        await Store.WriteAsync(w =>
        {
            w.Partitions.Insert(second);
            w.Partitions.Insert(first);
            w.Partitions.Insert(Partition("job-2", 0, "", null));
            return 0;
        });
        using (var snapshot = Store.OpenSnapshot())
        {
            snapshot.Partitions.List("job-1").Should().BeEquivalentTo([first, second], options => options.WithStrictOrdering());
        }

        var done = second with { State = PartitionStates.Done, LeaseOwner = null, LeaseExpires = null, Progress = [9] };
        await Store.WriteAsync(w =>
        {
            w.Partitions.Update(done);
            return 0;
        });
        (await Store.WriteAsync(w => w.Partitions.Get("job-1", 1))).Should().BeEquivalentTo(done);
        (await Store.WriteAsync(w => w.Partitions.Get("job-1", 2))).Should().BeNull();
        var missing = () => Store.WriteAsync(w =>
        {
            w.Partitions.Update(done with { Index = 5 });
            return 0;
        });
        await missing.Should().ThrowAsync<InvalidOperationException>();

        (await Store.WriteAsync(w => w.Partitions.DeleteAll("job-1"))).Should().Be(2);
        using var after = Store.OpenSnapshot();
        after.Partitions.List("job-1").Should().BeEmpty();
        after.Partitions.List("job-2").Should().ContainSingle();
    }

    [Fact]
    public async Task ListClaimable_IsPendingAndExpired_InRunAndKeyOrder()
    {
        await Store.WriteAsync(w =>
        {
            w.Partitions.Insert(Partition("job-b", 0, "", null));
            w.Partitions.Insert(Partition("job-a", 2, "q", null));
            w.Partitions.Insert(Partition("job-a", 1, "h", "q") with { State = PartitionStates.Running, LeaseOwner = "x", LeaseExpires = Now.AddSeconds(-1) });
            w.Partitions.Insert(Partition("job-a", 0, "", "h") with { State = PartitionStates.Running, LeaseOwner = "y", LeaseExpires = Now.AddSeconds(1) });
            w.Partitions.Insert(Partition("job-a", 3, "z", null) with { State = PartitionStates.Done });
            w.Partitions.Insert(Partition("job-a", 4, "zz", null) with { State = PartitionStates.Running });
            return 0;
        });

        var all = await Store.WriteAsync(w => w.Partitions.ListClaimable(null, Now, 10));
        all.Select(p => (p.JobId, p.Index)).Should().Equal(("job-a", 1), ("job-a", 2), ("job-a", 4), ("job-b", 0));
        (await Store.WriteAsync(w => w.Partitions.ListClaimable("job-b", Now, 10))).Select(p => p.Index).Should().Equal(0);
        (await Store.WriteAsync(w => w.Partitions.ListClaimable("job-a", Now, 1))).Select(p => p.Index).Should().Equal(1);
    }

    [Fact]
    public async Task ConcurrentWorkers_ClaimingPartitions_NeverTakeTheSamePartition()
    {
        await Store.WriteAsync(w =>
        {
            for (var i = 0; i < 40; i++)
            {
                w.Partitions.Insert(Partition(i % 2 == 0 ? "job-1" : "job-2", i, $"k{i:D2}", null));
            }

            return 0;
        });

        var claims = new ConcurrentBag<(string Worker, string JobId, int Index)>();
        var workers = Enumerable.Range(0, 6).Select(n => Task.Run(async () =>
        {
            while (await Store.WriteAsync(w =>
                   {
                       var claimable = w.Partitions.ListClaimable(null, Now, 1);
                       var next = claimable.Count > 0 ? claimable[0] : null;
                       if (next is not null)
                       {
                           w.Partitions.Update(next with { State = PartitionStates.Running, LeaseOwner = $"worker-{n}", LeaseExpires = Now.AddMinutes(1) });
                       }

                       return next;
                   }) is { } claimed)
            {
                claims.Add(($"worker-{n}", claimed.JobId, claimed.Index));
            }
        }));
        await Task.WhenAll(workers);

        claims.Select(c => (c.JobId, c.Index)).Should().HaveCount(40).And.OnlyHaveUniqueItems();
        using var snapshot = Store.OpenSnapshot();
        foreach (var (worker, jobId, index) in claims)
        {
            snapshot.Partitions.List(jobId).Single(p => p.Index == index).LeaseOwner.Should().Be(worker);
        }
    }

    [Fact]
    public async Task SampleKeys_AreEvenInRows_NotInKeySpace()
    {
        var bucket = await CreateBucketAsync();
        // Skewed: most keys under one prefix, a few spread far apart, and a key with several versions.
        var keys = Enumerable.Range(0, 9_000).Select(i => $"photos/{i:D6}.jpg")
            .Concat(Enumerable.Range(0, 1_000).Select(i => $"{(char)('a' + (i % 26))}/{i:D4}"))
            .ToList();
        await Store.WriteAsync(w =>
        {
            w.Versions.InsertMany([.. keys.Select(k => Version(bucket, k))]);
            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        var sample = snapshot.Partitions.SampleKeys(bucket.Id, "", null, 100);
        sample.Rows.Should().Be(10_000);
        sample.Keys.Should().HaveCountGreaterThanOrEqualTo(50).And.HaveCountLessThanOrEqualTo(200).And.BeInAscendingOrder(StringComparer.Ordinal);

        // Four ranges cut at the sample's quartiles hold a quarter of the rows each, give or take 2%.
        var cuts = new[] { 1, 2, 3 }.Select(q => sample.Keys[q * sample.Keys.Count / 4]).ToArray();
        var bounds = new[] { "" }.Concat(cuts).ToArray();
        for (var i = 0; i < bounds.Length; i++)
        {
            var to = i + 1 < bounds.Length ? bounds[i + 1] : null;
            var rows = snapshot.Versions.ScanLatest(bucket.Id, bounds[i], true, to).Count();
            rows.Should().BeInRange(2_300, 2_700, $"range {i} of [{string.Join(", ", bounds)}]");
        }

        var ranged = snapshot.Partitions.SampleKeys(bucket.Id, "b/", "photos/", 10);
        ranged.Rows.Should().Be(keys.Count(k => string.CompareOrdinal(k, "b/") >= 0 && string.CompareOrdinal(k, "photos/") < 0));
        ranged.Keys.Should().OnlyContain(k => string.CompareOrdinal(k, "b/") >= 0 && string.CompareOrdinal(k, "photos/") < 0);
    }

    [Fact]
    public async Task SampleKeys_AtAPinnedInstant_CountTheRowsOfThatInstant()
    {
        var bucket = await CreateBucketAsync();
        await InsertManyAsync(bucket, Enumerable.Range(0, 1_000).Select(i => $"k{i:D4}"));
        var point = await Store.WriteAsync(w => w.Pins.Pin("run-1"));
        await Store.WriteAsync(w =>
        {
            w.Versions.InsertMany([.. Enumerable.Range(0, 500).Select(i => Version(bucket, $"n{i:D4}"))]);
            for (var i = 0; i < 100; i++)
            {
                w.Versions.Delete(bucket.Id, $"k{i:D4}", w.Versions.GetLatest(bucket.Id, $"k{i:D4}")!.Sequence);
            }

            return 0;
        });

        using (var at = Store.OpenSnapshot(point))
        {
            var sample = at.Partitions.SampleKeys(bucket.Id, "", null, 10);
            sample.Rows.Should().Be(1_000);
            sample.Keys.Should().OnlyContain(k => k.StartsWith('k')).And.Contain("k0000");
        }

        using var now = Store.OpenSnapshot();
        now.Partitions.SampleKeys(bucket.Id, "", null, 10).Rows.Should().Be(1_400);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(300)]
    [InlineData(6_000)]
    public async Task SampleKeys_AtAPinnedInstant_CountEveryRowOnce_EvenToTheRangesEnds(int keys)
    {
        var bucket = await CreateBucketAsync();
        // Every third key has three versions, so the ends of a sample read from both sides may meet inside a key's rows.
        var versions = Enumerable.Range(0, keys)
            .SelectMany(i => Enumerable.Range(0, i % 3 == 0 ? 3 : 1).Select(v => Version(bucket, $"k/{i:D5}", $"v{v}", isLatest: v == 0)))
            .ToList();
        await Store.WriteAsync(w =>
        {
            w.Versions.InsertMany(versions);
            return 0;
        });
        var point = await Store.WriteAsync(w => w.Pins.Pin("run-1"));
        await Store.WriteAsync(w =>
        {
            w.Versions.InsertMany([.. Enumerable.Range(0, 50).Select(i => Version(bucket, $"k/{i * 7:D5}", "later", isLatest: false))]);
            return 0;
        });

        var rows = versions.Select(v => v.Key).Order(StringComparer.Ordinal).ToArray();
        var slice = Math.Max(3, rows.Length / 4);
        using var at = Store.OpenSnapshot(point);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var sample = at.Partitions.SampleKeys(bucket.Id, "", null, 16);
            sample.Rows.Should().Be(rows.Length);
            sample.Keys.Should().BeInAscendingOrder(StringComparer.Ordinal).And.HaveCountLessThanOrEqualTo(33);
            if (rows.Length == 0)
            {
                sample.Keys.Should().BeEmpty();
                continue;
            }

            sample.Keys[0].Should().Be(rows[0]);
            // No stretch of rows without a sampled key longer than a quarter of the range, up to its last row.
            var marks = sample.Keys.Select(k => Array.FindIndex(rows, r => r == k)).Append(rows.Length).ToArray();
            marks.Zip(marks.Skip(1), (a, b) => b - a).Should().OnlyContain(gap => gap <= slice, $"sampled at rows {string.Join(", ", marks)}");
        }
    }

    [Fact]
    public async Task SplitCandidates_AreSortedInsideTheRangeAndEven_WhenOtherBucketsShareTheTable()
    {
        // Buckets on both sides of the one split, whose keys sort inside its range: none of their keys may leak into it.
        var before = await CreateBucketAsync("before-1250000000");
        var bucket = await CreateBucketAsync();
        var after = await CreateBucketAsync("after-1250000000");
        var keys = Enumerable.Range(0, 24_000).Select(i => $"photos/{i:D6}.jpg")
            .Concat(Enumerable.Range(0, 6_000).Select(i => $"{(char)('a' + (i % 26))}/{i:D5}"))
            .ToList();
        await Store.WriteAsync(w =>
        {
            w.Versions.InsertMany([.. Enumerable.Range(0, 10_000).Select(i => Version(before, $"m/{i:D6}"))]);
            w.Versions.InsertMany([.. keys.Select(k => Version(bucket, k))]);
            w.Versions.InsertMany([.. Enumerable.Range(0, 10_000).Select(i => Version(after, $"n/{i:D6}"))]);
            return 0;
        });
        var own = keys.ToHashSet();

        using var snapshot = Store.OpenSnapshot();
        var sample = snapshot.Partitions.SplitCandidates(bucket.Id, "", null, 1024, exactBelow: 0);
        sample.Rows.Should().BeInRange(25_500, 34_500, "the rows, estimated or counted, are within 15 %");
        sample.Keys.Should().HaveCountGreaterThanOrEqualTo(16).And.HaveCountLessThanOrEqualTo(2048)
            .And.BeInAscendingOrder(StringComparer.Ordinal).And.OnlyContain(k => own.Contains(k));

        // Four ranges cut where a run cuts them hold a quarter of the rows each, give or take a fifth.
        var cuts = new[] { 1, 2, 3 }.Select(q => sample.Keys[q * sample.Keys.Count / 4]).ToArray();
        var bounds = new[] { "" }.Concat(cuts).ToArray();
        for (var i = 0; i < bounds.Length; i++)
        {
            var to = i + 1 < bounds.Length ? bounds[i + 1] : null;
            var rows = snapshot.Versions.ScanLatest(bucket.Id, bounds[i], true, to).Count();
            rows.Should().BeInRange(6_000, 9_000, $"range {i} of [{string.Join(", ", bounds)}]");
        }

        var ranged = snapshot.Partitions.SplitCandidates(bucket.Id, "b/", "photos/000500", 64, exactBelow: 0);
        ranged.Keys.Should().BeInAscendingOrder(StringComparer.Ordinal).And.OnlyContain(k =>
            own.Contains(k) && string.CompareOrdinal(k, "b/") >= 0 && string.CompareOrdinal(k, "photos/000500") < 0);
        ranged.Rows.Should().BeInRange(3_370, 4_560, "the range holds 3,965 rows, within 15 %");
    }

    [Fact]
    public async Task SplitCandidates_CountExactly_WhenTheRangeIsBelowExactBelow()
    {
        var bucket = await CreateBucketAsync();
        await InsertManyAsync(bucket, Enumerable.Range(0, 20_000).Select(i => $"k/{i:D6}"));

        using var snapshot = Store.OpenSnapshot();
        var sample = snapshot.Partitions.SplitCandidates(bucket.Id, "k/000100", "k/019000", 64, exactBelow: 1_000_000);
        sample.Rows.Should().Be(18_900);
        sample.Estimated.Should().BeFalse();
        sample.Keys[0].Should().Be("k/000100");
    }

    private static PartitionRecord Partition(string jobId, int index, string from, string? to) =>
        new() { JobId = jobId, Index = index, FromKey = from, ToKey = to, State = PartitionStates.Pending };
}

public sealed class SqlitePartitionStore : PartitionStoreContract<SqliteTestEngine>;

public sealed class PostgresPartitionStore : PartitionStoreContract<PostgresTestEngine>;
