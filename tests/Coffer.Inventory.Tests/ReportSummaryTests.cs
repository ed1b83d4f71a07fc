using System.Text;
using Coffer.Inventory.Summary;
using Coffer.Model.Buckets;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;

namespace Coffer.Inventory.Tests;

public sealed class ReportSummaryTests : IDisposable
{
    private static readonly DateTimeOffset ScanStart = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private readonly InventoryFixture _fixture = new();

    [Fact]
    public void Builder_CountsEveryBreakdown_OverTheRows()
    {
        var builder = new SummaryBuilder(ScanStart);
        builder.Add(Row("logs/2026/a.log", 100, "STANDARD", daysOld: 0.5));
        builder.Add(Row("logs/2026/b.log", 2_000, "STANDARD_IA", daysOld: 3, multipart: true));
        builder.Add(Row("logs/2025/c.log", 70_000, "STANDARD", daysOld: 400, encryption: "AES256"));
        builder.Add(Row("top.txt", 0, "ARCHIVE", daysOld: 40, encryption: "aws:kms"));
        builder.Add(Row("img/x", 5, "STANDARD", daysOld: 8) with { IsDeleteMarker = true });

        var summary = ReportSummary.Decode(builder.Build().Encode())!;

        (summary.Rows, summary.Objects, summary.Bytes, summary.DeleteMarkers).Should().Be((5L, 4L, 72_100L, 1L));
        summary.StorageClasses.Should().Equal(new SliceTotal("STANDARD", 2, 70_100), new SliceTotal("STANDARD_IA", 1, 2_000), new SliceTotal("ARCHIVE", 1, 0));
        summary.Prefixes.Select(p => (p.Name, p.Objects, p.Bytes)).Should().Equal(("logs/", 3L, 72_100L), ("", 1L, 0L));
        summary.Prefixes[0].Children.Should().Equal(new SliceTotal("logs/2025/", 1, 70_000), new SliceTotal("logs/2026/", 2, 2_100));
        summary.Sizes.Select(s => s.Objects).Should().Equal(1, 1, 1, 1, 0, 0, 0, 0);
        summary.Ages.Select(s => s.Objects).Should().Equal(1, 1, 0, 1, 0, 1);
        summary.Largest.Select(l => l.Key).Should().Equal("logs/2025/c.log", "logs/2026/b.log", "logs/2026/a.log", "top.txt");
        summary.Multipart.Should().Be(new SliceTotal("multipart", 1, 2_000));
        summary.Encryption.Should().Equal(new SliceTotal("SSE-S3", 1, 70_000), new SliceTotal("NOT-SSE", 2, 2_100), new SliceTotal("SSE-KMS", 1, 0));
    }

    [Fact]
    public void Builder_CountsEqualNamesTogether_WhateverTheirInstancesAndOrder()
    {
        var builder = new SummaryBuilder(ScanStart);
        builder.Add(Row("a/1", 1, "STANDARD", 1));
        builder.Add(Row("a/2", 2, new string("STANDARD".AsSpan()), 1));
        builder.Add(Row("b/1", 4, "ARCHIVE", 1, encryption: "AES256"));
        builder.Add(Row("a/3", 8, "STANDARD", 1));
        builder.Add(Row("a/sub/4", 16, new string("ARCHIVE".AsSpan()), 1, encryption: "AES256"));
        builder.Add(Row("top", 32, "STANDARD", 1));
        builder.Add(Row("a/5", 64, "STANDARD", 1));

        var summary = builder.Build();

        summary.StorageClasses.Should().Equal(new SliceTotal("STANDARD", 5, 107), new SliceTotal("ARCHIVE", 2, 20));
        summary.Encryption.Should().Equal(new SliceTotal("NOT-SSE", 5, 107), new SliceTotal("SSE-S3", 2, 20));
        summary.Prefixes.Select(p => (p.Name, p.Objects, p.Bytes)).Should().Equal(("a/", 5L, 91L), ("", 1L, 32L), ("b/", 1L, 4L));
        summary.Prefixes[0].Children.Should().Equal(new SliceTotal("", 4, 75), new SliceTotal("a/sub/", 1, 16));
    }

    [Fact]
    public void Builder_KeepsMemoryBounded_FoldingPrefixesBeyondTheCapsAndKeepingOnlyTheLargest()
    {
        var builder = new SummaryBuilder(ScanStart);
        for (var i = 0; i < SummaryBuilder.MaxTopPrefixes + 30; i++)
        {
            builder.Add(Row($"p{i:D4}/x", i, "STANDARD", 1));
        }

        for (var i = 0; i < SummaryBuilder.MaxChildPrefixes + 5; i++)
        {
            builder.Add(Row($"p0000/c{i:D3}/y", 1_000_000 + i, "STANDARD", 1));
        }

        var summary = builder.Build();
        summary.PrefixesCapped.Should().BeTrue();
        summary.Prefixes.Should().HaveCount(SummaryBuilder.MaxTopPrefixes + 1);
        summary.Prefixes.Single(p => p.Name == SummaryBuilder.OtherPrefixes).Objects.Should().Be(30);
        summary.Prefixes.Single(p => p.Name == "p0000/").Children.Should().HaveCount(SummaryBuilder.MaxChildPrefixes + 1);
        summary.Largest.Should().HaveCount(SummaryBuilder.LargestCount);
        summary.Largest[0].Key.Should().Be($"p0000/c{SummaryBuilder.MaxChildPrefixes + 4:D3}/y");
        summary.Objects.Should().Be(SummaryBuilder.MaxTopPrefixes + 30 + SummaryBuilder.MaxChildPrefixes + 5);
    }

    [Fact]
    public void Builder_CountsRowsReadInPlace_AsItCountsTheSameObjects()
    {
        // Prefixes that change, come back, repeat under another top-level prefix, are not ASCII, or are folded past the caps;
        // keys with no second delimiter one after the other under two top-level prefixes (each its own empty child).
        List<ObjectInfo> rows =
        [
            Row("a/x/1", 1, "STANDARD", 1), Row("a/x/2", 2, "STANDARD", 1), Row("a/y/3", 4, "ARCHIVE", 2), Row("a/x/4", 8, "STANDARD", 3),
            Row("a/5", 16, "STANDARD", 400), Row("b/5", 48, "STANDARD", 400), Row("b/x/6", 32, "STANDARD", 8, encryption: "aws:kms"), Row("b/x/7", 64, "STANDARD", 8),
            Row("é/ü/8", 128, "STANDARD", 31, multipart: true), Row("é/ü/9", 256, "STANDARD", 31), Row("éa/ü/10", 512, "STANDARD", 91),
            Row("top", 1024, "STANDARD", 0.2), Row("x/y/z", 3, "STANDARD", 5) with { IsDeleteMarker = true },
        ];
        rows.AddRange(Enumerable.Range(0, SummaryBuilder.MaxTopPrefixes + 3).Select(i => Row($"p{i:D4}/c/{i}", i, "STANDARD", 1)));
        rows.AddRange(Enumerable.Range(0, SummaryBuilder.MaxChildPrefixes + 3).Select(i => Row($"a/c{i:D3}/k", i, "STANDARD", 1)));
        rows.AddRange([Row("a/c000/again", 5, "STANDARD", 1), Row("p0000/c/again", 7, "STANDARD", 1), Row("zz/folded", 9, "STANDARD", 1)]);
        var fromObjects = new SummaryBuilder(ScanStart);
        var inPlace = new SummaryBuilder(ScanStart);

        foreach (var row in rows)
        {
            fromObjects.Add(row);
            inPlace.Add(new SummaryRow
            {
                IsDeleteMarker = row.IsDeleteMarker,
                Size = row.Size,
                StorageClass = row.StorageClass,
                EncryptionStatus = SummaryBuilder.EncryptionStatus(row.Encryption),
                LastModifiedMilliseconds = row.LastModified.ToUnixTimeMilliseconds(),
                IsMultipartUploaded = row.IsMultipartUploaded,
                Key = Encoding.UTF8.GetBytes(row.Key),
                VersionId = Encoding.UTF8.GetBytes(row.VersionId),
            });
        }

        var expected = fromObjects.Build();
        expected.PrefixesCapped.Should().BeTrue();
        expected.Prefixes.Single(p => p.Name == "a/").Children.Should().Contain(new SliceTotal("a/c000/", 2, 5));
        expected.Prefixes.Single(p => p.Name == "b/").Children.Should().Contain(new SliceTotal("", 1, 48));
        inPlace.Build().Encode().Should().Equal(expected.Encode());
    }

    [Fact]
    public void Builder_CountsAgesInWholeDaysRoundedDown_FromObjectsAndRowsReadInPlace()
    {
        // A millisecond either side of each bound, and times after the scan's start (a clock ahead, or a write during the scan).
        var ages = new[] { -0.5, -1, 0, 1, 7, 30, 90, 365 }
            .SelectMany(days => new[] { TimeSpan.FromDays(days) - TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(days) })
            .Append(TimeSpan.FromDays(3650)).ToList();
        var fromObjects = new SummaryBuilder(ScanStart);
        var inPlace = new SummaryBuilder(ScanStart);

        foreach (var (age, i) in ages.Select((a, i) => (a, i)))
        {
            var row = Row($"k{i:D2}", 1L << i, "STANDARD", 0) with { LastModified = ScanStart - age };
            fromObjects.Add(row);
            inPlace.Add(new SummaryRow
            {
                Size = row.Size,
                StorageClass = row.StorageClass,
                EncryptionStatus = "NOT-SSE",
                LastModifiedMilliseconds = row.LastModified.ToUnixTimeMilliseconds(),
                Key = Encoding.UTF8.GetBytes(row.Key),
                VersionId = "null"u8.ToArray(),
            });
        }

        var summary = fromObjects.Build();
        // < 1 day: the five times after the start, 0 and just under a day; then each bound and the millisecond under the next.
        summary.Ages.Select(a => a.Objects).Should().Equal(7, 2, 2, 2, 2, 2);
        summary.Ages[0].Bytes.Should().Be(0b111_1111);
        summary.Ages[5].Bytes.Should().Be((1L << 15) | (1L << 16));
        inPlace.Build().Encode().Should().Equal(summary.Encode());
    }

    [Fact]
    public async Task Run_StoresTheSummaryOfItsReport_WithTheRun()
    {
        await _fixture.CreateBucketsAsync(BucketVersioning.Unversioned);
        await _fixture.PutAsync("a/1", "hello");
        await _fixture.PutAsync("a/2", "hello world");
        await _fixture.PutAsync("b", "");
        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("once", oneTime: true, fields: ["Size"]));

        run.State.Should().Be(InventoryRunState.Succeeded);
        var summary = ReportSummary.Decode(_fixture.Runs.GetSummary(InventoryFixture.Source, run.JobId))!;
        (summary.Objects, summary.Bytes).Should().Be((3L, 16L));
        summary.Prefixes.Select(p => p.Name).Should().Equal("a/", "");
        summary.ScanStart.Should().Be(_fixture.Time.GetUtcNow());
    }

    private static ObjectInfo Row(string key, long size, string storageClass, double daysOld, bool multipart = false, string? encryption = null) => new()
    {
        Bucket = "b-1250000000",
        Key = key,
        VersionId = ObjectInfo.NullVersionId,
        IsLatest = true,
        Size = size,
        StorageClass = storageClass,
        LastModified = ScanStart - TimeSpan.FromDays(daysOld),
        IsMultipartUploaded = multipart,
        Encryption = encryption,
    };

    public void Dispose() => _fixture.Dispose();
}
