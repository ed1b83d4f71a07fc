using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Common;
using Coffer.Inventory.Running;
using Coffer.Model;
using Coffer.Model.Accounts;
using Coffer.Model.Buckets;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;
using Coffer.Testing;

namespace Coffer.Inventory.Tests;

public sealed class InventoryRunnerTests : IDisposable
{
    private InventoryFixture _fixture = new();

    [Fact]
    public async Task OneTimeRun_DeliversPartsManifestAndChecksum_ThatDescribeTheBucket()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.PutAsync("a b+c%.txt", "hello", r => r with
        {
            Tags = [new("team", "data"), new("stage", "raw zone")],
            UserMetadata = [new("color", "red \"crimson\"")],
            StorageClass = "STANDARD_IA",
        });
        await _fixture.PutAsync("dir/腾讯云", "");
        _fixture.Time.Advance(TimeSpan.FromMilliseconds(1_234));
        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("once", oneTime: true,
            fields: ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus", "Tag", "Crc64", "x-cos-meta-color"]));

        run.State.Should().Be(InventoryRunState.Succeeded);
        run.ManifestKey.Should().Be("reports/1250000000/source/once/20261122/manifest.json");
        var manifestBytes = _fixture.Read(run.ManifestKey!);
        Encoding.ASCII.GetString(_fixture.Read("reports/1250000000/source/once/20261122/manifest.checksum"))
            .Should().Be(Convert.ToHexStringLower(MD5.HashData(manifestBytes)));

        var manifest = JsonDocument.Parse(manifestBytes).RootElement;
        manifest.GetProperty("sourceAppid").GetString().Should().Be("1250000000");
        manifest.GetProperty("sourceBucket").GetString().Should().Be("source");
        manifest.GetProperty("destinationAppid").GetString().Should().Be("1250000000");
        manifest.GetProperty("destinationBucket").GetString().Should().Be("reports");
        manifest.GetProperty("version").GetString().Should().Be("2019-09-01");
        manifest.GetProperty("creationTimestamp").GetString().Should().Be("1795334401234", "the scan start (2026-11-22T08:00:01.234Z) in Unix milliseconds");
        manifest.GetProperty("fileFormat").GetString().Should().Be("CSV");
        manifest.GetProperty("fileSchema").GetString().Should().Be(
            "Appid, Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, Tag, Crc64, x-cos-meta-color");
        manifest.GetProperty("listObjectCount").GetString().Should().Be("2");
        manifest.GetProperty("filterStorageSize").GetString().Should().Be("5");
        var file = manifest.GetProperty("files").EnumerateArray().Single();
        var key = file.GetProperty("key").GetString()!;
        key.Should().MatchRegex("^reports/1250000000/source/once/[0-9a-f]{32}\\.csv\\.gz$");
        var part = _fixture.Read(key);
        file.GetProperty("size").GetString().Should().Be(part.Length.ToString());
        file.GetProperty("md5Checksum").GetString().Should().Be(Convert.ToHexStringLower(MD5.HashData(part)));

        var head = _fixture.Objects.HeadObject(InventoryFixture.Source, "a b+c%.txt");
        var rows = Csv.Parse(_fixture.ReadGzip(key));
        rows.Should().HaveCount(2);
        rows[0].Should().Equal("1250000000", "source", "a%20b%2Bc%25.txt", "5", HttpIso(head.LastModified), head.ETag, "STANDARD_IA", "false", "",
            "team=data&stage=raw%20zone", Crc64.Compute("hello"u8).ToString(), "red%20%22crimson%22");
        rows[1][2].Should().Be(UrlEncoding.Encode("dir/腾讯云"));
        rows[1][3].Should().Be("0");
        rows[1][10].Should().Be("0", "the CRC-64 of nothing");
        rows[1][11].Should().BeEmpty("an object without the metadata has an empty cell");
    }

    [Fact]
    public async Task AllVersions_ReportsEveryVersionAndDeleteMarker_NewestFirst()
    {
        await _fixture.CreateBucketsAsync(BucketVersioning.Enabled);
        var v1 = await _fixture.PutAsync("k", "one");
        var v2 = await _fixture.PutAsync("k", "two");
        var marker = await _fixture.Objects.DeleteObjectAsync(InventoryFixture.Source, "k");
        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("all", oneTime: true, versions: IncludedVersions.All,
            fields: ["Size", "ETag", "StorageClass"]));

        var rows = ReportRows(run);
        rows.Select(r => (r[2], r[3], r[4], r[5], r[6], r[7])).Should().Equal(
            ("k", marker.VersionId!, "true", "true", "", ""),
            ("k", v2.VersionId, "false", "false", "3", v2.ETag),
            ("k", v1.VersionId, "false", "false", "3", v1.ETag));
        rows[0][8].Should().BeEmpty("a delete marker has no storage class");
    }

    [Fact]
    public async Task Filters_KeepOnlyObjectsWithThePrefixEveryTagThePeriodAndTheStorageClass()
    {
        await _fixture.CreateBucketsAsync();
        var created = _fixture.Time.GetUtcNow().ToUnixTimeSeconds();
        await _fixture.PutAsync("logs/match", "1", r => r with { Tags = [new("a", "1"), new("b", "2")], StorageClass = "STANDARD_IA" });
        await _fixture.PutAsync("logs/one-tag", "1", r => r with { Tags = [new("a", "1")], StorageClass = "STANDARD_IA" });
        await _fixture.PutAsync("logs/other-class", "1", r => r with { Tags = [new("a", "1"), new("b", "2")] });
        await _fixture.PutAsync("other/match", "1", r => r with { Tags = [new("a", "1"), new("b", "2")], StorageClass = "STANDARD_IA" });
        _fixture.Time.Advance(TimeSpan.FromDays(2));
        await _fixture.PutAsync("logs/too-late", "1", r => r with { Tags = [new("a", "1"), new("b", "2")], StorageClass = "STANDARD_IA" });

        var filter = new InventoryFilter
        {
            Shape = FilterShape.And,
            Prefix = "logs/",
            Tags = [new("a", "1"), new("b", "2")],
            StorageClass = "STANDARD_IA",
            HasPeriod = true,
            PeriodStart = created - 10,
            PeriodEnd = created + 3600,
        };
        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("filtered", oneTime: true, filter: filter, fields: ["Tag"]));
        ReportRows(run).Select(r => r[2]).Should().Equal(UrlEncoding.Encode("logs/match"));
        run.ObjectsScanned.Should().Be(4, "the prefix bounds the scan");
        run.ObjectsMatched.Should().Be(1);
    }

    [Theory]
    [InlineData(true, true, "at-start,inside,at-end")]
    [InlineData(true, false, "at-start,inside,at-end,after")]
    [InlineData(false, true, "before,at-start,inside,at-end")]
    public async Task PeriodFilter_KeepsObjectsCreatedFromStartTimeToEndTime_BothInclusive(bool withStart, bool withEnd, string expected)
    {
        await _fixture.CreateBucketsAsync();
        var start = _fixture.Time.GetUtcNow().ToUnixTimeSeconds() + 10;
        var end = start + 100;
        foreach (var (key, at) in new[] { ("before", start - 1), ("at-start", start), ("inside", start + 50), ("at-end", end), ("after", end + 1) })
        {
            _fixture.Time.Set(DateTimeOffset.FromUnixTimeSeconds(at).AddMilliseconds(500));
            await _fixture.PutAsync(key, "1");
        }

        var filter = new InventoryFilter
        {
            Shape = FilterShape.And,
            HasPeriod = true,
            PeriodStart = withStart ? start : null,
            PeriodEnd = withEnd ? end : null,
        };
        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("period", oneTime: true, filter: filter));
        ReportRows(run).Select(r => r[2]).Order(StringComparer.Ordinal).Should().Equal(expected.Split(',').Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task LargeReports_SplitIntoSizeBoundedParts_ThatTheManifestListsInOrder()
    {
        _fixture.Dispose();
        _fixture = new InventoryFixture(new InventoryRunnerOptions { MaxPartBytes = 2_000 });
        await _fixture.CreateBucketsAsync();
        for (var i = 0; i < 200; i++)
        {
            await _fixture.PutAsync($"object-{i:D4}", "x");
        }

        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("parts", oneTime: true));
        var files = Files(run);
        files.Should().HaveCountGreaterThan(5);
        run.FilesWritten.Should().Be(files.Count);
        var keys = new List<string>();
        foreach (var (key, size, md5) in files)
        {
            var part = _fixture.Read(key);
            ((long)part.Length).Should().Be(size);
            Convert.ToHexStringLower(MD5.HashData(part)).Should().Be(md5);
            var rows = Csv.Parse(_fixture.ReadGzip(key));
            Encoding.UTF8.GetByteCount(string.Join("", rows.Select(r => string.Join(",", r.Select(f => $"\"{f}\"")) + "\n")))
                .Should().BeLessThan(2_000 + 200, "a part ends at the first row past the bound");
            keys.AddRange(rows.Select(r => r[2]));
        }

        keys.Should().Equal(Enumerable.Range(0, 200).Select(i => $"object-{i:D4}"));
    }

    [Fact]
    public async Task WritesDuringTheScan_NeitherAppearInNorTearTheReport()
    {
        // More objects than the scan reads ahead of the encoder (a batch of 1,024 rows being encoded, two waiting, one
        // being filled), so that the writes below commit while the scan is still reading.
        const int Fillers = 6_000;
        await _fixture.CreateBucketsAsync();
        var kept = await _fixture.PutAsync("b-kept", "kept");
        await _fixture.SeedEmptyObjectsAsync(Enumerable.Range(0, Fillers).Select(i => $"f-{i:D5}"));
        var replaced = await _fixture.PutAsync("m-replaced", "old");
        var deleted = await _fixture.PutAsync("z-deleted", "gone soon");

        var walk = WalkWatcher.Wrap(_fixture.Objects);
        (long Rows, bool Ended)? scanAtWrites = null;
        var runner = new InventoryRunner(walk.Objects, _fixture.Runs, new AccountDirectory([TestAccounts.Owner]), _fixture.Access, _fixture.Time,
            new InventoryRunnerOptions
            {
                RowWritten = rows =>
                {
                    if (rows == 1)
                    {
                        // The first row reached the encoder: change the bucket under the scan, and wait for those writes to commit.
                        Task.Run(async () =>
                        {
                            await _fixture.PutAsync("a-new", "new");
                            await _fixture.PutAsync("m-replaced", "a longer new body");
                            await _fixture.Objects.DeleteObjectAsync(InventoryFixture.Source, "z-deleted");
                            await _fixture.PutAsync("zz-new", "new");
                        }).GetAwaiter().GetResult();
                        scanAtWrites = (walk.Watcher.Rows, walk.Watcher.Ended);
                    }
                },
            });
        var queued = await _fixture.Configurations.PostOneTimeAsync(InventoryFixture.Source,
            InventoryFixture.Configuration("snapshot", oneTime: true, fields: ["Size", "ETag"]));
        await runner.RunPendingAsync();
        var run = _fixture.Runs.Get(InventoryFixture.Source, queued.JobId);

        scanAtWrites.Should().NotBeNull();
        scanAtWrites!.Value.Ended.Should().BeFalse("the writes committed while the scan was still reading");
        scanAtWrites.Value.Rows.Should().BeLessThanOrEqualTo(1 + Fillers, "the scan had not reached m-replaced when it changed");
        run.State.Should().Be(InventoryRunState.Succeeded);
        run.ObjectsScanned.Should().Be(Fillers + 3);
        ReportRows(run).Select(r => (r[2], r[3], r[4])).Should().Equal(
            [
                ("b-kept", "4", kept.ETag),
                .. Enumerable.Range(0, Fillers).Select(i => ($"f-{i:D5}", "0", InventoryFixture.EmptyETag)),
                ("m-replaced", "3", replaced.ETag),
                ("z-deleted", "9", deleted.ETag),
            ],
            "the report is the bucket as the scan found it when it started");
        new[] { "a", "m", "z" }.SelectMany(p => _fixture.Objects.ListObjects(InventoryFixture.Source, new() { Prefix = p }).Objects)
            .Select(o => (o.Key, o.Size)).Should().Equal([("a-new", 3L), ("m-replaced", 17L), ("zz-new", 3L)], "the writes did happen");
    }

    [Fact]
    public async Task AFailedRun_LeavesNothingInTheDestination()
    {
        _fixture.Dispose();
        _fixture = new InventoryFixture(new InventoryRunnerOptions
        {
            MaxPartBytes = 100,
            RowWritten = rows =>
            {
                if (rows == 30)
                {
                    throw new CofferException(ErrorCode.InternalError, "simulated failure mid-run");
                }
            },
        });
        await _fixture.CreateBucketsAsync();
        for (var i = 0; i < 50; i++)
        {
            await _fixture.PutAsync($"k{i:D2}", "x");
        }

        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("doomed", oneTime: true));
        run.State.Should().Be(InventoryRunState.Failed);
        run.ErrorCode.Should().Be("InternalError");
        run.ErrorMessage.Should().Be("simulated failure mid-run");
        run.ManifestKey.Should().BeNull();
        _fixture.DestinationKeys().Should().BeEmpty("the parts written before the failure are removed");
    }

    [Fact]
    public async Task ARunWhoseRunnerDied_IsTakenOverAfterItsLease_KeepsTheFinishedParts_AndEndsWithOneCompleteReport()
    {
        var dying = true;
        using var dead = new CancellationTokenSource();
        _fixture.Dispose();
        _fixture = new InventoryFixture(new InventoryRunnerOptions
        {
            MaxPartBytes = 100,
            Lease = TimeSpan.FromMinutes(1),
            RowWritten = rows =>
            {
                if (dying && rows == 20)
                {
                    // The runner's process goes away mid-scan: nothing of its own finishes or cleans up.
                    dead.Cancel();
                    dead.Token.ThrowIfCancellationRequested();
                }
            },
        });
        await _fixture.CreateBucketsAsync();
        for (var i = 0; i < 40; i++)
        {
            await _fixture.PutAsync($"k{i:D2}", "x");
        }

        var queued = await _fixture.Configurations.PostOneTimeAsync(InventoryFixture.Source, InventoryFixture.Configuration("resume", oneTime: true));
        var claimed = await _fixture.Runs.ClaimNextAsync(_fixture.Runner.Options.Owner, _fixture.Runner.Options.Lease);
        var act = () => _fixture.Runner.RunAsync(claimed!, dead.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();

        var finished = _fixture.DestinationKeys();
        finished.Should().NotBeEmpty("the dead attempt had finished parts");
        (await _fixture.Runner.RunPendingAsync()).Should().Be(0, "the lease still holds");

        dying = false;
        _fixture.Time.Advance(TimeSpan.FromMinutes(2));
        (await _fixture.Runner.RunPendingAsync()).Should().Be(1);
        var run = _fixture.Runs.Get(InventoryFixture.Source, queued.JobId);
        run.State.Should().Be(InventoryRunState.Succeeded);
        var files = Files(run).Select(f => f.Key).ToArray();
        _fixture.DestinationKeys().Should().BeEquivalentTo([.. files, run.ManifestKey!, run.ManifestKey!.Replace("manifest.json", "manifest.checksum")]);
        files.Should().Contain(finished, "the parts the dead attempt finished are kept, and the next one resumed after them");
        ReportRows(run).Select(r => r[2]).Should().Equal(Enumerable.Range(0, 40).Select(i => $"k{i:D2}"), "every row exactly once");
    }

    [Theory]
    [InlineData(".csv.gz")]
    [InlineData("manifest.json")]
    public async Task ARunnerKilledRightAfterAWriteCommitted_LeavesNoOrphan_OnceTakenOver(string killedAfter)
    {
        var owner = new CancellationTokenSource();
        await _fixture.CreateBucketsAsync();
        for (var i = 0; i < 40; i++)
        {
            await _fixture.PutAsync($"k{i:D2}", "x");
        }

        var queued = await _fixture.Configurations.PostOneTimeAsync(InventoryFixture.Source, InventoryFixture.Configuration("killed", oneTime: true));
        var dying = new InventoryRunner(KilledAfterPut.Wrap(_fixture.Objects, killedAfter, owner), _fixture.Runs,
            new AccountDirectory([TestAccounts.Owner]), _fixture.Access, _fixture.Time, new InventoryRunnerOptions { MaxPartBytes = 100, Lease = TimeSpan.FromMinutes(1) });
        var claimed = await _fixture.Runs.ClaimNextAsync(dying.Options.Owner, dying.Options.Lease);
        var act = () => dying.RunAsync(claimed!, owner.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
        _fixture.DestinationKeys().Should().Contain(k => k.EndsWith(killedAfter), "the write committed before the process went away");

        _fixture.Time.Advance(TimeSpan.FromMinutes(2));
        (await _fixture.Runner.RunPendingAsync()).Should().Be(1);
        var run = _fixture.Runs.Get(InventoryFixture.Source, queued.JobId);
        run.State.Should().Be(InventoryRunState.Succeeded);
        _fixture.DestinationKeys().Should().BeEquivalentTo(
            [.. Files(run).Select(f => f.Key), run.ManifestKey!, run.ManifestKey!.Replace("manifest.json", "manifest.checksum")],
            "what the killed attempt wrote without recording it is gone too");
        ReportRows(run).Should().HaveCount(40);
    }

    [Fact]
    public async Task AnIncrementalRunTakenOverAfterItsRunnerDied_RemovesTheDeadAttemptsFiles_AndReportsEveryChangeOnce()
    {
        var owner = new CancellationTokenSource();
        await _fixture.CreateBucketsAsync();
        for (var i = 0; i < 40; i++)
        {
            await _fixture.PutAsync($"k{i:D2}", "x");
        }

        await _fixture.Configurations.PutAsync(InventoryFixture.Source,
            InventoryFixture.Configuration("changes") with { Report = new ChangeReport(ReportKind.Incremental) });
        await _fixture.Runs.EnqueueAsync(InventoryFixture.Source, "changes", InventoryTrigger.Manual, _fixture.Time.GetUtcNow());
        (await _fixture.Runner.RunPendingAsync()).Should().Be(1, "the first run has nothing to start from: a full report");
        var before = _fixture.DestinationKeys();
        for (var i = 0; i < 10; i++)
        {
            await _fixture.PutAsync($"k{i:D2}", "changed");
        }

        _fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var queued = await _fixture.Runs.EnqueueAsync(InventoryFixture.Source, "changes", InventoryTrigger.Manual, _fixture.Time.GetUtcNow());
        var dying = new InventoryRunner(KilledAfterPut.Wrap(_fixture.Objects, ".csv.gz", owner), _fixture.Runs,
            new AccountDirectory([TestAccounts.Owner]), _fixture.Access, _fixture.Time, new InventoryRunnerOptions { MaxPartBytes = 100, Lease = TimeSpan.FromMinutes(1) });
        var claimed = await _fixture.Runs.ClaimNextAsync(dying.Options.Owner, dying.Options.Lease);
        var act = () => dying.RunAsync(claimed!, owner.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
        _fixture.DestinationKeys().Except(before).Should().NotBeEmpty("the dead attempt stored a file of the incremental report");
        _fixture.Runs.ListPartitions(queued.JobId).Should().BeEmpty("an incremental run is not partitioned");

        _fixture.Time.Advance(TimeSpan.FromMinutes(2));
        (await _fixture.Runner.RunPendingAsync()).Should().Be(1);
        var run = _fixture.Runs.Get(InventoryFixture.Source, queued.JobId);
        run.State.Should().Be(InventoryRunState.Succeeded);
        _fixture.DestinationKeys().Except(before).Should().BeEquivalentTo(
            [.. Files(run).Select(f => f.Key), run.ManifestKey!, run.ManifestKey!.Replace("manifest.json", "manifest.checksum")],
            "what the dead attempt wrote is gone");
        var rows = ReportRows(run);
        rows.Select(r => r[0]).Should().OnlyHaveUniqueItems("every change is reported once");
        rows.Select(r => r[5]).Distinct().Should().BeEquivalentTo(Enumerable.Range(0, 10).Select(i => $"k{i:D2}"));
        rows.Select(r => r[5]).Should().OnlyHaveUniqueItems("a current-versions report has a row per changed key");
        rows.Select(r => r[1]).Should().AllBe("Updated", "each key was overwritten");
    }

    [Fact]
    public async Task ARunTakenOverAfterItsRunnerDied_ReportsTheBucketAtTheInstantItWasFirstClaimed()
    {
        var owner = new CancellationTokenSource();
        await _fixture.CreateBucketsAsync();
        for (var i = 0; i < 40; i++)
        {
            await _fixture.PutAsync($"k{i:D2}", "x");
        }

        var queued = await _fixture.Configurations.PostOneTimeAsync(InventoryFixture.Source, InventoryFixture.Configuration("pinned", oneTime: true));
        var dying = new InventoryRunner(KilledAfterPut.Wrap(_fixture.Objects, ".csv.gz", owner), _fixture.Runs,
            new AccountDirectory([TestAccounts.Owner]), _fixture.Access, _fixture.Time, new InventoryRunnerOptions { MaxPartBytes = 100, Lease = TimeSpan.FromMinutes(1) });
        var claimed = await _fixture.Runs.ClaimNextAsync(dying.Options.Owner, dying.Options.Lease);
        var act = () => dying.RunAsync(claimed!, owner.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();

        // Between the attempts: an overwrite, a delete, a delete and re-create, a new key, a retag.
        await _fixture.PutAsync("k00", "longer");
        await _fixture.Objects.DeleteObjectAsync(InventoryFixture.Source, "k01");
        await _fixture.Objects.DeleteObjectAsync(InventoryFixture.Source, "k02");
        await _fixture.PutAsync("k02", "recreated");
        await _fixture.PutAsync("k99", "new");
        await _fixture.Objects.PutObjectTaggingAsync(InventoryFixture.Source, "k03", null, [new("t", "v")]);

        _fixture.Time.Advance(TimeSpan.FromMinutes(2));
        (await _fixture.Runner.RunPendingAsync()).Should().Be(1);
        var run = _fixture.Runs.Get(InventoryFixture.Source, queued.JobId);
        run.State.Should().Be(InventoryRunState.Succeeded);
        var rows = ReportRows(run);
        rows.Select(r => r[2]).Should().Equal(Enumerable.Range(0, 40).Select(i => $"k{i:D2}"), "the report is of the instant the run was claimed at");
        rows.Select(r => r[3]).Should().AllBe("1", "every size is the one the objects had then");
    }

    [Fact]
    public async Task S3Configurations_UseTheS3LayoutManifestAndHiveSymlink()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.PutAsync("k", "v");
        await _fixture.Configurations.PutAsync(InventoryFixture.Source,
            InventoryFixture.Configuration("s3", dialect: InventoryDialect.S3, fields: ["Size", "EncryptionStatus"], encryption: InventoryEncryption.SseS3));
        var queued = await _fixture.Runs.EnqueueAsync(InventoryFixture.Source, "s3", InventoryTrigger.Manual, _fixture.Time.GetUtcNow());
        _fixture.Time.Advance(TimeSpan.FromMilliseconds(1_234));
        await _fixture.Runner.RunPendingAsync();
        var run = _fixture.Runs.Get(InventoryFixture.Source, queued.JobId);

        run.ManifestKey.Should().Be("reports/source-1250000000/s3/2026-11-22T08-00Z/manifest.json");
        var manifest = JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement;
        manifest.GetProperty("sourceBucket").GetString().Should().Be("source-1250000000");
        manifest.GetProperty("destinationBucket").GetString().Should().Be("arn:aws:s3:::reports-1250000000");
        manifest.GetProperty("version").GetString().Should().Be("2016-11-30");
        manifest.GetProperty("creationTimestamp").GetString().Should().Be("1795334401234", "the scan start (2026-11-22T08:00:01.234Z) in Unix milliseconds");
        manifest.GetProperty("fileSchema").GetString().Should().Be("Bucket, Key, Size, EncryptionStatus");
        var file = manifest.GetProperty("files").EnumerateArray().Single();
        var key = file.GetProperty("key").GetString()!;
        key.Should().MatchRegex("^reports/source-1250000000/s3/data/[0-9a-f-]{36}\\.csv\\.gz$");
        file.GetProperty("size").GetInt64().Should().Be(_fixture.Read(key).Length);
        file.GetProperty("MD5checksum").GetString().Should().Be(Convert.ToHexStringLower(MD5.HashData(_fixture.Read(key))));
        Encoding.UTF8.GetString(_fixture.Read("reports/source-1250000000/s3/hive/dt=2026-11-22-08-00/symlink.txt"))
            .Should().Be($"s3://reports-1250000000/{key}\n");
        Csv.Parse(_fixture.ReadGzip(key)).Single().Should().Equal("source-1250000000", "k", "1", "NOT-SSE");
        _fixture.Objects.HeadObject(InventoryFixture.Destination, key).Encryption.Should().Be("AES256", "the configuration asked for SSE-S3");
    }

    [Fact]
    public async Task ALaterRun_NeverOverwritesAnEarlierRunsManifest()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.Configurations.PutAsync(InventoryFixture.Source, InventoryFixture.Configuration("twice"));
        foreach (var _ in Enumerable.Range(0, 3))
        {
            await _fixture.Runs.EnqueueAsync(InventoryFixture.Source, "twice", InventoryTrigger.Manual, _fixture.Time.GetUtcNow());
            await _fixture.Runner.RunPendingAsync();
        }

        _fixture.Runs.List(InventoryFixture.Source, "twice", 10).Select(r => r.ManifestKey).Should().BeEquivalentTo(
            "reports/1250000000/source/twice/20261122/manifest.json",
            "reports/1250000000/source/twice/20261122-2/manifest.json",
            "reports/1250000000/source/twice/20261122-3/manifest.json");
    }

    [Fact]
    public async Task ALaterS3Run_TakesTheNextFreeMinute_WhenItsMinuteHoldsAManifest()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.Configurations.PutAsync(InventoryFixture.Source, InventoryFixture.Configuration("twice", dialect: InventoryDialect.S3));
        var runs = new List<InventoryRun>();
        byte[]? firstManifest = null;
        foreach (var _ in Enumerable.Range(0, 3))
        {
            var queued = await _fixture.Runs.EnqueueAsync(InventoryFixture.Source, "twice", InventoryTrigger.Manual, _fixture.Time.GetUtcNow());
            await _fixture.Runner.RunPendingAsync();
            runs.Add(_fixture.Runs.Get(InventoryFixture.Source, queued.JobId));
            firstManifest ??= _fixture.Read(runs[0].ManifestKey!);
        }

        runs.Select(r => r.ManifestKey).Should().Equal(
            "reports/source-1250000000/twice/2026-11-22T08-00Z/manifest.json",
            "reports/source-1250000000/twice/2026-11-22T08-01Z/manifest.json",
            "reports/source-1250000000/twice/2026-11-22T08-02Z/manifest.json");
        _fixture.DestinationKeys().Where(k => k.EndsWith("/symlink.txt", StringComparison.Ordinal)).Should().Equal(
            "reports/source-1250000000/twice/hive/dt=2026-11-22-08-00/symlink.txt",
            "reports/source-1250000000/twice/hive/dt=2026-11-22-08-01/symlink.txt",
            "reports/source-1250000000/twice/hive/dt=2026-11-22-08-02/symlink.txt");
        _fixture.Read(runs[0].ManifestKey!).Should().Equal(firstManifest, "the first run's manifest is left as it was");
    }

    [Fact]
    public async Task AMissingDestination_FailsTheRunWithNoSuchBucket()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.Configurations.PutAsync(InventoryFixture.Source, InventoryFixture.Configuration("orphan"));
        await _fixture.Objects.DeleteBucketAsync(InventoryFixture.Destination);
        var queued = await _fixture.Runs.EnqueueAsync(InventoryFixture.Source, "orphan", InventoryTrigger.Manual, _fixture.Time.GetUtcNow());
        await _fixture.Runner.RunPendingAsync();
        var run = _fixture.Runs.Get(InventoryFixture.Source, queued.JobId);
        run.State.Should().Be(InventoryRunState.Failed);
        run.ErrorCode.Should().Be("NoSuchBucket");
    }

    public void Dispose() => _fixture.Dispose();

    /// <summary>The real object service, with what a test needs to see or break added to one method's result.</summary>
    public abstract class ObjectServiceProxy : DispatchProxy
    {
        protected IObjectService Target { get; private set; } = null!;

        protected static (IObjectService Proxy, TProxy Self) Create<TProxy>(IObjectService target)
            where TProxy : ObjectServiceProxy
        {
            var proxy = Create<IObjectService, TProxy>();
            var self = (TProxy)(object)proxy;
            self.Target = target;
            return (proxy, self);
        }

        protected abstract object? After(MethodInfo method, object? result);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            try
            {
                return After(targetMethod!, targetMethod!.Invoke(Target, args));
            }
            catch (TargetInvocationException error) when (error.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(error.InnerException);
                throw;
            }
        }
    }

    /// <summary>
    /// The real object service, except that the process "dies" (its token is cancelled) the moment the first PUT of a
    /// key ending in the given suffix has committed: the write is durable, the runner never learns its version.
    /// </summary>
    public class KilledAfterPut : ObjectServiceProxy
    {
        private string _suffix = "";
        private CancellationTokenSource _process = null!;

        public static IObjectService Wrap(IObjectService target, string suffix, CancellationTokenSource process)
        {
            var (proxy, killer) = Create<KilledAfterPut>(target);
            (killer._suffix, killer._process) = (suffix, process);
            return proxy;
        }

        protected override object? After(MethodInfo method, object? result) =>
            method.Name == nameof(IObjectService.PutObjectAsync) ? DieAfter((Task<ObjectInfo>)result!) : result;

        private async Task<ObjectInfo> DieAfter(Task<ObjectInfo> put)
        {
            var stored = await put;
            if (stored.Key.EndsWith(_suffix, StringComparison.Ordinal) && !_process.IsCancellationRequested)
            {
                await _process.CancelAsync();
                _process.Token.ThrowIfCancellationRequested();
            }

            return stored;
        }
    }

    /// <summary>The real object service, counting the rows its walks have read so far (on the scan's thread) and whether one ended.</summary>
    public class WalkWatcher : ObjectServiceProxy
    {
        private long _rows;
        private int _ended;

        public long Rows => Interlocked.Read(ref _rows);

        public bool Ended => Volatile.Read(ref _ended) == 1;

        public static (IObjectService Objects, WalkWatcher Watcher) Wrap(IObjectService target) => Create<WalkWatcher>(target);

        protected override object? After(MethodInfo method, object? result) =>
            method.Name == nameof(IObjectService.Walk) ? Counted((IEnumerable<ObjectInfo>)result!) : result;

        private IEnumerable<ObjectInfo> Counted(IEnumerable<ObjectInfo> rows)
        {
            foreach (var row in rows)
            {
                Interlocked.Increment(ref _rows);
                yield return row;
            }

            Volatile.Write(ref _ended, 1);
        }
    }

    private List<(string Key, long Size, string Md5)> Files(InventoryRun run)
    {
        var manifest = JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement;
        var cos = run.Configuration.Dialect == InventoryDialect.Cos;
        return manifest.GetProperty("files").EnumerateArray().Select(f => (
            f.GetProperty("key").GetString()!,
            cos ? long.Parse(f.GetProperty("size").GetString()!) : f.GetProperty("size").GetInt64(),
            f.GetProperty(cos ? "md5Checksum" : "MD5checksum").GetString()!)).ToList();
    }

    private List<string[]> ReportRows(InventoryRun run) =>
        Files(run).SelectMany(f => Csv.Parse(_fixture.ReadGzip(f.Key))).ToList();

    private static string HttpIso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
}
