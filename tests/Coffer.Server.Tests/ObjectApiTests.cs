using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Coffer.Testing;

namespace Coffer.Server.Tests;

public sealed class ObjectApiTests() : ServerTestBase("objects")
{
    [Fact]
    public async Task PutObject_ReturnsETagAndCrc64_AndGetReturnsBytesAndHeaders()
    {
        var body = "hello world"u8.ToArray();
        var put = await Server.PutObjectAsync(Bucket, "dir/hello.txt", body,
        [
            new("Content-Type", "text/plain"),
            new("x-cos-meta-author", "ada"),
            new("x-cos-storage-class", "STANDARD_IA"),
            new("Cache-Control", "max-age=60"),
        ]);
        put.Headers.ETag!.Tag.Should().Be("\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
        put.Headers.GetValues("x-cos-hash-crc64ecma").Single().Should().Be("5981764153023615706");
        put.Headers.Contains("x-cos-version-id").Should().BeFalse();

        var get = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "dir/hello.txt"));
        get.StatusCode.Should().Be(HttpStatusCode.OK);
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(body);
        get.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        get.Content.Headers.ContentLength.Should().Be(11);
        get.Headers.ETag!.Tag.Should().Be("\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
        get.Headers.GetValues("x-cos-hash-crc64ecma").Single().Should().Be("5981764153023615706");
        get.Headers.GetValues("x-cos-meta-author").Single().Should().Be("ada");
        get.Headers.GetValues("x-cos-storage-class").Single().Should().Be("STANDARD_IA");
        get.Headers.CacheControl!.MaxAge.Should().Be(TimeSpan.FromSeconds(60));
        get.Headers.AcceptRanges.Should().Equal("bytes");
        get.Content.Headers.LastModified.Should().NotBeNull();
    }

    [Fact]
    public async Task ContentType_OfAnObjectWrittenWithoutOne_IsItsKeysMediaType_InCos_AndAnEmptyOneCountsAsNone()
    {
        async Task<string?> ContentTypeOf(string key) =>
            (await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, key))).Content.Headers.ContentType?.ToString();

        await Server.PutObjectAsync(Bucket, "docs/1.zip", [1]);
        await Server.PutObjectAsync(Bucket, "docs/report.PDF", [1]);
        await Server.PutObjectAsync(Bucket, "docs/no-extension", [1]);
        await Server.PutObjectAsync(Bucket, "docs.txt/unknown.extension", [1]);
        await Server.PutObjectAsync(Bucket, "docs/sent.zip", [1], [new("Content-Type", "text/x-mine")]);
        (await ContentTypeOf("docs/1.zip")).Should().Be("application/zip");
        (await ContentTypeOf("docs/report.PDF")).Should().Be("application/pdf");
        (await ContentTypeOf("docs/no-extension")).Should().Be("application/octet-stream");
        (await ContentTypeOf("docs.txt/unknown.extension")).Should().Be("application/octet-stream", "only the last segment's extension counts");
        (await ContentTypeOf("docs/sent.zip")).Should().Be("text/x-mine", "a type that is sent is kept");

        // cos-nodejs-sdk-v5 initiates copies of files (and uploads) with an empty Content-Type.
        (await Server.PutMultipartObjectAsync(Bucket, "parts/1.txt", [1])).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "copy.csv", headers:
            [new("x-cos-copy-source", $"{TestServer.VirtualHost(Bucket)}/docs/no-extension"), new("x-cos-metadata-directive", "Replaced"), new("Content-Type", "")])))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await ContentTypeOf("parts/1.txt")).Should().Be("text/plain");
        (await ContentTypeOf("copy.csv")).Should().Be("text/csv");

        (await S3.SendAsync(HttpMethod.Put, Bucket, "s3.zip", body: [1])).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ContentTypeOf("s3.zip")).Should().Be("application/octet-stream", "S3 stores only what is sent");
    }

    [Fact]
    public async Task Responses_InCos_CarryTheRequestIdAsXCosRequestIdOnly_AndInS3InBothVocabularies()
    {
        await Server.PutObjectAsync(Bucket, "k", [1]);
        var cos = await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "k"));
        cos.Headers.GetValues("x-cos-request-id").Should().ContainSingle();
        cos.Headers.Contains("x-amz-request-id").Should().BeFalse("two HEADs of one COS object differ only in the headers COS varies");
        var s3 = await S3.SendAsync(HttpMethod.Head, Bucket, "k");
        s3.Headers.GetValues("x-amz-request-id").Should().Equal(s3.Headers.GetValues("x-cos-request-id"));
    }

    [Fact]
    public async Task HeadObject_ReturnsHeadersWithoutBody()
    {
        await Server.PutObjectAsync(Bucket, "k", new byte[1234]);
        var head = await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "k"));
        head.StatusCode.Should().Be(HttpStatusCode.OK);
        head.Content.Headers.ContentLength.Should().Be(1234);
        head.Headers.Contains("x-cos-storage-class").Should().BeFalse();
        (await head.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Theory]
    [InlineData("a b.txt")]
    [InlineData("plus+sign")]
    [InlineData("percent%25literal%")]
    [InlineData("unicode/腾讯云/😀")]
    [InlineData("trailing/")]
    public async Task Keys_RoundTrip_WithSpecialCharacters(string key)
    {
        await Server.PutObjectAsync(Bucket, key, [42]);
        var get = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, key));
        get.StatusCode.Should().Be(HttpStatusCode.OK);
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(42);
    }

    [Fact]
    public async Task PutObject_ReturnsBadDigest_WhenContentMd5DoesNotMatch()
    {
        var wrong = Convert.ToBase64String(MD5.HashData([9]));
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "md5",
            content: new ByteArrayContent([1, 2, 3]), headers: [new("Content-MD5", wrong)]));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "BadDigest");
        (await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "md5"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutObject_Succeeds_WhenContentMd5Matches()
    {
        var right = Convert.ToBase64String(MD5.HashData([1, 2, 3]));
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "md5ok",
            content: new ByteArrayContent([1, 2, 3]), headers: [new("Content-MD5", right)]));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public async Task PutObject_ReturnsInvalidDigest_ForMalformedContentMd5(string md5)
    {
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "md5bad",
            content: new ByteArrayContent([1]), headers: [new("Content-MD5", md5)]));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidDigest");
    }

    [Fact]
    public async Task PutObject_ReturnsInvalidArgument_ForUnknownStorageClass()
    {
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "sc",
            content: new ByteArrayContent([1]), headers: [new("x-cos-storage-class", "COLDEST")]));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task PutObject_ReturnsMetadataTooLarge_Over2KB()
    {
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "meta",
            content: new ByteArrayContent([1]), headers: [new("x-cos-meta-big", new string('v', 2100))]));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MetadataTooLarge");
    }

    [Fact]
    public async Task PutObject_AcceptsChunkedBody_WithoutContentLength()
    {
        var content = new StreamContent(new MemoryStream(new byte[100_000]));
        var request = Server.Request(HttpMethod.Put, Bucket, "chunked", content: content);
        request.Headers.TransferEncodingChunked = true;
        (await Server.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK);
        var head = await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "chunked"));
        head.Content.Headers.ContentLength.Should().Be(100_000);
    }

    [Fact]
    public async Task GetObject_Returns206AndContentRange_ForARange()
    {
        await Server.PutObjectAsync(Bucket, "range", Enumerable.Range(0, 100).Select(i => (byte)i).ToArray());
        var request = Server.Request(HttpMethod.Get, Bucket, "range");
        request.Headers.Range = new RangeHeaderValue(10, 19);
        var response = await Server.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        response.Content.Headers.ContentRange!.ToString().Should().Be("bytes 10-19/100");
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(Enumerable.Range(10, 10).Select(i => (byte)i));
    }

    [Fact]
    public async Task GetObject_ReturnsEachPartWithItsRangeAndThePartsCount_ForAMultipartObject()
    {
        var part1 = RandomNumberGenerator.GetBytes(1 << 20);
        var part2 = RandomNumberGenerator.GetBytes(1000);
        await Server.PutMultipartObjectAsync(Bucket, "mp.bin", part1, part2);
        var size = part1.Length + part2.Length;

        var first = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "mp.bin", query: "partNumber=1"));
        first.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        (await first.Content.ReadAsByteArrayAsync()).Should().Equal(part1);
        first.Content.Headers.ContentRange!.ToString().Should().Be($"bytes 0-{part1.Length - 1}/{size}");
        first.Headers.GetValues("x-cos-mp-parts-count").Single().Should().Be("2");

        var second = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "mp.bin", query: "partNumber=2"));
        second.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        (await second.Content.ReadAsByteArrayAsync()).Should().Equal(part2);
        second.Content.Headers.ContentRange!.ToString().Should().Be($"bytes {part1.Length}-{size - 1}/{size}");
        second.Headers.ETag.Should().Be(first.Headers.ETag, "a part answers with the whole object's ETag");

        var head = await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "mp.bin", query: "partNumber=2"));
        head.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        head.Content.Headers.ContentLength.Should().Be(part2.Length);
        head.Content.Headers.ContentRange!.ToString().Should().Be($"bytes {part1.Length}-{size - 1}/{size}");
        head.Headers.GetValues("x-cos-mp-parts-count").Single().Should().Be("2");

        var beyond = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "mp.bin", query: "partNumber=3"));
        await beyond.ShouldBeErrorAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "InvalidPartNumber");
    }

    [Fact]
    public async Task GetObject_ServesASinglePartObjectAsItsOnlyPart()
    {
        var body = "one part"u8.ToArray();
        await Server.PutObjectAsync(Bucket, "single", body);

        var whole = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "single", query: "partNumber=1"));
        whole.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        (await whole.Content.ReadAsByteArrayAsync()).Should().Equal(body);
        whole.Content.Headers.ContentRange!.ToString().Should().Be($"bytes 0-{body.Length - 1}/{body.Length}");
        whole.Headers.Contains("x-cos-mp-parts-count").Should().BeFalse("only a multipart object counts parts");

        var second = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "single", query: "partNumber=2"));
        await second.ShouldBeErrorAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "InvalidPartNumber");
        (await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "single", query: "partNumber=2")))
            .StatusCode.Should().Be(HttpStatusCode.RequestedRangeNotSatisfiable);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("10001")]
    [InlineData("first")]
    public async Task GetObject_ReturnsInvalidArgument_ForAPartNumberOutsideOneToTenThousand(string partNumber)
    {
        await Server.PutObjectAsync(Bucket, "k", [1]);
        var response = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k", query: $"partNumber={partNumber}"));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task GetObject_ReturnsInvalidRequest_ForARangeAndAPartNumberTogether()
    {
        await Server.PutObjectAsync(Bucket, "k", [1, 2, 3]);
        var response = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k", query: "partNumber=1",
            headers: [new("Range", "bytes=0-1")]));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest");
    }

    [Fact]
    public async Task GetObject_ReturnsInvalidRange_BeyondTheEnd_WithTheObjectsSizeInContentRange()
    {
        await Server.PutObjectAsync(Bucket, "short", [1, 2, 3]);
        var request = Server.Request(HttpMethod.Get, Bucket, "short");
        request.Headers.Range = new RangeHeaderValue(5, null);
        var response = await Server.SendAsync(request);
        await response.ShouldBeErrorAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "InvalidRange");
        response.Content.Headers.ContentRange!.ToString().Should().Be("bytes */3");
    }

    [Theory]
    [InlineData("If-Match", "\"00000000000000000000000000000000\"", HttpStatusCode.PreconditionFailed)]
    [InlineData("If-None-Match", "\"ETAG\"", HttpStatusCode.NotModified)]
    public async Task GetObject_AnswersItsPreconditions_BeforeARangeBeyondTheEnd(string header, string value, HttpStatusCode expected)
    {
        // RFC 9110 13.2.2: a download pinned by If-Match to an object since replaced by a shorter one learns it changed.
        var put = await Server.PutObjectAsync(Bucket, "pinned", [1, 2, 3]);
        var response = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "pinned",
            headers: [new("Range", "bytes=30-"), new(header, value.Replace("\"ETAG\"", put.Headers.ETag!.Tag))]));

        response.StatusCode.Should().Be(expected, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("the ETag", HttpStatusCode.PartialContent)]
    [InlineData("the Last-Modified", HttpStatusCode.PartialContent)]
    [InlineData("\"00000000000000000000000000000000\"", HttpStatusCode.OK)]
    [InlineData("W/\"ETAG\"", HttpStatusCode.OK)]
    [InlineData("Mon, 07 Dec 2020 21:13:58 GMT", HttpStatusCode.OK)]
    public async Task GetAndHead_ServeTheRange_OnlyWhileIfRangeNamesTheObject_AndAllOfItOtherwise(string validator, HttpStatusCode expected)
    {
        // A resumed download must not splice the new object's bytes onto the old one's.
        byte[] body = [.. Enumerable.Range(0, 26).Select(i => (byte)('a' + i))];
        var put = await Server.PutObjectAsync(Bucket, "resumed", body);
        var head = await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "resumed"));
        var ifRange = validator switch
        {
            "the ETag" => put.Headers.ETag!.Tag,
            "the Last-Modified" => head.Content.Headers.GetValues("Last-Modified").Single(),
            _ => validator.Replace("\"ETAG\"", put.Headers.ETag!.Tag),
        };

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            var response = await Server.SendAsync(Server.Request(method, Bucket, "resumed", headers: [new("Range", "bytes=20-"), new("If-Range", ifRange)]));

            response.StatusCode.Should().Be(expected, method.Method);
            response.Content.Headers.ContentLength.Should().Be(expected == HttpStatusCode.OK ? 26 : 6, method.Method);
            if (method == HttpMethod.Get)
            {
                (await response.Content.ReadAsByteArrayAsync()).Should().Equal(expected == HttpStatusCode.OK ? body : body[20..]);
            }
        }
    }

    [Theory]
    [InlineData(true, HttpStatusCode.RequestedRangeNotSatisfiable)]
    [InlineData(false, HttpStatusCode.OK)]
    public async Task GetObject_WithARangePastTheEnd_Is416_OnlyWhileIfRangeNamesTheObject(bool namesIt, HttpStatusCode expected)
    {
        // Another object's validator voids the range before it is measured against this one's size.
        var put = await Server.PutObjectAsync(Bucket, "shorter", [1, 2, 3]);
        var ifRange = namesIt ? put.Headers.ETag!.Tag : "\"00000000000000000000000000000000\"";

        var response = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "shorter", headers: [new("Range", "bytes=30-"), new("If-Range", ifRange)]));

        response.StatusCode.Should().Be(expected);
        if (!namesIt)
        {
            (await response.Content.ReadAsByteArrayAsync()).Should().Equal([1, 2, 3]);
        }
    }

    [Fact]
    public async Task HeadObject_AnswersARangeAsItsGetWould()
    {
        await Server.PutObjectAsync(Bucket, "sized", new byte[26]);

        var inside = await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "sized", headers: [new("Range", "bytes=1-3")]));
        var beyond = await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "sized", headers: [new("Range", "bytes=30-")]));
        var withPart = await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "sized", query: "partNumber=1", headers: [new("Range", "bytes=0-1")]));

        inside.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        inside.Content.Headers.ContentLength.Should().Be(3);
        inside.Content.Headers.ContentRange!.ToString().Should().Be("bytes 1-3/26");
        beyond.StatusCode.Should().Be(HttpStatusCode.RequestedRangeNotSatisfiable);
        withPart.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task GetObject_HonoursConditionalHeaders()
    {
        var put = await Server.PutObjectAsync(Bucket, "cond", [1]);
        var etag = put.Headers.ETag!.Tag;

        var notModified = Server.Request(HttpMethod.Get, Bucket, "cond");
        notModified.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag));
        var response = await Server.SendAsync(notModified);
        response.StatusCode.Should().Be(HttpStatusCode.NotModified);
        response.Headers.ETag!.Tag.Should().Be(etag);

        var failed = Server.Request(HttpMethod.Get, Bucket, "cond");
        failed.Headers.IfMatch.Add(new EntityTagHeaderValue("\"0000\""));
        await (await Server.SendAsync(failed)).ShouldBeErrorAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed");

        var matched = Server.Request(HttpMethod.Get, Bucket, "cond");
        matched.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        (await Server.SendAsync(matched)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("If-None-Match", "*", HttpStatusCode.PreconditionFailed)]
    [InlineData("If-Match", "\"00000000000000000000000000000000\"", HttpStatusCode.PreconditionFailed)]
    [InlineData("If-Match", "\"5e732a1878be2342dbfeff5fe3ca5aa3\"", HttpStatusCode.OK)]
    public async Task CopyObject_HonoursIfMatchAndIfNoneMatch_OnItsDestination_AndKeepsItWhenRefused(string header, string value, HttpStatusCode expected)
    {
        await Server.PutObjectAsync(Bucket, "copy-source", [1, 2, 3]);
        await Server.PutObjectAsync(Bucket, "copy-destination", [9]); // ETag 5e732a1878be2342dbfeff5fe3ca5aa3

        var copy = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "copy-destination",
            headers: [new("x-cos-copy-source", $"{TestServer.VirtualHost(Bucket)}/copy-source"), new(header, value)]));

        if (expected == HttpStatusCode.OK)
        {
            copy.StatusCode.Should().Be(HttpStatusCode.OK, await copy.Content.ReadAsStringAsync());
        }
        else
        {
            await copy.ShouldBeErrorAsync(expected, "PreconditionFailed");
        }

        var get = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "copy-destination"));
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(expected == HttpStatusCode.OK ? [1, 2, 3] : [9]);
    }

    [Theory]
    [InlineData("true", HttpStatusCode.Conflict)]
    [InlineData("True", HttpStatusCode.Conflict)]
    [InlineData("false", HttpStatusCode.OK)]
    public async Task PutAndCopy_WithCosForbidOverwrite_AreFileAlreadyExists_OverAnObject_AndKeepIt(string value, HttpStatusCode expected)
    {
        await Server.PutObjectAsync(Bucket, "write-once", [9]);
        await Server.PutObjectAsync(Bucket, "copy-source", [1, 2, 3]);

        var put = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "write-once", content: new ByteArrayContent([7]),
            headers: [new("x-cos-forbid-overwrite", value)]));
        var copy = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "write-once",
            headers: [new("x-cos-copy-source", $"{TestServer.VirtualHost(Bucket)}/copy-source"), new("x-cos-forbid-overwrite", value)]));

        foreach (var response in new[] { put, copy })
        {
            if (expected == HttpStatusCode.OK)
            {
                response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            }
            else
            {
                (await response.ShouldBeErrorAsync(HttpStatusCode.Conflict, "FileAlreadyExists")).Element("Message")!.Value
                    .Should().Be("The object exists and x-cos-forbid-overwrite forbids replacing it.");
            }
        }

        var get = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "write-once"));
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(expected == HttpStatusCode.OK ? [1, 2, 3] : [9]);
    }

    [Theory]
    [InlineData("819200", HttpStatusCode.OK)]
    [InlineData("838860800", HttpStatusCode.OK)]
    [InlineData("819199", HttpStatusCode.BadRequest)]
    [InlineData("838860801", HttpStatusCode.BadRequest)]
    [InlineData("abc", HttpStatusCode.BadRequest)]
    [InlineData("-5", HttpStatusCode.BadRequest)]
    public async Task PutAndGet_WithACosTrafficLimit_TakeOnlyARateCosTakes(string limit, HttpStatusCode expected)
    {
        var put = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "limited", content: new ByteArrayContent([1]),
            headers: [new("x-cos-traffic-limit", limit)]));
        await Server.PutObjectAsync(Bucket, "limited", [2]);
        var get = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "limited", query: "x-cos-traffic-limit=" + limit));

        foreach (var response in new[] { put, get })
        {
            if (expected == HttpStatusCode.OK)
            {
                response.StatusCode.Should().Be(HttpStatusCode.OK);
            }
            else
            {
                (await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument")).Element("Message")!.Value
                    .Should().Be("x-cos-traffic-limit must be a number of bit/s from 819200 to 838860800.");
            }
        }
    }

    [Fact]
    public async Task Put_WithCosForbidOverwrite_WritesANewKey_AVersionedBucketsNewVersion_AndRefusesAValueNeitherTrueNorFalse()
    {
        (await Server.PutObjectAsync(Bucket, "fresh", [1], [new("x-cos-forbid-overwrite", "true")])).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "fresh", content: new ByteArrayContent([2]),
            headers: [new("x-cos-forbid-overwrite", "yes")]))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");

        (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, query: "versioning",
            content: new StringContent("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")))).EnsureSuccessStatusCode();
        var versioned = await Server.PutObjectAsync(Bucket, "fresh", [3], [new("x-cos-forbid-overwrite", "true")]);
        versioned.StatusCode.Should().Be(HttpStatusCode.OK, "a versioned bucket keeps what a write would replace");
        versioned.Headers.GetValues("x-cos-version-id").Single().Should().NotBe("null");
        var get = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "fresh"));
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal([3]);
    }

    [Fact]
    public async Task GetObject_AppliesResponseHeaderOverrides()
    {
        await Server.PutObjectAsync(Bucket, "override", [1]);
        var response = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "override",
            query: "response-content-type=image%2Fpng&response-content-disposition=attachment"));
        response.Content.Headers.ContentType!.MediaType.Should().Be("image/png");
        response.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment");
    }

    [Fact]
    public async Task GetObject_ReturnsNoSuchKey_ForMissingKey()
    {
        var response = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "missing/key"));
        var error = await response.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey");
        error.Element("Resource")!.Value.Should().Be($"{TestServer.VirtualHost(Bucket)}/missing/key");
    }

    [Fact]
    public async Task GetObject_ReturnsNoSuchBucket_ForMissingBucket()
    {
        var response = await Server.SendAsync(Server.Request(HttpMethod.Get, TestServer.BucketName("nobucket"), "k"));
        await response.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchBucket");
    }

    [Fact]
    public async Task DeleteObject_Returns204_AndTheObjectIsGone()
    {
        await Server.PutObjectAsync(Bucket, "gone", [1]);
        (await Server.SendAsync(Server.Request(HttpMethod.Delete, Bucket, "gone"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await Server.SendAsync(Server.Request(HttpMethod.Delete, Bucket, "gone"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "gone"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
