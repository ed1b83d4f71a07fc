using System.Net;
using System.Security.Cryptography;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// A GET or HEAD by key reads its object in one statement on the embedded engine, a read naming a version in a snapshot:
/// both must answer the same bytes and headers for every kind of object (inline, in a file, in parts), and the by-key
/// read must find the latest version whatever the bucket's versioning.
/// </summary>
public sealed class ObjectReadPathTests() : ServerTestBase("reads")
{
    // Headers that differ between any two responses.
    private static readonly string[] PerResponse = ["x-cos-request-id", "x-amz-request-id", "x-cos-trace-id", "Date"];

    [Theory]
    [InlineData(1024)]
    [InlineData(100_000)]
    public async Task GetAndHeadObject_ByKey_AnswerAsTheReadOfItsVersion_ForAnInlineAndAFileBackedObject(int size)
    {
        var body = RandomNumberGenerator.GetBytes(size);
        await Server.PutObjectAsync(Bucket, "k", body, [new("Content-Type", "application/x-test"), new("x-cos-meta-colour", "blue")]);

        foreach (var (method, range) in new[] { (HttpMethod.Get, (string?)null), (HttpMethod.Get, "bytes=10-19"), (HttpMethod.Head, null) })
        {
            var byKey = await SendAsync(method, "", range);
            var byVersion = await SendAsync(method, "versionId=null", range);

            byKey.StatusCode.Should().Be(range is null ? HttpStatusCode.OK : HttpStatusCode.PartialContent);
            byKey.StatusCode.Should().Be(byVersion.StatusCode);
            Headers(byKey).Should().Equal(Headers(byVersion).Where(h => h.Key != "x-cos-version-id"), $"{method} {range}");
            var bytes = await byKey.Content.ReadAsByteArrayAsync();
            bytes.Should().Equal(await byVersion.Content.ReadAsByteArrayAsync());
            bytes.Should().Equal(method == HttpMethod.Head ? [] : range is null ? body : body[10..20]);
        }
    }

    [Fact]
    public async Task GetObject_ByKey_ReturnsEveryPart_OfAMultipartObject()
    {
        // A body in several segments (parts are files): the by-key read opens each, ranges across the boundary included.
        // The first part ends inside a response chunk: the read of that chunk comes back short, at the part's end.
        var part1 = RandomNumberGenerator.GetBytes((1 << 20) + 1000);
        var part2 = RandomNumberGenerator.GetBytes(700);
        await Server.PutMultipartObjectAsync(Bucket, "mp", part1, part2);

        var get = await SendAsync(HttpMethod.Get, "", null, "mp");
        var range = await SendAsync(HttpMethod.Get, "", $"bytes={part1.Length - 10}-{part1.Length + 9}", "mp");

        get.StatusCode.Should().Be(HttpStatusCode.OK);
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal([.. part1, .. part2]);
        (await range.Content.ReadAsByteArrayAsync()).Should().Equal([.. part1[^10..], .. part2[..10]]);
    }

    [Theory]
    // Several of the 256 KiB chunks a body is read into the response pipe in, and not a multiple of one; ranges that end
    // on a chunk, cross chunks, and end the body.
    [InlineData((3 << 20) + 12_345, 256 << 10)]
    // From 64 MiB a body goes in 1 MiB chunks; a range under 64 MiB of it in 256 KiB ones.
    [InlineData((64 << 20) + 12_345, 1 << 20)]
    public async Task GetObject_SendsEveryByteOnce_OfAnObjectOfManyResponseChunks_WholeAndInRanges(int size, int chunk)
    {
        var body = RandomNumberGenerator.GetBytes(size);
        await Server.PutObjectAsync(Bucket, "big", body);

        var whole = await SendAsync(HttpMethod.Get, "", null, "big");
        whole.Content.Headers.ContentLength.Should().Be(body.Length);
        (await whole.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(body).Should().BeTrue();
        // The last two are as large as the body's own chunks go (the whole body but 12,345 bytes: 64 MiB, or 3 MiB).
        foreach (var (first, last) in new[]
            {
                (0, chunk - 1), (chunk - 1000, (3 * chunk) + 17), (body.Length - 300_000, body.Length - 1), (5, body.Length - 7),
                (12_345, body.Length - 1), (0, body.Length - 12_346),
            })
        {
            var part = await SendAsync(HttpMethod.Get, "", $"bytes={first}-{last}", "big");
            part.StatusCode.Should().Be(HttpStatusCode.PartialContent);
            (await part.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(body.AsSpan(first, last - first + 1)).Should().BeTrue($"bytes {first}-{last}");
        }
    }

    [Theory]
    [InlineData("Enabled")]
    [InlineData("Suspended")]
    public async Task GetAndHeadObject_ByKey_ReadTheLatestVersion_InAVersionedOrSuspendedBucket(string status)
    {
        await VersioningAsync("Enabled");
        await Server.PutObjectAsync(Bucket, "k", [1, 1, 1]);
        await Server.PutObjectAsync(Bucket, "k", new byte[100_000]);
        await VersioningAsync(status);
        var latest = await Server.PutObjectAsync(Bucket, "k", [3, 3]);
        var latestId = latest.Headers.TryGetValues("x-cos-version-id", out var ids) ? ids.Single() : "null";

        var get = await SendAsync(HttpMethod.Get, "", null);
        var head = await SendAsync(HttpMethod.Head, "", null);
        var byVersion = await SendAsync(HttpMethod.Get, $"versionId={latestId}", null);

        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(3, 3);
        head.Content.Headers.ContentLength.Should().Be(2);
        get.Headers.ETag.Should().Be(latest.Headers.ETag);
        get.Headers.GetValues("x-cos-version-id").Single().Should().Be(latestId);
        Headers(get).Should().Equal(Headers(byVersion));
        Headers(head).Should().Equal(Headers(get));
    }

    [Fact]
    public async Task HeadObject_ByKey_OfADeleteMarker_AnswersNotFound_WithTheMarkersHeaders()
    {
        await VersioningAsync("Enabled");
        await Server.PutObjectAsync(Bucket, "k", [1]);
        var markerId = (await Server.SendAsync(Server.Request(HttpMethod.Delete, Bucket, "k"))).Headers.GetValues("x-cos-version-id").Single();

        var head = await SendAsync(HttpMethod.Head, "", null);

        head.StatusCode.Should().Be(HttpStatusCode.NotFound);
        head.Headers.GetValues("x-cos-delete-marker").Single().Should().Be("true");
        head.Headers.GetValues("x-cos-version-id").Single().Should().Be(markerId);
    }

    [Fact]
    public async Task GetObject_ByKey_AnswersNoSuchKey_InAnEmptyBucket_AndNoSuchBucket_ForAMissingOne()
    {
        var missingKey = await SendAsync(HttpMethod.Get, "", null, "nothing-here");
        await missingKey.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey");

        var missingBucket = await Server.SendAsync(Server.Request(HttpMethod.Head, TestServer.BucketName("absent"), "k"));
        missingBucket.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string query, string? range, string key = "k")
    {
        var request = Server.Request(method, Bucket, key, query: query);
        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }

        return Server.SendAsync(request);
    }

    private static List<KeyValuePair<string, string>> Headers(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers)
            .Where(h => !PerResponse.Contains(h.Key, StringComparer.OrdinalIgnoreCase))
            .Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), string.Join(",", h.Value)))
            .OrderBy(h => h.Key, StringComparer.Ordinal)];

    private async Task VersioningAsync(string status)
    {
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, query: "versioning",
            content: new StringContent($"<VersioningConfiguration><Status>{status}</Status></VersioningConfiguration>")));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
