using System.Text;
using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>What <see cref="IVersionReader"/> and <see cref="IVersionWriter"/> promise, snapshots and ordering included.</summary>
public abstract class VersionStoreContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    [Fact]
    public async Task ScanLatest_OrdersKeysByUtf8Bytes()
    {
        var bucket = await CreateBucketAsync();
        foreach (var key in new[] { "b", "a", "\uE000", "\U0001F600", "A", "a/b", "a0", "é", "~" })
        {
            await InsertAsync(bucket, key);
        }

        using var snapshot = Store.OpenSnapshot();
        snapshot.Versions.ScanLatest(bucket.Id, "", true, null).Select(v => v.Key)
            .Should().Equal("A", "a", "a/b", "a0", "b", "~", "é", "\uE000", "\U0001F600");
    }

    [Fact]
    public async Task ScanLatest_RespectsBounds_AndSkipsOlderVersions_ButNotDeleteMarkers()
    {
        var bucket = await CreateBucketAsync();
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            await InsertAsync(bucket, key, "v1", isLatest: false);
            await InsertAsync(bucket, key, "v2", isDeleteMarker: key == "c");
        }

        using var snapshot = Store.OpenSnapshot();
        snapshot.Versions.ScanLatest(bucket.Id, "b", true, "d").Select(v => (v.Key, v.VersionId)).Should().Equal(("b", "v2"), ("c", "v2"));
        snapshot.Versions.ScanLatest(bucket.Id, "b", false, null).Select(v => v.Key).Should().Equal("c", "d");
        snapshot.Versions.ScanLatest(bucket.Id, "c", false, null).Select(v => v.Key).Should().Equal("d");
        snapshot.Versions.ScanLatest(bucket.Id, "", true, null).Single(v => v.Key == "c").IsDeleteMarker.Should().BeTrue();
    }

    [Fact]
    public async Task ScanVersions_ListsEveryVersion_KeyOrderNewestFirst_FromInsideAKey()
    {
        var bucket = await CreateBucketAsync();
        var stored = new List<ObjectVersionRecord>();
        foreach (var key in new[] { "b", "a", "c" })
        {
            for (var v = 1; v <= 3; v++)
            {
                stored.Add(await InsertAsync(bucket, key, $"{key}{v}", isLatest: v == 3));
            }
        }

        using var snapshot = Store.OpenSnapshot();
        snapshot.Versions.ScanVersions(bucket.Id, "", true, null, null).Select(v => v.VersionId)
            .Should().Equal("a3", "a2", "a1", "b3", "b2", "b1", "c3", "c2", "c1");
        var b2 = stored.Single(v => v.VersionId == "b2");
        snapshot.Versions.ScanVersions(bucket.Id, "b", false, b2.Sequence, null).Select(v => v.VersionId).Should().Equal("b1", "c3", "c2", "c1");
        snapshot.Versions.ScanVersions(bucket.Id, "b", false, null, null).Select(v => v.VersionId).Should().Equal("c3", "c2", "c1");
        snapshot.Versions.ScanVersions(bucket.Id, "b", true, null, "c").Select(v => v.VersionId).Should().Equal("b3", "b2", "b1");
    }

    [Fact]
    public async Task Scans_ReturnEveryRowOnce_AcrossManyThousandRows()
    {
        // Large enough for any engine that reads in batches to cross batch boundaries, also inside one key's versions.
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w =>
        {
            for (var i = 0; i < 12_000; i++)
            {
                w.Versions.Insert(Version(bucket, $"k{i / 3:D5}", $"v{i % 3}", isLatest: i % 3 == 2));
            }

            for (var i = 0; i < 9_000; i++)
            {
                w.Versions.Insert(Version(bucket, "many", $"m{i:D5}", isLatest: i == 8_999));
            }

            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        var latest = snapshot.Versions.ScanLatest(bucket.Id, "", true, null).Select(v => v.Key).ToList();
        latest.Should().HaveCount(4_001).And.OnlyHaveUniqueItems().And.BeInAscendingOrder(StringComparer.Ordinal);
        var all = snapshot.Versions.ScanVersions(bucket.Id, "", true, null, null).ToList();
        all.Should().HaveCount(21_000);
        all.Select(v => (v.Key, v.VersionId)).Should().OnlyHaveUniqueItems();
        all.Where(v => v.Key == "many").Select(v => v.VersionId).Should().Equal(Enumerable.Range(0, 9_000).Reverse().Select(i => $"m{i:D5}"));
    }

    [Fact]
    public async Task Snapshot_SeesTheStoreAsItWas_WhenWritesCommitDuringAScan()
    {
        var bucket = await CreateBucketAsync();
        for (var i = 0; i < 3_000; i += 2)
        {
            await InsertAsync(bucket, $"k{i:D5}");
        }

        using var snapshot = Store.OpenSnapshot();
        var seen = 0;
        foreach (var _ in snapshot.Versions.ScanLatest(bucket.Id, "", true, null))
        {
            if (seen++ == 10)
            {
                // Keys on both sides of where the scan is, and a rewrite of one it has not reached.
                await InsertAsync(bucket, "k00001");
                await InsertAsync(bucket, "k02999");
                await Store.WriteAsync(w =>
                {
                    var rewritten = w.Versions.GetLatest(bucket.Id, "k02000")!;
                    w.Versions.SetLatest(bucket.Id, rewritten.Key, rewritten.Sequence, false);
                    return 0;
                });
            }
        }

        seen.Should().Be(1_500);
        snapshot.Versions.GetLatest(bucket.Id, "k02999").Should().BeNull();
        using var later = Store.OpenSnapshot();
        later.Versions.ScanLatest(bucket.Id, "", true, null).Should().HaveCount(1_501);
    }

    [Fact]
    public async Task Insert_RoundTripsEveryField()
    {
        var bucket = await CreateBucketAsync();
        var version = new ObjectVersionRecord
        {
            BucketId = bucket.Id,
            Key = "dir/腾讯云 k",
            VersionId = "v1",
            IsLatest = true,
            Size = 1L << 40,
            ETag = "d41d8cd98f00b204e9800998ecf8427e-3",
            Crc64 = ulong.MaxValue - 5,
            ContentType = "text/plain",
            StorageClass = "STANDARD_IA",
            IsMultipartUploaded = true,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_001),
            LastModified = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_002),
            Layout = new BlobLayout([new BlobSegment("0123456789abcdef", 40, [9, 9]), new BlobSegment("fedcba9876543210", 2, [8])]),
            UserMetadata = [new("b", "2"), new("a", "1")],
            Headers = [new("Cache-Control", "no-cache")],
            Tags = [new("k", "v")],
            ReplicationStatus = "COMPLETED",
            Encryption = "aws:kms",
            KmsKeyId = "key-1",
            UploadId = "upload-1",
            Acl = "private",
        };
        var stored = await Store.WriteAsync(w => w.Versions.Insert(version));
        stored.Sequence.Should().BePositive();

        using var snapshot = Store.OpenSnapshot();
        snapshot.Versions.Get(bucket.Id, version.Key, "v1").Should().BeEquivalentTo(stored);
        snapshot.Versions.GetLatest(bucket.Id, version.Key).Should().BeEquivalentTo(stored);
        snapshot.Versions.ScanLatest(bucket.Id, "", true, null).Should().ContainSingle().Which.Should().BeEquivalentTo(stored);
        snapshot.Versions.ScanVersions(bucket.Id, "", true, null, null).Should().ContainSingle().Which.Should().BeEquivalentTo(stored);
        // A scan that asks for some details gets only those: the other sections and the upload id stay empty.
        snapshot.Versions.ScanLatest(bucket.Id, "", true, null, VersionDetail.Tags).Single().Should().BeEquivalentTo(
            stored with { Layout = BlobLayout.Empty, UserMetadata = [], Headers = [], UploadId = null });
        snapshot.Versions.Get(bucket.Id, version.Key, "v2").Should().BeNull();
        snapshot.Versions.GetLatest(bucket.Id, "other").Should().BeNull();
    }

    [Fact]
    public async Task InsertMany_StoresEveryVersion_WithIncreasingSequences_AfterThoseBefore()
    {
        var bucket = await CreateBucketAsync();
        var before = await InsertAsync(bucket, "a");
        var rows = Enumerable.Range(0, 5_000).Select(i => Version(bucket, $"k{i:D4}") with
        {
            Tags = [new("n", i.ToString())],
            Layout = BlobLayout.Single($"{i:D16}", i),
        }).ToList();
        await Store.WriteAsync(w =>
        {
            w.Versions.InsertMany(rows);
            return 0;
        });
        var after = await InsertAsync(bucket, "z");

        using var snapshot = Store.OpenSnapshot();
        var stored = snapshot.Versions.ScanLatest(bucket.Id, "k", true, "l").ToList();
        stored.Select(v => v.Key).Should().Equal(rows.Select(r => r.Key));
        stored.Select(v => v.Sequence).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems().And.OnlyContain(s => s > before.Sequence && s < after.Sequence);
        stored[4_321].Should().BeEquivalentTo(rows[4_321], options => options.Excluding(v => v.Sequence));
    }

    [Fact]
    public async Task GetLatest_IsTheNewestVersion_AndDeleteAndSetLatestChangeIt()
    {
        var bucket = await CreateBucketAsync();
        var first = await InsertAsync(bucket, "k", "v1", isLatest: false);
        var second = await InsertAsync(bucket, "k", "v2");
        second.Sequence.Should().BeGreaterThan(first.Sequence);

        await Store.WriteAsync(w =>
        {
            w.Versions.Delete(bucket.Id, "k", second.Sequence);
            w.Versions.SetLatest(bucket.Id, "k", first.Sequence, true);
            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        snapshot.Versions.GetLatest(bucket.Id, "k")!.VersionId.Should().Be("v1");
        snapshot.Versions.ScanLatest(bucket.Id, "", true, null).Should().ContainSingle().Which.IsLatest.Should().BeTrue();
    }

    [Fact]
    public async Task Insert_Fails_ForAVersionIdTheKeyHasAlready()
    {
        var bucket = await CreateBucketAsync();
        await InsertAsync(bucket, "k");
        var again = () => InsertAsync(bucket, "k");
        await again.Should().ThrowAsync<Exception>();
    }

    [Fact]
    public async Task Insert_Fails_ForASecondCurrentNullVersion_AmongAssignedVersions()
    {
        // A bucket once versioning, then suspended: its key's null version is older than the ids it assigned since.
        var bucket = await CreateBucketAsync();
        await InsertAsync(bucket, "k", isLatest: false);
        await InsertAsync(bucket, "k", "v1", isLatest: false);
        await InsertAsync(bucket, "k", "v2");
        var again = () => InsertAsync(bucket, "k");
        await again.Should().ThrowAsync<Exception>();
    }

    [Fact]
    public async Task SetTags_ReplacesTheTags_AndKeepsEveryOtherField()
    {
        var bucket = await CreateBucketAsync();
        var stored = await Store.WriteAsync(w => w.Versions.Insert(Version(bucket, "k") with { UserMetadata = [new("m", "1")] }));
        await Store.WriteAsync(w =>
        {
            w.Versions.SetTags(bucket.Id, "k", stored.Sequence, [new("a", "1"), new("b", "2")]);
            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        snapshot.Versions.GetLatest(bucket.Id, "k").Should().BeEquivalentTo(stored with { Tags = [new("a", "1"), new("b", "2")] });
    }

    [Fact]
    public async Task UpdateRecord_RewritesTheAttributes_AndKeepsTheKeyColumns()
    {
        var bucket = await CreateBucketAsync();
        var older = await Store.WriteAsync(w => w.Versions.Insert(Version(bucket, "k", "v1") with { IsLatest = false }));
        var stored = await Store.WriteAsync(w => w.Versions.Insert(Version(bucket, "k", "v2") with { UserMetadata = [new("m", "1")] }));
        var until = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000);
        var changed = stored with { StorageClass = "ARCHIVE", Acl = "private", RetentionMode = "GOVERNANCE", RetainUntil = until, LegalHold = true };
        await Store.WriteAsync(w =>
        {
            w.Versions.UpdateRecord(changed);
            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        snapshot.Versions.GetLatest(bucket.Id, "k").Should().BeEquivalentTo(changed);
        snapshot.Versions.Get(bucket.Id, "k", "v1").Should().BeEquivalentTo(older, "another version of the key is untouched");
        var missing = () => Store.WriteAsync(w =>
        {
            w.Versions.UpdateRecord(changed with { Sequence = stored.Sequence + 1000 });
            return 0;
        });
        await missing.Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task Sequences_KeepIncreasing_AcrossReopen()
    {
        var bucket = await CreateBucketAsync();
        var first = await InsertAsync(bucket, "a");
        Reopen();
        var second = await InsertAsync(bucket, "b");
        second.Sequence.Should().BeGreaterThan(first.Sequence);
    }

    [Fact]
    public async Task WriteAsync_RollsBack_WhenWorkThrows()
    {
        var bucket = await CreateBucketAsync();
        var act = () => Store.WriteAsync<int>(w =>
        {
            w.Versions.Insert(Version(bucket, "x"));
            throw new InvalidOperationException("boom");
        });
        await act.Should().ThrowAsync<InvalidOperationException>();

        using var snapshot = Store.OpenSnapshot();
        snapshot.Buckets.HasContent(bucket.Id).Should().BeFalse();
    }

    [Fact]
    public async Task ConcurrentWrites_OfOneKey_KeepExactlyOneLatestVersion()
    {
        // Each transaction reads the latest version, demotes it and inserts a newer one, as a versioned PUT does.
        var bucket = await CreateBucketAsync();
        await InsertAsync(bucket, "k", "v-start");
        var writers = Enumerable.Range(0, 16).Select(n => Task.Run(() => Store.WriteAsync(w =>
        {
            if (w.Versions.GetLatest(bucket.Id, "k") is { IsLatest: true } latest)
            {
                w.Versions.SetLatest(bucket.Id, "k", latest.Sequence, false);
            }

            return w.Versions.Insert(Version(bucket, "k", $"v{n:D2}"));
        })));
        await Task.WhenAll(writers);

        using var snapshot = Store.OpenSnapshot();
        var versions = snapshot.Versions.ScanVersions(bucket.Id, "", true, null, null).ToList();
        versions.Should().HaveCount(17);
        versions.Count(v => v.IsLatest).Should().Be(1);
        versions[0].IsLatest.Should().BeTrue("the newest version is the latest one");
    }

    [Fact]
    public async Task ScansWithAFactory_MakeTheRowsTheRecordScansGive_NowAndAtAPinnedInstant()
    {
        var bucket = await CreateBucketAsync();
        await InsertAsync(bucket, "a", "a1", isLatest: false);
        var a2 = await InsertAsync(bucket, "a", "a2");
        await InsertAsync(bucket, "b", "b1", isLatest: false);
        await InsertAsync(bucket, "b", "b2", isDeleteMarker: true);
        await Store.WriteAsync(w => w.Versions.Insert(Version(bucket, "c") with { ContentType = "text/plain", Tags = [new("t", "1")], UploadId = "u-1" }));
        var point = await Store.WriteAsync(w => w.Pins.Pin("run-1"));
        await Store.WriteAsync(w =>
        {
            w.Versions.SetLatest(bucket.Id, "a", a2.Sequence, false);
            return w.Versions.Insert(Version(bucket, "a", "a3"));
        });

        using var now = Store.OpenSnapshot();
        using var at = Store.OpenSnapshot(point);
        foreach (var snapshot in new[] { now, at })
        {
            foreach (var detail in new[] { VersionDetail.All, VersionDetail.Tags })
            {
                snapshot.Versions.ScanLatest(bucket.Id, "", true, null, detail, VersionRecordCodec.ToRecord)
                    .Should().BeEquivalentTo(snapshot.Versions.ScanLatest(bucket.Id, "", true, null, detail), o => o.WithStrictOrdering());
                snapshot.Versions.ScanVersions(bucket.Id, "", true, null, null, detail, VersionRecordCodec.ToRecord)
                    .Should().BeEquivalentTo(snapshot.Versions.ScanVersions(bucket.Id, "", true, null, null, detail), o => o.WithStrictOrdering());
                snapshot.Versions.ScanVersions(bucket.Id, "a", false, a2.Sequence, "c", detail, VersionRecordCodec.ToRecord)
                    .Should().BeEquivalentTo(snapshot.Versions.ScanVersions(bucket.Id, "a", false, a2.Sequence, "c", detail), o => o.WithStrictOrdering());
            }
        }

        at.Versions.ScanLatest(bucket.Id, "", true, null, VersionDetail.All, (in VersionIdentity v, in VersionAttributes _) => (v.Key, v.VersionId, v.IsLatest))
            .Should().Equal(("a", "a2", true), ("b", "b2", true), ("c", ObjectVersionRecord.NullVersionId, true));
        at.Versions.ScanVersions(bucket.Id, "a", false, a2.Sequence, null, VersionDetail.All, (in VersionIdentity v, in VersionAttributes _) => (v.VersionId, v.IsLatest))
            .Should().Equal(("a1", false), ("b2", true), ("b1", false), (ObjectVersionRecord.NullVersionId, true));
        var c = now.Versions.ScanLatest(bucket.Id, "c", true, null, VersionDetail.Tags, (in VersionIdentity _, in VersionAttributes a) => a).Single();
        (c.ContentType, c.UploadId, c.Tags.Count, c.UserMetadata.Count).Should().Be(("text/plain", (string?)null, 1, 0));
    }

    [Fact]
    public async Task RowsReadInPlace_AreTheRowsTheRecordScansGive_NowAndAtAPinnedInstant()
    {
        var bucket = await CreateBucketAsync();
        await InsertAsync(bucket, "a", "a1", isLatest: false);
        var a2 = await InsertAsync(bucket, "a", "a2");
        await InsertAsync(bucket, "b", "b1", isLatest: false);
        await InsertAsync(bucket, "b", "b2", isDeleteMarker: true);
        await Store.WriteAsync(w => w.Versions.Insert(Version(bucket, "é/ключ") with
        {
            ETag = "0123456789abcdef0123456789abcdef-3",
            IsMultipartUploaded = true,
            StorageClass = "ARCHIVE",
            ReplicationStatus = "COMPLETED",
            Encryption = "aws:kms",
            KmsKeyId = "key-1",
            Tags = [new("t", "1")],
        }));
        await Store.WriteAsync(w => w.Versions.Insert(Version(bucket, "d") with { ETag = "" }));
        var point = await Store.WriteAsync(w => w.Pins.Pin("run-1"));
        await Store.WriteAsync(w =>
        {
            w.Versions.SetLatest(bucket.Id, "a", a2.Sequence, false);
            return w.Versions.Insert(Version(bucket, "a", "a3"));
        });
        await Store.WriteAsync(w => w.Versions.Insert(Version(bucket, "c")));

        using var now = Store.OpenSnapshot();
        using var at = Store.OpenSnapshot(point);
        foreach (var snapshot in new[] { now, at })
        {
            Rows(snapshot.Versions.ReadLatestRows(bucket.Id, "", true, null))
                .Should().Equal(snapshot.Versions.ScanLatest(bucket.Id, "", true, null).Select(Fields));
            Rows(snapshot.Versions.ReadVersionRows(bucket.Id, "", true, null))
                .Should().Equal(snapshot.Versions.ScanVersions(bucket.Id, "", true, null, null).Select(Fields));
            Rows(snapshot.Versions.ReadVersionRows(bucket.Id, "a", false, "d"))
                .Should().Equal(snapshot.Versions.ScanVersions(bucket.Id, "a", false, null, "d").Select(Fields));
            Rows(snapshot.Versions.ReadLatestRows(bucket.Id, "b", true, "c"))
                .Should().Equal(snapshot.Versions.ScanLatest(bucket.Id, "b", true, "c").Select(Fields));
        }

        Rows(at.Versions.ReadLatestRows(bucket.Id, "", true, null)).Select(r => (r.Key, r.VersionId, r.IsLatest))
            .Should().Equal(("a", "a2", true), ("b", "b2", true), ("d", ObjectVersionRecord.NullVersionId, true), ("é/ключ", ObjectVersionRecord.NullVersionId, true));
    }

    /// <summary>What a row read in place says of a version, each text as a string.</summary>
    private static List<RowFields> Rows(IVersionRowReader reader)
    {
        using (reader)
        {
            var rows = new List<RowFields>();
            while (reader.Read(out var row))
            {
                var fields = VersionRecordCodec.ReadFields(row.Record);
                rows.Add(new RowFields(Encoding.UTF8.GetString(row.Key), row.Sequence, Encoding.UTF8.GetString(row.VersionId), row.IsLatest,
                    row.IsDeleteMarker, fields.Size, fields.IsMultipartUploaded, fields.CreatedAtMilliseconds, fields.LastModifiedMilliseconds,
                    Encoding.UTF8.GetString(fields.ETag), Encoding.UTF8.GetString(fields.StorageClass),
                    fields.HasReplicationStatus ? Encoding.UTF8.GetString(fields.ReplicationStatus) : null,
                    fields.HasEncryption ? Encoding.UTF8.GetString(fields.Encryption) : null));
            }

            return rows;
        }
    }

    private static RowFields Fields(ObjectVersionRecord v) => new(v.Key, v.Sequence, v.VersionId, v.IsLatest, v.IsDeleteMarker, v.Size,
        v.IsMultipartUploaded, v.CreatedAt.ToUnixTimeMilliseconds(), v.LastModified.ToUnixTimeMilliseconds(), v.ETag,
        v.StorageClass, v.ReplicationStatus, v.Encryption);

    private sealed record RowFields(string Key, long Sequence, string VersionId, bool IsLatest, bool IsDeleteMarker, long Size, bool IsMultipartUploaded,
        long CreatedAt, long LastModified, string ETag, string StorageClass, string? ReplicationStatus, string? Encryption);
}

public sealed class SqliteVersionStore : VersionStoreContract<SqliteTestEngine>;

public sealed class PostgresVersionStore : VersionStoreContract<PostgresTestEngine>;
