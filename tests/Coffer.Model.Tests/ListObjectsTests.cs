using Coffer.Common;
using Coffer.Model.Objects;

namespace Coffer.Model.Tests;

public sealed class ListObjectsTests : IDisposable
{
    private const string Bucket = "list-1250000000";
    private readonly ObjectServiceFixture _fixture = new();

    [Fact]
    public async Task List_RollsUpCommonPrefixes_AtTheDelimiter()
    {
        await SeedAsync("a.txt", "dir/1", "dir/2", "dir/sub/3", "e/x", "z");
        var page = List(new ListObjectsQuery { Delimiter = "/" });
        page.Objects.Select(o => o.Key).Should().Equal("a.txt", "z");
        page.CommonPrefixes.Should().Equal("dir/", "e/");
        page.IsTruncated.Should().BeFalse();

        var inside = List(new ListObjectsQuery { Prefix = "dir/", Delimiter = "/" });
        inside.Objects.Select(o => o.Key).Should().Equal("dir/1", "dir/2");
        inside.CommonPrefixes.Should().Equal("dir/sub/");
    }

    [Fact]
    public async Task List_CountsPrefixesAndKeysTogether_AgainstMaxKeys()
    {
        await SeedAsync("a", "b/1", "b/2", "c", "d/1");
        var first = List(new ListObjectsQuery { Delimiter = "/", MaxKeys = 2 });
        first.Objects.Select(o => o.Key).Should().Equal("a");
        first.CommonPrefixes.Should().Equal("b/");
        first.IsTruncated.Should().BeTrue();
        first.NextMarker.Should().Be("b/");

        var second = List(new ListObjectsQuery { Delimiter = "/", MaxKeys = 2, After = first.NextMarker });
        second.Objects.Select(o => o.Key).Should().Equal("c");
        second.CommonPrefixes.Should().Equal("d/");
        second.IsTruncated.Should().BeFalse();
        second.NextMarker.Should().BeNull();
    }

    [Fact]
    public async Task List_ReturnsNothingAndIsNotTruncated_WhenMaxKeysIsZero()
    {
        await SeedAsync("a");
        var page = List(new ListObjectsQuery { MaxKeys = 0 });
        page.Objects.Should().BeEmpty();
        page.IsTruncated.Should().BeFalse();
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(3, null)]
    [InlineData(7, "/")]
    [InlineData(2, "/")]
    [InlineData(5, "-")]
    public async Task Paging_VisitsEveryKeyOnce_InUtf8Order(int pageSize, string? delimiter)
    {
        var random = new Random(7);
        var alphabet = new[] { "a", "b", "/", "-", "é", "😀", "z", "0" };
        var keys = Enumerable.Range(0, 60)
            .Select(_ => string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => alphabet[random.Next(alphabet.Length)])))
            .Distinct()
            .ToArray();
        await SeedAsync(keys);

        var seen = new List<string>();
        string? marker = null;
        do
        {
            var page = List(new ListObjectsQuery { MaxKeys = pageSize, After = marker, Delimiter = delimiter });
            var entries = page.Objects.Select(o => o.Key).Concat(page.CommonPrefixes).Order(Comparer<string>.Create(ObjectKey.CompareUtf8));
            seen.AddRange(entries);
            (page.Objects.Count + page.CommonPrefixes.Count).Should().BeLessThanOrEqualTo(pageSize);
            marker = page.IsTruncated ? page.NextMarker : null;
        }
        while (marker is not null);

        var expected = keys
            .Select(k => delimiter is not null && k.IndexOf(delimiter, StringComparison.Ordinal) is var i and >= 0 ? k[..(i + delimiter.Length)] : k)
            .Distinct()
            .Order(Comparer<string>.Create(ObjectKey.CompareUtf8));
        seen.Should().Equal(expected);
    }

    [Fact]
    public async Task List_SkipsDeletedObjects()
    {
        await SeedAsync("a", "b", "c");
        await _fixture.Service.DeleteObjectAsync(Bucket, "b");
        List(new ListObjectsQuery()).Objects.Select(o => o.Key).Should().Equal("a", "c");
    }

    public void Dispose() => _fixture.Dispose();

    private ListObjectsPage List(ListObjectsQuery query) => _fixture.Service.ListObjects(Bucket, query);

    private async Task SeedAsync(params string[] keys)
    {
        await _fixture.Service.CreateBucketAsync(Bucket, ObjectServiceFixture.Owner, "ap-guangzhou");
        foreach (var key in keys)
        {
            await _fixture.Service.PutObjectAsync(new PutObjectRequest { Bucket = Bucket, Key = key, Body = new MemoryStream([1]), ContentLength = 1 });
        }
    }
}
