using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>
/// What <see cref="IChangeJournalWriter"/> promises: every version write is journaled with it, and the changes between
/// two marked instants are exactly those committed after the first and by the second, whatever runs concurrently; marks
/// survive a reopen; a purge removes old changes and says from when on the journal is no longer complete.
/// </summary>
public abstract class ChangeJournalContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    [Fact]
    public async Task EveryVersionWrite_IsJournaled_WithTheVersionAsItIsAfterIt()
    {
        var bucket = await CreateBucketAsync();
        var start = await MarkAsync("start");
        var a = await InsertAsync(bucket, "a", "v1");
        var b = await Store.WriteAsync(w => w.Versions.Insert(Version(bucket, "b") with { Tags = [new("t", "1")] }));
        await Store.WriteAsync(w =>
        {
            w.Versions.SetLatest(bucket.Id, "a", a.Sequence, false);
            w.Versions.Insert(Version(bucket, "a", "v2"));
            w.Versions.SetTags(bucket.Id, "b", b.Sequence, [new("t", "2")]);
            return 0;
        });
        await Store.WriteAsync(w =>
        {
            w.Versions.Delete(bucket.Id, "a", a.Sequence);
            // Setting a flag to what it is already changes nothing, and is not journaled.
            w.Versions.SetLatest(bucket.Id, "b", b.Sequence, true);
            return 0;
        });
        var end = await MarkAsync("end");

        var changes = Read(bucket, start, end, ChangeOrder.Sequence);
        changes.Select(c => (c.Operation, c.Version.Key, c.Version.VersionId, c.Version.IsLatest)).Should().Equal(
            (ChangeOperation.Create, "a", "v1", true),
            (ChangeOperation.Create, "b", "null", true),
            (ChangeOperation.Latest, "a", "v1", false),
            (ChangeOperation.Create, "a", "v2", true),
            (ChangeOperation.Tags, "b", "null", true),
            (ChangeOperation.Delete, "a", "v1", false));
        changes.Select(c => c.Sequence).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        changes.Should().OnlyContain(c => c.Sequence > start.Sequence && c.Sequence <= end.Sequence);
        var retag = changes.Single(c => c.Operation == ChangeOperation.Tags);
        retag.Version.Tags.Should().Equal([new KeyValuePair<string, string>("t", "2")]);
        retag.Previous!.Tags.Should().Equal([new KeyValuePair<string, string>("t", "1")]);
        changes[0].Version.Sequence.Should().Be(a.Sequence);
        changes[0].Version.ETag.Should().Be(a.ETag);

        Read(bucket, start, end, ChangeOrder.Key).Select(c => (c.Version.Key, c.Operation)).Should().Equal(
            ("a", ChangeOperation.Create), ("a", ChangeOperation.Latest), ("a", ChangeOperation.Create), ("a", ChangeOperation.Delete),
            ("b", ChangeOperation.Create), ("b", ChangeOperation.Tags));
    }

    [Fact]
    public async Task Read_TakesTheChangesBetweenTwoMarks_InTheKeyRange_AndOfOneBucketOnly()
    {
        var bucket = await CreateBucketAsync();
        var other = await CreateBucketAsync("other-1250000000");
        await InsertAsync(bucket, "before");
        var first = await MarkAsync("first");
        await InsertAsync(bucket, "logs/1");
        await InsertAsync(other, "logs/1");
        await InsertAsync(bucket, "photos/1");
        var second = await MarkAsync("second");
        await InsertAsync(bucket, "logs/2");

        Read(bucket, first, second, ChangeOrder.Sequence).Select(c => c.Version.Key).Should().Equal("logs/1", "photos/1");
        Read(bucket, first, second, ChangeOrder.Sequence, "logs/", "logs0").Select(c => c.Version.Key).Should().Equal("logs/1");
        Read(bucket, second, first, ChangeOrder.Sequence).Should().BeEmpty();
        (await Store.WriteAsync(w => w.Journal.Mark("first", second.Point))).Should().Be(first, "a mark is made once");
        Reopen();
        (await Store.WriteAsync(w => w.Journal.GetMark("second"))).Should().Be(second);
        using var reader = Store.OpenSnapshot();
        reader.Journal.GetMark("none").Should().BeNull();
    }

    [Fact]
    public async Task AChangeInFlightAsAnInstantIsMarked_IsAfterIt_AndInTheNextWindow()
    {
        var bucket = await CreateBucketAsync();
        var first = await MarkAsync("first");
        var writing = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var inFlight = Task.Run(() => Store.WriteAsync(w =>
        {
            w.Versions.Insert(Version(bucket, "slow"));
            writing.SetResult();
            release.Task.Wait();
            return 0;
        }));
        await writing.Task;
        var marking = Task.Run(() => MarkAsync("second"));
        await Task.Delay(200);
        release.SetResult();
        await inFlight;
        var second = await marking;
        await InsertAsync(bucket, "later");
        var third = await MarkAsync("third");

        var early = Read(bucket, first, second, ChangeOrder.Sequence).Select(c => c.Version.Key).ToList();
        var late = Read(bucket, second, third, ChangeOrder.Sequence).Select(c => c.Version.Key).ToList();
        early.Concat(late).Should().Equal("slow", "later").And.OnlyHaveUniqueItems("every change is in exactly one window");
        using var at = Store.OpenSnapshot(second.Point);
        (at.Versions.GetLatest(bucket.Id, "slow") is not null).Should().Be(early.Contains("slow"), "a window holds what its end instant sees");
    }

    [Fact]
    public async Task ConcurrentWriters_EachChangeLandsInExactlyOneWindow()
    {
        var bucket = await CreateBucketAsync();
        var marks = new List<JournalMark> { await MarkAsync("m0") };
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await InsertAsync(bucket, $"w{w}-{i:D3}");
            }
        })).ToArray();
        for (var m = 1; !writers.All(t => t.IsCompleted); m++)
        {
            marks.Add(await MarkAsync($"m{m}"));
            await Task.Delay(5);
        }

        await Task.WhenAll(writers);
        marks.Add(await MarkAsync("last"));

        var seen = new List<string>();
        for (var i = 1; i < marks.Count; i++)
        {
            seen.AddRange(Read(bucket, marks[i - 1], marks[i], ChangeOrder.Sequence).Select(c => c.Version.Key));
        }

        seen.Should().HaveCount(200).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Purge_RemovesOldChangesAndMarks_AndAWindowFromBeforeItIsNoLongerCovered()
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        Reopen(time);
        var bucket = await CreateBucketAsync();
        var old = await MarkAsync("old");
        await InsertAsync(bucket, "a");
        time.Advance(TimeSpan.FromDays(8));
        var recent = await MarkAsync("recent");
        await InsertAsync(bucket, "b");
        var end = await MarkAsync("end");

        // A shared database purges only what every snapshot sees: a transaction of another database (another test's, on
        // the shared test cluster) may hold that back, for seconds when CI is busy; the wait ends as soon as it lets go.
        var purged = 0;
        for (var attempt = 0; purged == 0 && attempt < 600; attempt++)
        {
            purged = await Store.WriteAsync(w => w.Journal.Purge(time.GetUtcNow() - TimeSpan.FromDays(7), 1000));
            await Task.Delay(purged == 0 ? 100 : 0);
        }

        purged.Should().Be(1);
        (await Store.WriteAsync(w => w.Journal.Purge(time.GetUtcNow() - TimeSpan.FromDays(7), 1000))).Should().Be(0);

        using var reader = Store.OpenSnapshot();
        reader.Journal.Covers(old.Point).Should().BeFalse("a change after it is gone");
        reader.Journal.Covers(recent.Point).Should().BeTrue();
        reader.Journal.GetMark("old").Should().BeNull();
        reader.Journal.Read(bucket.Id, recent.Point, end.Point, "", null, ChangeOrder.Sequence).Select(c => c.Version.Key).Should().Equal("b");
    }

    [Fact]
    public async Task InsertMany_IsJournaled_LikeInserts()
    {
        var bucket = await CreateBucketAsync();
        var start = await MarkAsync("start");
        await InsertManyAsync(bucket, Enumerable.Range(0, 300).Select(i => $"k{i:D3}"));
        var end = await MarkAsync("end");

        var changes = Read(bucket, start, end, ChangeOrder.Sequence);
        changes.Select(c => c.Version.Key).Should().Equal(Enumerable.Range(0, 300).Select(i => $"k{i:D3}"));
        using var reader = Store.OpenSnapshot();
        changes.Select(c => c.Version.Sequence).Should().Equal(reader.Versions.ScanLatest(bucket.Id, "", true, null).Select(v => v.Sequence));
    }

    [Fact]
    public async Task Insert_OfKeysBeyondAscii_ReadsBackAndJournalsTheKeysWhole()
    {
        var bucket = await CreateBucketAsync();
        string[] keys = ["ascii/plain", "fotos/ünïcödé.jpg", "日本語/ファイル", "emoji/😀🎉/end", "mixed/ä日😀"];
        var start = await MarkAsync("start");
        foreach (var key in keys)
        {
            await InsertAsync(bucket, key, "v" + key.Length);
        }

        await InsertManyAsync(bucket, keys.Select(k => "many/" + k));
        var end = await MarkAsync("end");

        string[] expected = [.. keys, .. keys.Select(k => "many/" + k)];
        using var reader = Store.OpenSnapshot();
        reader.Versions.ScanLatest(bucket.Id, "", true, null).Select(v => v.Key).Should().BeEquivalentTo(expected);
        keys.Select(k => reader.Versions.GetLatest(bucket.Id, k)?.VersionId).Should().Equal(keys.Select(k => "v" + k.Length));
        keys.Select(k => reader.Versions.Get(bucket.Id, k, "v" + k.Length)?.Key).Should().Equal(keys, "a version looked up by id binds the key as the insert did");
        Read(bucket, start, end, ChangeOrder.Sequence).Select(c => c.Version.Key).Should().Equal(expected);
    }

    [Fact]
    public async Task Delete_WithNoInstantPinned_RemovesTheRow_AndJournalsItAsItWas()
    {
        var bucket = await CreateBucketAsync();
        var start = await MarkAsync("start");
        // No pin left: the delete removes the row rather than keeping it as a revision (the path of every overwrite).
        await Store.WriteAsync(w => w.Pins.Release("start"));
        var kept = await InsertAsync(bucket, "媒体/视频/kept 1.mp4", "v1");
        var gone = await Store.WriteAsync(w => w.Versions.Insert(Version(bucket, "媒体/视频/report 4.mp4", "v2", isLatest: false) with { Size = 4096 }));
        await Store.WriteAsync(w =>
        {
            w.Versions.Delete(bucket.Id, gone.Key, gone.Sequence);
            // A row deleted already is not there to journal again.
            w.Versions.Delete(bucket.Id, gone.Key, gone.Sequence);
            return 0;
        });
        var end = await MarkAsync("end");

        using (var reader = Store.OpenSnapshot())
        {
            reader.Versions.Get(bucket.Id, gone.Key, "v2").Should().BeNull();
            reader.Versions.Get(bucket.Id, kept.Key, "v1")!.Sequence.Should().Be(kept.Sequence);
        }

        var changes = Read(bucket, start, end, ChangeOrder.Sequence);
        changes.Select(c => (c.Operation, c.Version.Key, c.Version.VersionId, c.Version.IsLatest, c.Version.Sequence)).Should().Equal(
            (ChangeOperation.Create, kept.Key, "v1", true, kept.Sequence),
            (ChangeOperation.Create, gone.Key, "v2", false, gone.Sequence),
            (ChangeOperation.Delete, gone.Key, "v2", false, gone.Sequence));
        changes[2].Version.Size.Should().Be(4096);
        changes[2].Version.ETag.Should().Be(gone.ETag);
    }

    private Task<JournalMark> MarkAsync(string owner) => Store.WriteAsync(w => w.Journal.Mark(owner, w.Pins.Pin(owner)));

    private List<ChangeRecord> Read(BucketRecord bucket, JournalMark after, JournalMark upTo, ChangeOrder order, string from = "", string? to = null)
    {
        using var reader = Store.OpenSnapshot();
        return reader.Journal.Read(bucket.Id, after.Point, upTo.Point, from, to, order).ToList();
    }
}

public sealed class SqliteChangeJournal : ChangeJournalContract<SqliteTestEngine>;

/// <summary>
/// Alone: a purge on PostgreSQL removes only changes below every running transaction of the cluster, and other suites'
/// long transactions (in databases of their own, on the same cluster) would hold it back.
/// </summary>
[Collection(nameof(AloneOnTheCluster))]
public sealed class PostgresChangeJournal : ChangeJournalContract<PostgresTestEngine>;

[CollectionDefinition(nameof(AloneOnTheCluster), DisableParallelization = true)]
public sealed class AloneOnTheCluster;
