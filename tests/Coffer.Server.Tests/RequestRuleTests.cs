using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// Requests that used to be silently half-done: a private object in a public bucket, a bucket asked to have object lock,
/// deleting a bucket that holds only uploads, and SigV4 credentials scoped to another region.
/// </summary>
public sealed class RequestRuleTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private S3TestClient _s3 = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _s3 = new S3TestClient(_server.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        _s3.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task PrivateObject_InAPublicReadBucket_IsNotReadableAnonymously_InBothDialects()
    {
        var bucket = TestServer.BucketName("public");
        (await _server.SendAsync(_server.Request(HttpMethod.Put, bucket, headers: [new("x-cos-acl", "public-read")]))).EnsureSuccessStatusCode();
        await _server.PutObjectAsync(bucket, "public.txt", [1]);
        await _server.PutObjectAsync(bucket, "cos-private.txt", [2], [new("x-cos-acl", "private")]);
        (await _s3.SendAsync(HttpMethod.Put, bucket, "s3-private.txt", body: [3], headers: [new("x-amz-acl", "private")])).EnsureSuccessStatusCode();
        await _server.PutObjectAsync(bucket, "default.txt", [4], [new("x-cos-acl", "default")]);

        (await Anonymous(HttpMethod.Get, bucket, "public.txt")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Anonymous(HttpMethod.Get, bucket, "default.txt")).StatusCode.Should().Be(HttpStatusCode.OK, "default follows the bucket");
        foreach (var key in new[] { "cos-private.txt", "s3-private.txt" })
        {
            await (await Anonymous(HttpMethod.Get, bucket, key)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
            (await Anonymous(HttpMethod.Head, bucket, key)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, key))).StatusCode.Should().Be(HttpStatusCode.OK, "the owner still reads it");
        }

        // A copy follows its own request's ACL, not its source's; a multipart object keeps the ACL it was initiated with.
        (await _server.SendAsync(_server.Request(HttpMethod.Put, bucket, "copy.txt", headers: [new("x-cos-copy-source", $"{TestServer.VirtualHost(bucket)}/cos-private.txt")])))
            .EnsureSuccessStatusCode();
        (await Anonymous(HttpMethod.Get, bucket, "copy.txt")).StatusCode.Should().Be(HttpStatusCode.OK);
        var multipart = await _server.SendAsync(_server.Request(HttpMethod.Post, bucket, "mp-private.txt", "uploads", headers: [new("x-cos-acl", "private")]));
        var uploadId = XDocument.Parse(await multipart.Content.ReadAsStringAsync()).Root!.Element("UploadId")!.Value;
        var part = await _server.SendAsync(_server.Request(HttpMethod.Put, bucket, "mp-private.txt", $"partNumber=1&uploadId={uploadId}", new ByteArrayContent([5])));
        (await _server.SendAsync(_server.Request(HttpMethod.Post, bucket, "mp-private.txt", $"uploadId={uploadId}", new StringContent(
            $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part.Headers.ETag!.Tag}</ETag></Part></CompleteMultipartUpload>"))))
            .EnsureSuccessStatusCode();
        (await Anonymous(HttpMethod.Get, bucket, "mp-private.txt")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AnonymousRequest_WithS3Headers_IsAnsweredInS3_AndItsHeadersAreHeld()
    {
        var bucket = TestServer.BucketName("anonymous-s3");
        await _server.CreateBucketAsync(bucket);
        (await _s3.SendAsync(HttpMethod.Put, bucket, query: "acl", headers: [new("x-amz-acl", "public-read-write")])).EnsureSuccessStatusCode();

        var put = await Unsigned(HttpMethod.Put, bucket, "k",
            [new("x-amz-meta-color", "blue"), new("x-amz-storage-class", "STANDARD_IA"), new("x-amz-acl", "public-read")], [1, 2, 3]);
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        put.Headers.Contains("x-amz-request-id").Should().BeTrue("an S3 client is answered in S3's words");
        var head = await _s3.SendAsync(HttpMethod.Head, bucket, "k");
        head.Headers.GetValues("x-amz-meta-color").Should().Equal("blue");
        head.Headers.GetValues("x-amz-storage-class").Should().Equal("STANDARD_IA");

        // The expected owner holds for an anonymous caller too: nothing is read or written in a bucket of someone else.
        KeyValuePair<string, string>[] wrongOwner = [new("x-amz-expected-bucket-owner", TestAccounts.Other.Uin)];
        await (await Unsigned(HttpMethod.Get, bucket, null, wrongOwner)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await Unsigned(HttpMethod.Put, bucket, "refused", wrongOwner, [4])).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        (await _s3.SendAsync(HttpMethod.Head, bucket, "refused")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // Without S3 headers an anonymous request speaks COS, the native dialect (the object is public-read, as its PUT asked).
        var plain = await Unsigned(HttpMethod.Get, bucket, "k", []);
        plain.StatusCode.Should().Be(HttpStatusCode.OK);
        (await plain.Content.ReadAsByteArrayAsync()).Should().Equal(1, 2, 3);
        (plain.Headers.Contains("x-cos-request-id"), plain.Headers.Contains("x-amz-request-id")).Should().Be((true, false));
    }

    [Theory]
    [InlineData("x-cos-acl", "public-read-write", Dialect.Cos)]
    [InlineData("x-amz-acl", "aws-exec-read", Dialect.S3)]
    [InlineData("x-amz-acl", "default", Dialect.S3)]
    public async Task PutObject_RefusesACannedAclNoObjectOfItsDialectCanHave(string header, string value, Dialect dialect)
    {
        var bucket = TestServer.BucketName("acls");
        await _server.CreateBucketAsync(bucket);
        var response = dialect == Dialect.S3
            ? await _s3.SendAsync(HttpMethod.Put, bucket, "k", body: [1], headers: [new(header, value)])
            : await _server.SendAsync(_server.Request(HttpMethod.Put, bucket, "k", content: new ByteArrayContent([1]), headers: [new(header, value)]));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", dialect);
        (await _server.SendAsync(_server.Request(HttpMethod.Head, bucket, "k"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteBucket_WithOnlyUploadsLeft_DeletesItAndReleasesTheParts_InS3()
    {
        var bucket = TestServer.BucketName("uploads-s3");
        await _server.CreateBucketAsync(bucket);
        var before = BlobFiles();
        await StartUploadWithAPartAsync(bucket);
        BlobFiles().Should().HaveCount(before.Length + 1);

        (await _s3.SendAsync(HttpMethod.Delete, bucket)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _server.SendAsync(_server.Request(HttpMethod.Head, bucket))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        BlobFiles().Should().Equal(before, "the parts' blobs go with the discarded uploads");
    }

    [Fact]
    public async Task DeleteBucket_WithOnlyUploadsLeft_IsBucketNotEmpty_InCos_AsCosDocuments()
    {
        var bucket = TestServer.BucketName("uploads-cos");
        await _server.CreateBucketAsync(bucket);
        var uploadId = await StartUploadWithAPartAsync(bucket);

        var refused = await _server.SendAsync(_server.Request(HttpMethod.Delete, bucket));
        (await refused.ShouldBeErrorAsync(HttpStatusCode.Conflict, "BucketNotEmpty")).Element("Message")!.Value.Should().Contain("multipart");
        (await _server.SendAsync(_server.Request(HttpMethod.Delete, bucket, "k", $"uploadId={uploadId}"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _server.SendAsync(_server.Request(HttpMethod.Delete, bucket))).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task DeleteBucket_WithAnObjectLeft_IsBucketNotEmpty_InS3()
    {
        var bucket = TestServer.BucketName("object-s3");
        await _server.CreateBucketAsync(bucket);
        await _server.PutObjectAsync(bucket, "k", [1]);
        await StartUploadWithAPartAsync(bucket);
        await (await _s3.SendAsync(HttpMethod.Delete, bucket)).ShouldBeErrorAsync(HttpStatusCode.Conflict, "BucketNotEmpty", Dialect.S3);
        (await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, query: "uploads"))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SigV4_ScopedToAnotherRegion_IsAuthorizationHeaderMalformed_NamingTheExpectedRegion()
    {
        var bucket = TestServer.BucketName("region");
        await _server.CreateBucketAsync(bucket);
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseAddress, $"/{bucket}"));
        Sign(request, "us-east-1");
        var refused = await _server.SendRawAsync(request);
        var error = await refused.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "AuthorizationHeaderMalformed", Dialect.S3);
        error.Element("Message")!.Value.Should().Contain("'us-east-1' is wrong; expecting 'ap-guangzhou'");

        var service = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseAddress, "/"));
        Sign(service, "eu-west-1");
        await (await _server.SendRawAsync(service)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "AuthorizationHeaderMalformed", Dialect.S3);

        var right = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseAddress, $"/{bucket}"));
        Sign(right, TestServer.Region);
        (await _server.SendRawAsync(right)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SigV4_ScopedToAnotherRegion_NamesTheExpectedRegionInTheErrorsRegionElement()
    {
        // s3cmd signs again for the region this element names; without it, it gives up on a bucket outside its default
        // region.
        var bucket = TestServer.BucketName("region-element");
        await _server.CreateBucketAsync(bucket);
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseAddress, $"/{bucket}?location"));
        Sign(request, "us-east-1");
        var refused = await _server.SendRawAsync(request);
        var error = await refused.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "AuthorizationHeaderMalformed", Dialect.S3);
        error.Elements().Select(e => e.Name.LocalName).Should().Equal("Code", "Message", "Region", "Resource", "RequestId", "TraceId");
        error.Element("Region")!.Value.Should().Be(TestServer.Region);
    }

    [Fact]
    public async Task CreateBucket_MakesTheBucketInEuWest1_WhenTheLocationConstraintIsEU()
    {
        // S3's legacy constraint EU is eu-west-1: clients (s3cmd's --bucket-location=EU) then sign for eu-west-1.
        var bucket = TestServer.BucketName("eu");
        await CreateBucketInAsync(bucket, "EU", signedFor: "eu-west-1");

        var head = new HttpRequestMessage(HttpMethod.Head, new Uri(_server.BaseAddress, $"/{bucket}"));
        Sign(head, "eu-west-1");
        var answer = await _server.SendRawAsync(head);
        answer.StatusCode.Should().Be(HttpStatusCode.OK);
        answer.Headers.GetValues("x-amz-bucket-region").Should().Equal("eu-west-1");
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("eu.west")]
    [InlineData("eu west")]
    public async Task CreateBucket_RefusesALocationConstraintNoClientCouldSignFor_AndMakesNoBucket(string locationConstraint)
    {
        var bucket = TestServer.BucketName("nowhere");
        var body = Encoding.UTF8.GetBytes($"<CreateBucketConfiguration><LocationConstraint>{locationConstraint}</LocationConstraint></CreateBucketConfiguration>");
        var create = new HttpRequestMessage(HttpMethod.Put, new Uri(_server.BaseAddress, $"/{bucket}")) { Content = new ByteArrayContent(body) };
        S3RequestSigner.Sign(create, TestAccounts.Owner, DateTimeOffset.UtcNow, S3RequestSigner.Sha256(body), TestServer.Region);

        var refused = await _server.SendRawAsync(create);

        await refused.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidLocationConstraint", Dialect.S3);
        var head = new HttpRequestMessage(HttpMethod.Head, new Uri(_server.BaseAddress, $"/{bucket}"));
        Sign(head, TestServer.Region);
        (await _server.SendRawAsync(head)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GetBucketLocation_AnswersAnEmptyLocationConstraint_ForAUsEast1Bucket_InS3()
    {
        // S3 documents a us-east-1 bucket's LocationConstraint as null; another region is named, and COS names every
        // region. The test server's region is not us-east-1, and Coffer (unlike S3) takes an explicit us-east-1
        // constraint, so both buckets are made here by their constraint.
        foreach (var (region, expected) in new[] { ("us-east-1", ""), ("eu-west-1", "eu-west-1") })
        {
            var bucket = TestServer.BucketName("location-" + region);
            await CreateBucketInAsync(bucket, region, signedFor: region);

            var location = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseAddress, $"/{bucket}?location"));
            Sign(location, region);
            var answer = await _server.SendRawAsync(location);
            answer.StatusCode.Should().Be(HttpStatusCode.OK);
            var root = XDocument.Parse(await answer.Content.ReadAsStringAsync()).Root!;
            root.Name.Should().Be(XName.Get("LocationConstraint", "http://s3.amazonaws.com/doc/2006-03-01/"));
            root.Nodes().Should().HaveCount(expected.Length == 0 ? 0 : 1, region);
            root.Value.Should().Be(expected, region);

            var cos = await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, query: "location"));
            cos.StatusCode.Should().Be(HttpStatusCode.OK);
            XDocument.Parse(await cos.Content.ReadAsStringAsync()).Root!.Value.Should().Be(region);
        }
    }

    private async Task CreateBucketInAsync(string bucket, string locationConstraint, string signedFor)
    {
        var body = Encoding.UTF8.GetBytes(
            $"<CreateBucketConfiguration><LocationConstraint>{locationConstraint}</LocationConstraint></CreateBucketConfiguration>");
        var create = new HttpRequestMessage(HttpMethod.Put, new Uri(_server.BaseAddress, $"/{bucket}")) { Content = new ByteArrayContent(body) };
        S3RequestSigner.Sign(create, TestAccounts.Owner, DateTimeOffset.UtcNow, S3RequestSigner.Sha256(body), signedFor);
        (await _server.SendRawAsync(create)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static void Sign(HttpRequestMessage request, string region) =>
        S3RequestSigner.Sign(request, TestAccounts.Owner, DateTimeOffset.UtcNow, S3RequestSigner.Sha256([]), region);

    private async Task<string> StartUploadWithAPartAsync(string bucket)
    {
        var initiate = await _server.SendAsync(_server.Request(HttpMethod.Post, bucket, "k", "uploads"));
        var uploadId = XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!.Element("UploadId")!.Value;
        (await _server.SendAsync(_server.Request(HttpMethod.Put, bucket, "k", $"partNumber=1&uploadId={uploadId}", new ByteArrayContent(Encoding.UTF8.GetBytes("part")))))
            .EnsureSuccessStatusCode();
        return uploadId;
    }

    private string[] BlobFiles() => StoredBlobs.Ids(_server.DataDirectory);

    private Task<HttpResponseMessage> Anonymous(HttpMethod method, string bucket, string key)
    {
        var request = _server.Request(method, bucket, key);
        request.Headers.Remove("Authorization");
        return _server.SendRawAsync(request);
    }

    // A request no SDK signed: no Authorization, no x-amz-date, no x-amz-content-sha256; only the headers given.
    private Task<HttpResponseMessage> Unsigned(HttpMethod method, string bucket, string? key, KeyValuePair<string, string>[] headers, byte[]? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(_server.BaseAddress, "/" + bucket + (key is null ? "/" : "/" + key)));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return _server.SendRawAsync(request);
    }
}
