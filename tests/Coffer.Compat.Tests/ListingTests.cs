using Amazon.S3.Model;

namespace Coffer.Compat.Tests;

public sealed class ListingTests : S3TestBase
{
    // Uppercase sorts before lowercase and "-" before "/" in byte order, so a locale-aware sort would fail.
    private static readonly string[] Keys =
    [
        "zeta", "Alpha", "alpha", "alpha-1", "alpha/1", "beta/one", "beta/two", "Beta", "gamma.txt", "0001", "0010", "0002",
        "photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/top.jpg", "readme", "x", "y", "~tilde",
    ];

    [Fact]
    public async Task ListObjectsV2_VisitsEveryKeyOnceInByteOrder_WhenPagingWithMaxKeys()
    {
        await PutAllAsync(Keys);
        var seen = new List<string>();
        var pageSizes = new List<int>();
        string? token = null;

        do
        {
            var page = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, MaxKeys = 6, ContinuationToken = token });
            var keys = page.S3Objects.Select(o => o.Key).ToList();
            page.KeyCount.Should().Be(keys.Count);
            page.IsTruncated.Should().Be(page.NextContinuationToken is not null);
            seen.AddRange(keys);
            pageSizes.Add(keys.Count);
            token = page.NextContinuationToken;
        }
        while (token is not null);

        pageSizes.Should().Equal(6, 6, 6, 2);
        seen.Should().Equal(Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListObjectsV2_ReportsSizeAndETag_ForEachObject()
    {
        var body = RandomBytes(321, seed: 7);
        await PutAsync("sized", body);

        var page = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });

        var entry = page.S3Objects.Should().ContainSingle().Which;
        entry.Key.Should().Be("sized");
        entry.Size.Should().Be(321);
        entry.ETag.Should().Be(ETagOf(body));
    }

    [Fact]
    public async Task ListObjectsV2_GroupsCommonPrefixes_WithADelimiter()
    {
        await PutAllAsync(Keys);

        var top = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = "photos/", Delimiter = "/" });

        top.S3Objects.Select(o => o.Key).Should().Equal("photos/top.jpg");
        top.CommonPrefixes.Should().Equal("photos/2024/", "photos/2025/");
        top.KeyCount.Should().Be(3);
    }

    [Fact]
    public async Task ListObjectsV2_PagesOverCommonPrefixes_CountingEachOnce()
    {
        await PutAllAsync(Keys);
        var entries = new List<string>();
        string? token = null;

        do
        {
            var page = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Delimiter = "/", MaxKeys = 4, ContinuationToken = token });
            entries.AddRange(page.S3Objects?.Select(o => o.Key) ?? []);
            entries.AddRange(page.CommonPrefixes ?? []);
            token = page.NextContinuationToken;
        }
        while (token is not null);

        entries.Order(StringComparer.Ordinal).Should().Equal(
            "0001", "0002", "0010", "Alpha", "Beta", "alpha", "alpha-1", "alpha/", "beta/", "gamma.txt", "photos/", "readme", "x", "y", "zeta", "~tilde");
    }

    [Fact]
    public async Task ListObjects_VisitsEveryKeyOnce_WhenPagingWithMarker()
    {
        await PutAllAsync(Keys);
        var seen = new List<string>();
        string? marker = null;
        bool truncated;

        do
        {
            var page = await S3.ListObjectsAsync(new ListObjectsRequest { BucketName = Bucket, MaxKeys = 7, Marker = marker });
            seen.AddRange(page.S3Objects.Select(o => o.Key));
            truncated = page.IsTruncated == true;
            marker = seen[^1];
        }
        while (truncated);

        seen.Should().Equal(Keys.Order(StringComparer.Ordinal));
    }

    private async Task PutAllAsync(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            await PutAsync(key, [1]);
        }
    }
}
