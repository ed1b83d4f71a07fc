using System.Text.Json;
using Coffer.Common;
using Coffer.Inventory.Running;
using Coffer.Inventory.Summary;
using Coffer.Model.Accounts;
using Coffer.Model.Inventory;
using Coffer.Testing;
using Coffer.Testing.Reports;

namespace Coffer.Inventory.Tests;

/// <summary>
/// Runs cut into key-range partitions: even in rows, scanned in parallel, one manifest listing every partition's files in
/// key order, one snapshot whatever is written while the run is in flight and whoever works which partition when.
/// </summary>
public sealed class PartitionedRunTests : IDisposable
{
    private InventoryFixture _fixture = new();

    [Theory]
    [InlineData(2, 1_000_000, 250_000, 512, 750_000L)]
    [InlineData(1, 1_000_000, 250_000, 512, 1_500_001L)]
    [InlineData(2, 10_000, 1_000, 512, 100_000L)]
    [InlineData(2, 1_000_000, 250_000, 1, long.MaxValue)]
    public void ExactBelow_IsHalfAgainTheFewestRowsOfTwoPartitions_AndNeverUnderAHundredThousand(
        int workers, long partitionRows, long minPartitionRows, int maxPartitions, long expected)
    {
        var options = new InventoryRunnerOptions
        {
            Workers = workers,
            PartitionRows = partitionRows,
            MinPartitionRows = minPartitionRows,
            MaxPartitions = maxPartitions,
        };

        InventoryRuns.ExactBelow(options.PartitionsFor).Should().Be(expected);
    }

    [Fact]
    public async Task APartitionedRun_CutsTheBucketEvenlyInRows_AndListsEachPartitionsFileInKeyOrder()
    {
        Use(new InventoryRunnerOptions { PartitionRows = 2_500, Workers = 2 });
        await _fixture.CreateBucketsAsync();
        // Skewed key space: nine in ten keys under one prefix, the rest spread over others.
        var keys = Enumerable.Range(0, 9_000).Select(i => $"photos/{i:D5}.jpg")
            .Concat(Enumerable.Range(0, 1_000).Select(i => $"{(char)('a' + (i % 26))}/{i:D4}"))
            .Order(Utf8Order.Instance).ToList();
        await _fixture.SeedEmptyObjectsAsync(keys);

        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("even", oneTime: true));

        run.State.Should().Be(InventoryRunState.Succeeded);
        var files = Files(run);
        files.Should().HaveCount(4, "10,000 rows in partitions of at most 2,500");
        var perFile = files.Select(f => Csv.Parse(_fixture.ReadGzip(f)).Select(r => Uri.UnescapeDataString(r[2])).ToList()).ToList();
        perFile.Should().AllSatisfy(rows => rows.Count.Should().BeInRange(2_400, 2_600, "partitions are even in rows, not in key space"));
        perFile.SelectMany(rows => rows).Should().Equal(keys, "the manifest lists the partitions' files in key order, every row once");
        run.ObjectsMatched.Should().Be(10_000);
        run.FilesWritten.Should().Be(4);
        _fixture.Runs.ListPartitions(run.JobId).Should().BeEmpty("a run's partitions go when it ends");
    }

    [Fact]
    public async Task APartitionedOrcReport_IsOneValidFilePerPartition_WhoseRowsInManifestOrderAreTheBucket()
    {
        Use(new InventoryRunnerOptions { PartitionRows = 2_000, Workers = 2 });
        await _fixture.CreateBucketsAsync();
        var keys = Enumerable.Range(0, 7_000).Select(i => $"k/{i:D5}").ToList();
        await _fixture.SeedEmptyObjectsAsync(keys);

        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("orc-parts", oneTime: true, format: InventoryFormat.Orc,
            fields: ["Size", "ETag"]));

        run.State.Should().Be(InventoryRunState.Succeeded);
        var files = Files(run);
        files.Should().HaveCount(4, "7,000 rows in partitions of at most 2,000");
        files.Should().AllSatisfy(f => f.Should().EndWith(".orc"));
        var rows = files.SelectMany(f => OrcFileReader.Read(_fixture.Read(f)).Rows).ToList();
        rows.Select(r => (string)r[2]!).Should().Equal(keys, "every row once, the partitions' files in key order");
        rows.Should().AllSatisfy(r => r[3].Should().Be(0L));
    }

    [Fact]
    public async Task ASmallBucket_IsOnePartition_AndItsReportOneFile()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.SeedEmptyObjectsAsync(Enumerable.Range(0, 5_000).Select(i => $"k{i:D5}"));

        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("small", oneTime: true));

        run.State.Should().Be(InventoryRunState.Succeeded);
        Files(run).Should().ContainSingle();
        ReportRows(run).Should().HaveCount(5_000);
    }

    [Fact]
    public async Task ThePartitionedSummary_EqualsTheSummaryOfTheSameBucketInOnePartition()
    {
        await _fixture.CreateBucketsAsync();
        foreach (var (key, size) in new[] { ("a/x/1", 10), ("a/y/2", 2_000), ("b/3", 70_000), ("c", 5), ("d/z/4", 1) })
        {
            await _fixture.PutAsync(key, new string('x', size));
        }

        await _fixture.SeedEmptyObjectsAsync(Enumerable.Range(0, 3_000).Select(i => $"e/{i % 7}/{i:D5}"));
        var whole = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("whole", oneTime: true));
        Use(new InventoryRunnerOptions { PartitionRows = 500, Workers = 2 }, keepData: true);
        var cut = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("cut", oneTime: true));

        Files(whole).Should().ContainSingle();
        Files(cut).Should().HaveCountGreaterThanOrEqualTo(6);
        var expected = ReportSummary.Decode(_fixture.Runs.GetSummary(InventoryFixture.Source, whole.JobId))!;
        var merged = ReportSummary.Decode(_fixture.Runs.GetSummary(InventoryFixture.Source, cut.JobId))!;
        merged.Should().BeEquivalentTo(expected, options => options.Excluding(s => s.ScanStart).WithStrictOrdering());
    }

    [Fact]
    public async Task EveryPartition_ReportsTheRunsInstant_WhileKeysAreOverwrittenDeletedAndRecreatedInEachOfThem_AndAWorkerDies()
    {
        // Four partitions of 1,500 rows; the runner dies once the first partition is done, the writes land in every
        // partition while the run is in flight (during the first attempt and between the attempts), and a second runner
        // finishes the partitions the dead one left, resuming after its cursor.
        const int Keys = 6_000;
        var owner = new CancellationTokenSource();
        var written = 0;
        Use(new InventoryRunnerOptions { PartitionRows = 1_500, Workers = 1, MaxPartBytes = 20_000, Lease = TimeSpan.FromMinutes(1) });
        await _fixture.CreateBucketsAsync();
        await _fixture.SeedEmptyObjectsAsync(Enumerable.Range(0, Keys).Select(i => $"k{i:D5}"));
        var queued = await _fixture.Configurations.PostOneTimeAsync(InventoryFixture.Source, InventoryFixture.Configuration("exact", oneTime: true));

        async Task ChangeEveryPartitionAsync(int round)
        {
            for (var partition = 0; partition < 4; partition++)
            {
                var first = (partition * 1_500) + (round * 10);
                await _fixture.PutAsync($"k{first:D5}", "overwritten with a longer body");
                await _fixture.Objects.DeleteObjectAsync(InventoryFixture.Source, $"k{first + 1:D5}");
                await _fixture.Objects.DeleteObjectAsync(InventoryFixture.Source, $"k{first + 2:D5}");
                await _fixture.PutAsync($"k{first + 2:D5}", "re-created");
                await _fixture.PutAsync($"k{first + 3:D5}-new", "new");
                await _fixture.Objects.PutObjectTaggingAsync(InventoryFixture.Source, $"k{first + 4:D5}", null, [new("t", "v")]);
            }
        }

        var dying = new InventoryRunner(_fixture.Objects, _fixture.Runs, new AccountDirectory([TestAccounts.Owner]), _fixture.Access, _fixture.Time,
            new InventoryRunnerOptions
            {
                PartitionRows = 1_500,
                Workers = 1,
                MaxPartBytes = 20_000,
                Lease = TimeSpan.FromMinutes(1),
                RowWritten = rows =>
                {
                    if (Interlocked.Increment(ref written) == 1)
                    {
                        ChangeEveryPartitionAsync(round: 0).GetAwaiter().GetResult();
                    }

                    if (rows == 1_500 + 700)
                    {
                        // Mid-way through the second partition, after some of its parts: the runner's process goes away.
                        owner.Cancel();
                        owner.Token.ThrowIfCancellationRequested();
                    }
                },
            });
        var claimed = await _fixture.Runs.ClaimNextAsync(dying.Options.Owner, dying.Options.Lease);
        var act = () => dying.RunAsync(claimed!, owner.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
        var left = _fixture.Runs.ListPartitions(queued.JobId);
        left.Should().HaveCount(4);
        left[0].IsDone.Should().BeTrue();
        var cursor = PartitionProgress.Decode(left[1].Progress);
        cursor.Parts.Should().NotBeEmpty("the second partition had finished parts when its worker died");
        await ChangeEveryPartitionAsync(round: 1);

        _fixture.Time.Advance(TimeSpan.FromMinutes(2));
        (await _fixture.Runner.RunPendingAsync()).Should().Be(1);
        var run = _fixture.Runs.Get(InventoryFixture.Source, queued.JobId);

        run.State.Should().Be(InventoryRunState.Succeeded);
        var files = Files(run);
        files.Should().Contain(cursor.Parts.Select(p => p.Key), "the parts the dead worker finished are kept");
        var rows = ReportRows(run);
        rows.Select(r => r[2]).Should().Equal(Enumerable.Range(0, Keys).Select(i => $"k{i:D5}"), "every key of the instant, exactly once");
        rows.Select(r => r[3]).Should().AllBe("0", "every size is the one the objects had at the run's instant");
        _fixture.DestinationKeys().Should().BeEquivalentTo([.. files, run.ManifestKey!, run.ManifestKey!.Replace("manifest.json", "manifest.checksum")],
            "nothing the dead worker was writing is left");
        _fixture.Objects.ListObjects(InventoryFixture.Source, new() { Prefix = "k00000" }).Objects.Single().Size.Should().Be(30, "the writes did happen");
    }

    [Fact]
    public async Task AFailureInOnePartition_FailsTheRun_AndRemovesTheFilesOfEveryPartition()
    {
        Use(new InventoryRunnerOptions
        {
            PartitionRows = 1_000,
            Workers = 2,
            MaxPartBytes = 5_000,
            RowWritten = rows =>
            {
                if (rows == 2_500)
                {
                    throw new CofferException(ErrorCode.InternalError, "simulated failure in one partition");
                }
            },
        });
        await _fixture.CreateBucketsAsync();
        await _fixture.SeedEmptyObjectsAsync(Enumerable.Range(0, 4_000).Select(i => $"k{i:D5}"));

        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("doomed", oneTime: true));

        run.State.Should().Be(InventoryRunState.Failed);
        run.ErrorMessage.Should().Be("simulated failure in one partition");
        _fixture.DestinationKeys().Should().BeEmpty("the parts every partition wrote are removed");
        _fixture.Runs.ListPartitions(run.JobId).Should().BeEmpty();
    }

    public void Dispose() => _fixture.Dispose();

    /// <summary>A fixture whose runner has <paramref name="options"/>: a fresh one, or over the same data folder.</summary>
    private void Use(InventoryRunnerOptions options, bool keepData = false)
    {
        if (keepData)
        {
            _fixture = _fixture.WithRunner(options);
            return;
        }

        _fixture.Dispose();
        _fixture = new InventoryFixture(options);
    }

    private List<string> Files(InventoryRun run) =>
        JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("key").GetString()!).ToList();

    private List<string[]> ReportRows(InventoryRun run) => Files(run).SelectMany(f => Csv.Parse(_fixture.ReadGzip(f))).ToList();

    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) => ObjectKey.CompareUtf8(x!, y!);
    }
}
