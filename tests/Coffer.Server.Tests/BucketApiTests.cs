using System.Net;
using System.Xml.Linq;
using Coffer.Testing;

namespace Coffer.Server.Tests;

public sealed class BucketApiTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task CreateBucket_Returns200_ThenHeadBucketGivesRegion()
    {
        var bucket = TestServer.BucketName("photos");
        var created = await _server.SendAsync(_server.Request(HttpMethod.Put, bucket));
        created.StatusCode.Should().Be(HttpStatusCode.OK);
        created.Headers.GetValues("x-cos-request-id").Should().ContainSingle();

        var head = await _server.SendAsync(_server.Request(HttpMethod.Head, bucket));
        head.StatusCode.Should().Be(HttpStatusCode.OK);
        head.Headers.GetValues("x-cos-bucket-region").Single().Should().Be(TestServer.Region);
    }

    [Fact]
    public async Task Responses_CarryRequestIdDateAndServer_OnSuccess()
    {
        var bucket = TestServer.BucketName("headers");
        var responses = new List<HttpResponseMessage>
        {
            await _server.SendAsync(_server.Request(HttpMethod.Put, bucket)),
            await _server.SendAsync(_server.Request(HttpMethod.Put, bucket, "a.txt", content: new StringContent("a"))),
            await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, "a.txt")),
            await _server.SendAsync(_server.Request(HttpMethod.Head, bucket, "a.txt")),
            await _server.SendAsync(_server.Request(HttpMethod.Get, bucket)),
            await _server.SendAsync(_server.Request(HttpMethod.Delete, bucket, "a.txt")),
        };

        foreach (var response in responses)
        {
            response.IsSuccessStatusCode.Should().BeTrue(response.RequestMessage!.ToString());
            response.Headers.Server.ToString().Should().Be("tencent-cos");
            response.Headers.Date.Should().NotBeNull();
            response.Headers.GetValues("x-cos-request-id").Should().ContainSingle().Which.Should().NotBeNullOrWhiteSpace();
        }

        responses.Select(r => r.Headers.GetValues("x-cos-request-id").Single()).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task ListBuckets_ReturnsTheCallersBucketsOnly()
    {
        await _server.CreateBucketAsync(TestServer.BucketName("b"));
        await _server.CreateBucketAsync(TestServer.BucketName("a"));
        await _server.SendAsync(_server.Request(HttpMethod.Put, TestServer.BucketName("x", TestAccounts.Other), account: TestAccounts.Other));

        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, null));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        root.Name.LocalName.Should().Be("ListAllMyBucketsResult");
        root.Element("Owner")!.Element("ID")!.Value.Should().Be(TestAccounts.Owner.OwnerId);
        root.Element("Buckets")!.Elements("Bucket").Select(b => b.Element("Name")!.Value)
            .Should().Equal(TestServer.BucketName("a"), TestServer.BucketName("b"));
    }

    [Fact]
    public async Task ListBuckets_InCos_FiltersByTheHostsRegion_TheRegionTagAndCreationTimeParameters_AndRefusesPaging()
    {
        var guangzhou = TestServer.BucketName("gz");
        var beijing = TestServer.BucketName("bj");
        await _server.CreateBucketAsync(guangzhou);
        (await _server.SendAsync(_server.Request(HttpMethod.Put, beijing, host: $"{beijing}.cos.ap-beijing.myqcloud.com"))).EnsureSuccessStatusCode();
        (await _server.SendAsync(_server.Request(HttpMethod.Put, guangzhou, query: "tagging", content: new StringContent(
            "<Tagging><TagSet><Tag><Key>team</Key><Value>data</Value></Tag></TagSet></Tagging>")))).EnsureSuccessStatusCode();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        async Task<string[]> Listed(string query = "", string host = "service.cos.myqcloud.com")
        {
            var response = await _server.SendAsync(_server.Request(HttpMethod.Get, null, query: query, host: host));
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return [.. XDocument.Parse(await response.Content.ReadAsStringAsync()).Descendants("Name").Select(n => n.Value)];
        }

        (await Listed()).Should().Equal(beijing, guangzhou);
        (await Listed(host: "cos.ap-beijing.myqcloud.com")).Should().Equal(beijing);
        (await Listed("region=ap-guangzhou")).Should().Equal(guangzhou);
        (await Listed("tagkey=team&tagvalue=data")).Should().Equal(guangzhou);
        (await Listed("tagkey=team&tagvalue=other")).Should().BeEmpty();
        (await Listed($"create-time={now + 60}&range=lt")).Should().Equal(beijing, guangzhou);
        (await Listed($"create-time={now + 60}&range=gte")).Should().BeEmpty();
        await (await _server.SendAsync(_server.Request(HttpMethod.Get, null, query: "max-keys=1"))).ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented");
        await (await _server.SendAsync(_server.Request(HttpMethod.Get, null, query: $"create-time={now}&range=between")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Theory]
    [InlineData("-lead-1250000000")]
    [InlineData("under_score-1250000000")]
    public async Task CreateBucket_AtTheVirtualHostOfABadName_IsInvalidBucketName_NotAMethodOnTheService(string bucket)
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Put, bucket));
        (await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidBucketName")).Element("Resource")!.Value
            .Should().StartWith(TestServer.VirtualHost(bucket));
    }

    [Theory]
    [InlineData("UPPER-1250000000")]
    [InlineData("noappid")]
    [InlineData("-x-1250000000")]
    public async Task CreateBucket_ReturnsInvalidBucketName_ForBadNames(string bucket)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_server.BaseAddress, "/" + bucket));
        var response = await _server.SendAsync(Resign(request, "/" + bucket));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidBucketName");
    }

    [Fact]
    public async Task CreateBucket_ReturnsAccessDenied_WhenAppIdIsAnotherAccounts()
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Put, TestServer.BucketName("x", TestAccounts.Other)));
        await response.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task CreateBucket_ReturnsBucketAlreadyOwnedByYou_Twice()
    {
        var bucket = TestServer.BucketName("twice");
        await _server.CreateBucketAsync(bucket);
        var again = await _server.SendAsync(_server.Request(HttpMethod.Put, bucket));
        await again.ShouldBeErrorAsync(HttpStatusCode.Conflict, "BucketAlreadyOwnedByYou");
    }

    [Fact]
    public async Task CreateBucket_ReturnsMalformedXml_ForBrokenBody()
    {
        var bucket = TestServer.BucketName("xml");
        var response = await _server.SendAsync(_server.Request(HttpMethod.Put, bucket,
            content: new StringContent("<CreateBucketConfiguration><BucketAZConfig>MAZ</Bucket")));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedXML");
        var head = await _server.SendAsync(_server.Request(HttpMethod.Head, bucket));
        head.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CreateBucket_AcceptsCreateBucketConfiguration()
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Put, TestServer.BucketName("maz"),
            content: new StringContent("<CreateBucketConfiguration><BucketAZConfig>MAZ</BucketAZConfig></CreateBucketConfiguration>")));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeleteBucket_ReturnsBucketNotEmpty_Then204()
    {
        var bucket = TestServer.BucketName("del");
        await _server.CreateBucketAsync(bucket);
        await _server.PutObjectAsync(bucket, "k", [1]);
        var notEmpty = await _server.SendAsync(_server.Request(HttpMethod.Delete, bucket));
        await notEmpty.ShouldBeErrorAsync(HttpStatusCode.Conflict, "BucketNotEmpty");

        (await _server.SendAsync(_server.Request(HttpMethod.Delete, bucket, "k"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _server.SendAsync(_server.Request(HttpMethod.Delete, bucket))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var gone = await _server.SendAsync(_server.Request(HttpMethod.Get, bucket));
        await gone.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchBucket");
    }

    [Fact]
    public async Task HeadBucket_Returns404WithoutBody_ForMissingBucket()
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Head, TestServer.BucketName("missing")));
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Headers.GetValues("x-cos-request-id").Should().ContainSingle();
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task AnyBucketOperation_ReturnsAccessDenied_OnAnotherAccountsBucket()
    {
        var bucket = TestServer.BucketName("mine");
        await _server.CreateBucketAsync(bucket);
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, account: TestAccounts.Other));
        await response.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task ListObjects_PagesWithMarker_AndEncodesKeys()
    {
        var bucket = TestServer.BucketName("list");
        await _server.CreateBucketAsync(bucket);
        foreach (var key in new[] { "a b", "dir/x", "dir/y", "z+%" })
        {
            await _server.PutObjectAsync(bucket, key, [1]);
        }

        var first = XDocument.Parse(await (await _server.SendAsync(_server.Request(HttpMethod.Get, bucket,
            query: "delimiter=%2F&max-keys=2&encoding-type=url"))).Content.ReadAsStringAsync()).Root!;
        first.Element("IsTruncated")!.Value.Should().Be("true");
        first.Elements("Contents").Select(c => c.Element("Key")!.Value).Should().Equal("a%20b");
        first.Elements("CommonPrefixes").Select(c => c.Element("Prefix")!.Value).Should().Equal("dir/");
        first.Element("NextMarker")!.Value.Should().Be("dir/");

        var second = XDocument.Parse(await (await _server.SendAsync(_server.Request(HttpMethod.Get, bucket,
            query: "delimiter=%2F&max-keys=2&marker=dir%2F"))).Content.ReadAsStringAsync()).Root!;
        second.Element("IsTruncated")!.Value.Should().Be("false");
        second.Element("NextMarker").Should().BeNull();
        var contents = second.Elements("Contents").Single();
        contents.Element("Key")!.Value.Should().Be("z+%");
        contents.Element("ETag")!.Value.Should().Be("\"55a54008ad1ba589aa210d2629c1df41\"");
        contents.Element("Size")!.Value.Should().Be("1");
        contents.Element("StorageClass")!.Value.Should().Be("STANDARD");
    }

    [Theory]
    [InlineData("max-keys=abc")]
    [InlineData("max-keys=-1")]
    [InlineData("encoding-type=base64")]
    public async Task ListObjects_ReturnsInvalidArgument_ForBadParameters(string query)
    {
        var bucket = TestServer.BucketName("args");
        await _server.CreateBucketAsync(bucket);
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, query: query));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Theory]
    [InlineData("GET", "torrent")]
    [InlineData("GET", "replication")]
    [InlineData("PUT", "website")]
    public async Task UnknownOrUnimplementedSubResource_Returns501(string method, string query)
    {
        var bucket = TestServer.BucketName("sub");
        await _server.CreateBucketAsync(bucket);
        var response = await _server.SendAsync(_server.Request(new HttpMethod(method), bucket, query: query));
        await response.ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented");
    }

    [Fact]
    public async Task PathStyle_AddressesBucketAndKey()
    {
        var bucket = TestServer.BucketName("path");
        await _server.CreateBucketAsync(bucket);
        await _server.PutObjectAsync(bucket, "dir/k", [7]);
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseAddress, $"/{bucket}/dir/k"));
        var response = await _server.SendAsync(Resign(request, $"/{bucket}/dir/k"));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(7);
    }

    /// <summary>Signs a request addressed by IP (path style), as SDKs without a virtual host do.</summary>
    private static HttpRequestMessage Resign(HttpRequestMessage request, string path)
    {
        var host = request.RequestUri!.Authority;
        request.Headers.Host = host;
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", CosRequestSigner.Authorization(
            TestAccounts.Owner.SecretId, TestAccounts.Owner.SecretKey, request.Method.Method, path, [], [new("host", host)],
            DateTimeOffset.UtcNow.AddSeconds(-1), TimeSpan.FromMinutes(10)));
        return request;
    }
}
