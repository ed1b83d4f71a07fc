using System.Text;
using System.Text.Json;
using Coffer.Common.Lifecycle;
using Coffer.Inventory.Running;
using Coffer.Model.Buckets;
using Coffer.Model.Inventory;
using Coffer.Model.Lifecycle;
using Coffer.Model.Multipart;
using Coffer.Storage.Records;

namespace Coffer.Inventory.Tests;

/// <summary>
/// Lifecycle over a 100,000-object bucket with the clock driven by hand, seen through inventory: the report before the
/// pass says when each object expires, the pass expires and transitions exactly the objects its rules cover, and the
/// report after it lists what is left, in the class it was moved to.
/// </summary>
public sealed class LifecycleInventoryTests : IDisposable
{
    private const int PerPrefix = 50_000;
    private readonly InventoryFixture _fixture;
    private readonly BucketSettings _settings;

    public LifecycleInventoryTests()
    {
        BucketSettings? settings = null;
        _fixture = new InventoryFixture(new InventoryRunnerOptions { Lifecycle = bucket => settings!.FindLifecycle(bucket) });
        settings = new BucketSettings(_fixture.Engine.Metadata, _fixture.Time);
        _settings = settings;
    }

    [Fact]
    public async Task ALifecyclePass_OverAHundredThousandObjects_ExpiresOnePrefix_AndTransitionsTheOther_AsTheReportsBeforeAndAfterShow()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.SeedEmptyObjectsAsync(Enumerable.Range(0, PerPrefix).Select(i => $"logs/{i:D6}"));
        await _fixture.SeedEmptyObjectsAsync(Enumerable.Range(0, PerPrefix).Select(i => $"data/{i:D6}"));
        await _settings.PutLifecycleAsync(InventoryFixture.Source, new LifecycleConfiguration(
        [
            new LifecycleRule { Id = "logs", Enabled = true, Filter = new LifecycleFilter { Prefix = "logs/" }, Expiration = new LifecycleExpiration(1, null) },
            new LifecycleRule { Id = "data", Enabled = true, Filter = new LifecycleFilter { Prefix = "data/" }, Transitions = [new LifecycleTransition(1, null, "GLACIER")] },
        ]));

        // Rows: Bucket, Key, Size, StorageClass, LifecycleExpirationDate.
        var before = await ReportAsync("before");
        before.Should().HaveCount(2 * PerPrefix);
        // Written at 08:00 on the 22nd, one day: due at midnight on the 24th.
        before.Where(r => Key(r).StartsWith("logs/", StringComparison.Ordinal)).Select(r => (r[3], r[4])).Distinct().Should().Equal(("STANDARD", "2026-11-24T00:00:00.000Z"));
        before.Where(r => Key(r).StartsWith("data/", StringComparison.Ordinal)).Select(r => (r[3], r[4])).Distinct().Should().Equal(("STANDARD", ""));

        _fixture.Time.Advance(TimeSpan.FromDays(2));
        var worker = new LifecycleWorker(_fixture.Engine, _settings, _fixture.Time, new LifecycleOptions());
        var pass = (await worker.RunDueAsync()).Should().ContainSingle().Subject;
        (pass.KeysScanned, pass.Expired, pass.Transitioned).Should().Be((2 * PerPrefix, PerPrefix, PerPrefix));
        (await worker.RunDueAsync()).Should().BeEmpty("the bucket's pass ran today");

        var after = await ReportAsync("after");
        after.Should().HaveCount(PerPrefix);
        after.Should().OnlyContain(r => Key(r).StartsWith("data/", StringComparison.Ordinal) && r[2] == "0" && r[3] == "GLACIER" && r[4] == "");
    }

    [Fact]
    public async Task Lifecycle_OnAVersionedHundredThousandObjectBucket_ExpiresMarksAndAborts_ExactlyWhatTheReportsBeforeAndAfterShow()
    {
        const int logs = 30_000, old = 20_000, data = 50_000;
        await _fixture.CreateBucketsAsync(BucketVersioning.Enabled);
        await SeedAsync(logs, old, data);
        var staleUploads = new[]
        {
            await _fixture.Objects.CreateMultipartUploadAsync(new CreateMultipartUploadRequest { Bucket = InventoryFixture.Source, Key = "tmp/stale-1" }),
            await _fixture.Objects.CreateMultipartUploadAsync(new CreateMultipartUploadRequest { Bucket = InventoryFixture.Source, Key = "tmp/stale-2" }),
        };
        await _settings.PutLifecycleAsync(InventoryFixture.Source, new LifecycleConfiguration(
        [
            new LifecycleRule { Id = "logs", Enabled = true, Filter = new LifecycleFilter { Prefix = "logs/" }, Expiration = new LifecycleExpiration(1, null) },
            new LifecycleRule { Id = "old", Enabled = true, Filter = new LifecycleFilter { Prefix = "old/" }, NoncurrentVersionExpiration = new NoncurrentVersionAction(1, null) },
            new LifecycleRule { Id = "tmp", Enabled = true, Filter = new LifecycleFilter { Prefix = "tmp/" }, AbortIncompleteMultipartUploadDays = 1 },
        ]));

        // Before: every version, and when each current one expires (logs/ only: written at 08:00 on the 22nd, one day).
        var before = await AllVersionsReportAsync("before");
        (before.Count, before.Sum(k => k.Rows.Count)).Should().Be((logs + old + data, logs + 2 * old + data));
        Mismatches(before, key => Prefix(key) switch
        {
            "logs/" => [new Row("null", true, false, "2026-11-24T00:00:00.000Z")],
            "old/" => [new Row(OldCurrentVersion(key), true, false, ""), new Row("null", false, false, "")],
            _ => [new Row("null", true, false, "")],
        }).Should().BeEmpty();

        // Two days on, a new upload under tmp/ that is not stale yet, and the pass.
        _fixture.Time.Advance(TimeSpan.FromDays(2));
        var fresh = await _fixture.Objects.CreateMultipartUploadAsync(new CreateMultipartUploadRequest { Bucket = InventoryFixture.Source, Key = "tmp/fresh" });
        var worker = new LifecycleWorker(_fixture.Engine, _settings, _fixture.Time, new LifecycleOptions());
        var pass = (await worker.RunDueAsync()).Should().ContainSingle().Subject;
        (pass.KeysScanned, pass.Expired, pass.VersionsDeleted, pass.UploadsAborted).Should().Be(((long)logs + old, (long)logs, (long)old, 2L),
            "only the ranges under the rules' prefixes are read: data/ is not");

        // After: a delete marker on every logs/ key over its version, old/ keys without their noncurrent version, data/ as it was.
        var after = await AllVersionsReportAsync("after");
        (after.Count, after.Sum(k => k.Rows.Count)).Should().Be((logs + old + data, 2 * logs + old + data));
        Mismatches(after, (key, rows) => Prefix(key) switch
        {
            // The marker's version id is new: taken from the row, once it is not the null version's.
            "logs/" => [new Row(rows[0].VersionId == "null" ? "a new id" : rows[0].VersionId, true, true, ""), new Row("null", false, false, "")],
            "old/" => [new Row(OldCurrentVersion(key), true, false, "")],
            _ => [new Row("null", true, false, "")],
        }).Should().BeEmpty();

        _fixture.Objects.ListMultipartUploads(InventoryFixture.Source, new ListUploadsQuery()).Uploads.Select(u => u.UploadId)
            .Should().Equal([fresh.UploadId], "the stale uploads ({0}) were aborted", string.Join(", ", staleUploads.Select(u => u.UploadId)));
    }

    public void Dispose() => _fixture.Dispose();

    private static string Prefix(string key) => key[..(key.IndexOf('/') + 1)];

    /// <summary>The keys whose rows are not the expected ones, each with what the report says (at most ten).</summary>
    private static List<string> Mismatches(List<(string Key, List<Row> Rows)> report, Func<string, Row[]> expected) =>
        Mismatches(report, (key, _) => expected(key));

    private static List<string> Mismatches(List<(string Key, List<Row> Rows)> report, Func<string, List<Row>, Row[]> expected) =>
        report.Where(k => !k.Rows.SequenceEqual(expected(k.Key, k.Rows))).Take(10)
            .Select(k => $"{k.Key}: {string.Join("; ", k.Rows)}").ToList();

    /// <summary>One row of an all-versions S3 report, as far as lifecycle changes it.</summary>
    private sealed record Row(string VersionId, bool IsLatest, bool IsDeleteMarker, string Expires);

    /// <summary>The current version id seeded for an <c>old/</c> key (base64 of a decimal, as Coffer's ids are).</summary>
    private static string OldCurrentVersion(string key) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes($"9{key[4..]}")).TrimEnd('=');

    /// <summary>
    /// Straight into the metadata, as <see cref="InventoryFixture.SeedEmptyObjectsAsync"/> seeds: logs/ and data/ keys
    /// with a null version each, old/ keys with a null version under a newer current one.
    /// </summary>
    private Task SeedAsync(int logs, int old, int data)
    {
        long bucketId;
        using (var reader = _fixture.Engine.Metadata.OpenSnapshot())
        {
            bucketId = reader.Buckets.Get(InventoryFixture.Source)!.Id;
        }

        var now = _fixture.Time.GetUtcNow();
        ObjectVersionRecord Version(string key, string versionId, bool latest) => new()
        {
            BucketId = bucketId,
            Key = key,
            VersionId = versionId,
            IsLatest = latest,
            ETag = InventoryFixture.EmptyETag,
            Crc64 = 0,
            CreatedAt = now,
            LastModified = now,
        };

        return _fixture.Engine.Metadata.WriteAsync(writer =>
        {
            var versions = new List<ObjectVersionRecord>(logs + 2 * old + data);
            versions.AddRange(Enumerable.Range(0, logs).Select(i => Version($"logs/{i:D6}", ObjectVersionRecord.NullVersionId, true)));
            foreach (var key in Enumerable.Range(0, old).Select(i => $"old/{i:D6}"))
            {
                // Oldest first: the store orders a key's versions by the sequence each insert is given.
                versions.Add(Version(key, ObjectVersionRecord.NullVersionId, false));
                versions.Add(Version(key, OldCurrentVersion(key), true));
            }

            versions.AddRange(Enumerable.Range(0, data).Select(i => Version($"data/{i:D6}", ObjectVersionRecord.NullVersionId, true)));
            writer.Versions.InsertMany(versions);
            return 0;
        });
    }

    /// <summary>An all-versions S3 CSV report, read back: each key's rows, newest first, in key order.</summary>
    private async Task<List<(string Key, List<Row> Rows)>> AllVersionsReportAsync(string id)
    {
        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration(id, InventoryDialect.S3, IncludedVersions.All,
            fields: ["Size", "LifecycleExpirationDate"], oneTime: true));
        run.State.Should().Be(InventoryRunState.Succeeded, run.ErrorMessage);
        var manifest = JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement;
        var keys = new List<(string Key, List<Row> Rows)>();
        foreach (var row in manifest.GetProperty("files").EnumerateArray().SelectMany(f => Csv.Parse(_fixture.ReadGzip(f.GetProperty("key").GetString()!))))
        {
            // Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LifecycleExpirationDate.
            var key = Key(row);
            if (keys.Count == 0 || keys[^1].Key != key)
            {
                keys.Add((key, []));
            }

            keys[^1].Rows.Add(new Row(row[2], row[3] == "true", row[4] == "true", row[6]));
        }

        return keys;
    }

    /// <summary>A row's key: S3 reports URL-encode it.</summary>
    private static string Key(string[] row) => Uri.UnescapeDataString(row[1]);

    private async Task<List<string[]>> ReportAsync(string id)
    {
        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration(id, InventoryDialect.S3, fields: ["Size", "StorageClass", "LifecycleExpirationDate"], oneTime: true));
        run.State.Should().Be(InventoryRunState.Succeeded, run.ErrorMessage);
        var manifest = JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement;
        return manifest.GetProperty("files").EnumerateArray()
            .SelectMany(f => Csv.Parse(_fixture.ReadGzip(f.GetProperty("key").GetString()!))).ToList();
    }
}
