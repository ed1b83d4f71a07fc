using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Coffer.Protocol.Auth;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>What only raw SigV4 requests can show: rejected payloads are never stored, and errors speak S3.</summary>
public sealed class S3DialectTests() : ServerTestBase("s3")
{
    [Fact]
    public async Task PutObject_StoresTheBody_WhenItsSha256Matches()
    {
        var body = "signed payload"u8.ToArray();
        var response = await SendAsync(HttpMethod.Put, "/signed.txt", body, S3RequestSigner.Sha256(body));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("x-amz-request-id").Should().ContainSingle();
        response.Headers.Server.ToString().Should().Be("AmazonS3");
        (await GetAsync("/signed.txt")).Should().Equal(body);
    }

    [Fact]
    public async Task PutObject_ReturnsXAmzContentSha256Mismatch_AndStoresNothing_WhenTheBodyDiffers()
    {
        var response = await SendAsync(HttpMethod.Put, "/tampered.txt", "actual body"u8.ToArray(), S3RequestSigner.Sha256("signed body"u8.ToArray()));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "XAmzContentSHA256Mismatch", Dialect.S3);
        (await SendAsync(HttpMethod.Head, "/tampered.txt", null, S3RequestSigner.Sha256([]))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutObject_StoresTheBody_WithAHeaderSignedUnsignedPayload()
    {
        var body = "hashed by nobody"u8.ToArray();
        var response = await SendAsync(HttpMethod.Put, "/unsigned.txt", body, "UNSIGNED-PAYLOAD");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Headers.ETag!.Tag.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(body))}\"");
        (await GetAsync("/unsigned.txt")).Should().Equal(body);
    }

    [Fact]
    public async Task PutObject_ReturnsBadDigest_AndStoresNothing_WhenContentMd5DiffersFromAnUnsignedPayload()
    {
        var request = Request(HttpMethod.Put, "/md5.txt", "actual body"u8.ToArray());
        request.Content!.Headers.ContentMD5 = MD5.HashData("signed body"u8);
        S3RequestSigner.Sign(request, TestAccounts.Owner, DateTimeOffset.UtcNow, "UNSIGNED-PAYLOAD");
        await (await Server.SendRawAsync(request)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "BadDigest", Dialect.S3);
        await ShouldBeStoredNowhereAsync("/md5.txt");
    }

    [Fact]
    public async Task ListBuckets_ListsFromTheStart_WhenTheContinuationTokenIsEmpty()
    {
        var response = await S3.SendAsync(S3.RequestAt(HttpMethod.Get, "/", "continuation-token="));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Descendants(XName.Get("Name", "http://s3.amazonaws.com/doc/2006-03-01/"))
            .Select(n => n.Value).Should().Equal(Bucket);
    }

    [Fact]
    public async Task ListBuckets_PagesWithMaxBucketsAndContinuationTokens_AndFiltersByPrefix()
    {
        var first = TestServer.BucketName("a-first");
        var last = TestServer.BucketName("z-last");
        (await S3.SendAsync(HttpMethod.Put, first)).EnsureSuccessStatusCode();
        (await S3.SendAsync(HttpMethod.Put, last)).EnsureSuccessStatusCode();
        XNamespace ns = "http://s3.amazonaws.com/doc/2006-03-01/";
        async Task<XElement> ListAsync(string query) =>
            XDocument.Parse(await (await S3.SendAsync(S3.RequestAt(HttpMethod.Get, "/", query))).Content.ReadAsStringAsync()).Root!;
        static string[] Names(XElement result) => result.Descendants(XName.Get("Name", "http://s3.amazonaws.com/doc/2006-03-01/")).Select(n => n.Value).ToArray();

        var page = await ListAsync("max-buckets=2");
        Names(page).Should().Equal(first, Bucket);
        var token = page.Element(ns + "ContinuationToken")!.Value;
        var rest = await ListAsync("max-buckets=2&continuation-token=" + Uri.EscapeDataString(token));
        Names(rest).Should().Equal(last);
        rest.Element(ns + "ContinuationToken").Should().BeNull("the last page has none");

        var filtered = await ListAsync("prefix=z-");
        Names(filtered).Should().Equal(last);
        filtered.Element(ns + "Prefix")!.Value.Should().Be("z-");
        await (await S3.SendAsync(S3.RequestAt(HttpMethod.Get, "/", "max-buckets=0"))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        await (await S3.SendAsync(S3.RequestAt(HttpMethod.Get, "/", "continuation-token=nonsense"))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
    }

    [Fact]
    public async Task DeleteObject_ReturnsInvalidArgument_ForAMalformedVersionId()
    {
        await SendAsync(HttpMethod.Put, "/k", [1], S3RequestSigner.Sha256([1]));
        var response = await SendAsync(HttpMethod.Delete, "/k?versionId=zzz", null, S3RequestSigner.Sha256([]));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
    }

    [Fact]
    public async Task PutObject_DecodesASignedChunkedBody()
    {
        var data = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        var response = await SendChunkedAsync("/chunked.bin", data);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await GetAsync("/chunked.bin")).Should().Equal(data);
    }

    [Fact]
    public async Task PutObject_ReturnsSignatureDoesNotMatch_AndStoresNothing_WhenAChunkIsTampered()
    {
        var data = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        var response = await SendChunkedAsync("/tampered.bin", data, alter: body =>
        {
            body[150_100] ^= 0xFF;
            return body;
        });
        await response.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", Dialect.S3);
        await ShouldBeStoredNowhereAsync("/tampered.bin");
    }

    [Fact]
    public async Task PutObject_StoresTheBodyAndItsChecksum_WithASignedTrailer()
    {
        var data = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        var response = await SendChunkedAsync("/trailer.bin", data, "x-amz-checksum-crc32");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Headers.GetValues("x-amz-checksum-crc32").Should().ContainSingle();
        response.Headers.GetValues("x-amz-checksum-type").Should().Equal("FULL_OBJECT");
        (await GetAsync("/trailer.bin")).Should().Equal(data);
    }

    [Fact]
    public async Task PutObject_ReturnsSignatureDoesNotMatch_AndStoresNothing_WhenTheTrailerSignatureIsWrong()
    {
        var data = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        var response = await SendChunkedAsync("/bad-trailer.bin", data, "x-amz-checksum-crc32", body =>
        {
            var signature = body.AsSpan().IndexOf("x-amz-trailer-signature:"u8) + "x-amz-trailer-signature:".Length;
            body[signature] = body[signature] == (byte)'0' ? (byte)'1' : (byte)'0';
            return body;
        });
        await response.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", Dialect.S3);
        await ShouldBeStoredNowhereAsync("/bad-trailer.bin");
    }

    [Theory]
    [InlineData("bad", HttpStatusCode.BadRequest, "InvalidRequest")]
    [InlineData("AAAAAA==", HttpStatusCode.BadRequest, "BadDigest")]
    public async Task PutObject_RefusesATrailingChecksum_ThatIsNoDigest_AsInvalidRequest_AndOneThatDiffers_AsBadDigest(string value, HttpStatusCode status, string code)
    {
        var data = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();

        var response = await SendChunkedAsync("/trailer-value.bin", data, "x-amz-checksum-crc32", trailerValue: value);

        var error = await response.ShouldBeErrorAsync(status, code, Dialect.S3);
        if (code == "InvalidRequest")
        {
            error.Element("Message")!.Value.Should().Be("Value for x-amz-checksum-crc32 trailing header is invalid.");
        }

        await ShouldBeStoredNowhereAsync("/trailer-value.bin");
    }

    [Fact]
    public async Task PutObject_ReturnsIncompleteBody_AndStoresNothing_WhenTheSignedTrailerIsDropped()
    {
        var data = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        var response = await SendChunkedAsync("/no-trailer.bin", data, "x-amz-checksum-crc32",
            body => [.. body[..body.AsSpan().IndexOf("x-amz-checksum-crc32:"u8)], .. "\r\n"u8]);
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "IncompleteBody", Dialect.S3);
        await ShouldBeStoredNowhereAsync("/no-trailer.bin");
    }

    [Theory]
    [InlineData("two headers")]
    [InlineData("a header and a trailer")]
    public async Task PutObject_RefusesMoreThanOneChecksum_AndStoresNothing(string how)
    {
        // Checking one of them only would let a wrong other one pass for checked.
        var data = "checked twice"u8.ToArray();
        KeyValuePair<string, string>[] wrongSha1 = [new("x-amz-checksum-sha1", Convert.ToBase64String(new byte[20]))];
        var response = how == "two headers"
            ? await SendAsync(HttpMethod.Put, "/twice.bin", data, S3RequestSigner.Sha256(data), [new("x-amz-checksum-crc32", ChecksumOf("x-amz-checksum-crc32", data)), .. wrongSha1])
            : await SendChunkedAsync("/twice.bin", data, "x-amz-checksum-crc32", headers: wrongSha1);

        var error = await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        error.Element("Message")!.Value.Should().Be("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
        await ShouldBeStoredNowhereAsync("/twice.bin");
    }

    [Theory]
    [InlineData("x-amz-checksum-crc32", "!!!")]
    [InlineData("x-amz-checksum-crc32", "AAAAAAAA")]
    [InlineData("x-amz-checksum-sha256", "AAAAAA==")]
    public async Task PutObject_RefusesAChecksumThatIsNoDigestOfItsAlgorithm_AsInvalidRequest(string header, string value)
    {
        var data = "any bytes"u8.ToArray();

        var response = await SendAsync(HttpMethod.Put, "/malformed.bin", data, S3RequestSigner.Sha256(data), [new(header, value)]);

        var error = await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        error.Element("Message")!.Value.Should().Be($"Value for {header} header is invalid.");
        await ShouldBeStoredNowhereAsync("/malformed.bin");
    }

    [Theory]
    [InlineData("a header")]
    [InlineData("a trailer")]
    public async Task PutObject_RefusesAnSdkChecksumAlgorithm_ThatNamesAnotherThanTheChecksumSent(string sentIn)
    {
        var data = "any bytes"u8.ToArray();
        KeyValuePair<string, string> named = new("x-amz-sdk-checksum-algorithm", "SHA256");

        var response = sentIn == "a header"
            ? await SendAsync(HttpMethod.Put, "/other.bin", data, S3RequestSigner.Sha256(data), [new("x-amz-checksum-crc32", ChecksumOf("x-amz-checksum-crc32", data)), named])
            : await SendChunkedAsync("/other.bin", data, "x-amz-checksum-crc32", headers: [named]);

        var error = await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        error.Element("Message")!.Value.Should().Be("Value for x-amz-sdk-checksum-algorithm header is invalid.");
        await ShouldBeStoredNowhereAsync("/other.bin");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PutObject_ChecksAChecksumHeader_OnAnAwsChunkedBodyWithoutATrailer(bool right)
    {
        var data = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        var checksum = right ? ChecksumOf("x-amz-checksum-crc32c", data) : ChecksumOf("x-amz-checksum-crc32c", [1]);

        var response = await SendChunkedAsync("/chunked-header.bin", data, headers: [new("x-amz-checksum-crc32c", checksum)]);

        if (right)
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            response.Headers.GetValues("x-amz-checksum-crc32c").Single().Should().Be(checksum);
            (await GetAsync("/chunked-header.bin")).Should().Equal(data);
        }
        else
        {
            await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "BadDigest", Dialect.S3);
            await ShouldBeStoredNowhereAsync("/chunked-header.bin");
        }
    }

    [Theory]
    [InlineData("SHA256", null)]
    [InlineData("crc32", null)]
    [InlineData(null, "x-amz-checksum-crc32c")]
    public async Task CopyObject_ComputesTheChecksumAskedFor_OrTheSources_AndAnswersIt(string? asked, string? sourceChecksum)
    {
        var data = "copied with a checksum"u8.ToArray();
        KeyValuePair<string, string>[] sent = sourceChecksum is null ? [] : [new(sourceChecksum, ChecksumOf(sourceChecksum, data))];
        (await SendAsync(HttpMethod.Put, "/checksum-source", data, S3RequestSigner.Sha256(data), sent)).StatusCode.Should().Be(HttpStatusCode.OK);
        var header = sourceChecksum ?? "x-amz-checksum-" + asked!.ToLowerInvariant();
        KeyValuePair<string, string>[] copyHeaders = [new("x-amz-copy-source", $"/{Bucket}/checksum-source"), .. asked is null ? [] : new[] { new KeyValuePair<string, string>("x-amz-checksum-algorithm", asked) }];

        var copy = await SendAsync(HttpMethod.Put, "/checksum-copy", null, S3RequestSigner.Sha256([]), copyHeaders);

        var text = await copy.Content.ReadAsStringAsync();
        copy.StatusCode.Should().Be(HttpStatusCode.OK, text);
        var result = XDocument.Parse(text).Root!.Elements().ToDictionary(e => e.Name.LocalName, e => e.Value);
        var element = "Checksum" + header["x-amz-checksum-".Length..].ToUpperInvariant();
        result[element].Should().Be(ChecksumOf(header, data));
        result["ChecksumType"].Should().Be("FULL_OBJECT");
        var head = await SendAsync(HttpMethod.Head, "/checksum-copy", null, S3RequestSigner.Sha256([]), [new("x-amz-checksum-mode", "ENABLED")]);
        head.Headers.GetValues(header).Single().Should().Be(ChecksumOf(header, data));
        head.Headers.GetValues("x-amz-checksum-type").Single().Should().Be("FULL_OBJECT");
    }

    [Fact]
    public async Task Listings_NameTheAlgorithmAndTypeOfEachObjectsChecksum_AndNothingForAnObjectWithout()
    {
        var data = "summed"u8.ToArray();
        await SendAsync(HttpMethod.Put, "/sums/crc", data, S3RequestSigner.Sha256(data), [new("x-amz-checksum-crc32", ChecksumOf("x-amz-checksum-crc32", data))]);
        await SendAsync(HttpMethod.Put, "/sums/plain", data, S3RequestSigner.Sha256(data));

        foreach (var (query, element) in new[] { ("list-type=2&", "Contents"), ("", "Contents"), ("versions&", "Version") })
        {
            var listing = XDocument.Parse(await (await SendAsync(HttpMethod.Get, $"/?{query}prefix=sums/", null, S3RequestSigner.Sha256([])))
                .Content.ReadAsStringAsync()).Root!;
            var entries = listing.Elements().Where(e => e.Name.LocalName == element).ToList();
            entries.Select(e => e.Elements().Select(c => c.Name.LocalName).ToList()).First()
                .Should().ContainInConsecutiveOrder(["ETag", "ChecksumAlgorithm", "ChecksumType", "Size"], query);
            entries.Select(e => (Key(e), Child(e, "ChecksumAlgorithm"), Child(e, "ChecksumType")))
                .Should().Equal([("sums/crc", "CRC32", "FULL_OBJECT"), ("sums/plain", null, null)], query);
        }

        var cos = XDocument.Parse(await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: "prefix=sums/"))).Content.ReadAsStringAsync()).Root!;
        cos.Descendants().Should().NotContain(e => e.Name.LocalName.StartsWith("Checksum", StringComparison.Ordinal), "COS lists no checksums");

        static string Key(XElement entry) => Child(entry, "Key")!;
        static string? Child(XElement entry, string name) => entry.Elements().FirstOrDefault(c => c.Name.LocalName == name)?.Value;
    }

    [Theory]
    [InlineData("x-amz-checksum-algorithm", "SHA256")]
    [InlineData("x-amz-website-redirect-location", "/moved.html")]
    public async Task CopyObject_OntoItself_ChangingOnlyItsChecksumOrItsRedirect_IsAChange(string header, string value)
    {
        // Copying in place is how a client adds a checksum to an object, or points it elsewhere.
        var data = "in place"u8.ToArray();
        await SendAsync(HttpMethod.Put, "/in-place", data, S3RequestSigner.Sha256(data), [new("x-amz-website-redirect-location", "/before.html")]);

        var copy = await SendAsync(HttpMethod.Put, "/in-place", null, S3RequestSigner.Sha256([]), [new("x-amz-copy-source", $"/{Bucket}/in-place"), new(header, value)]);

        copy.StatusCode.Should().Be(HttpStatusCode.OK, await copy.Content.ReadAsStringAsync());
        var head = await SendAsync(HttpMethod.Head, "/in-place", null, S3RequestSigner.Sha256([]), [new("x-amz-checksum-mode", "ENABLED")]);
        if (header == "x-amz-checksum-algorithm")
        {
            head.Headers.GetValues("x-amz-checksum-sha256").Single().Should().Be(ChecksumOf("x-amz-checksum-sha256", data));
            head.Headers.Contains("x-amz-website-redirect-location").Should().BeFalse("a redirect is not copied (S3)");
        }
        else
        {
            head.Headers.GetValues("x-amz-website-redirect-location").Single().Should().Be(value, "the request's redirect, not the source's");
        }
    }

    [Theory]
    [InlineData("BOGUS", HttpStatusCode.BadRequest, "InvalidRequest")]
    [InlineData("MD5", HttpStatusCode.NotImplemented, "NotImplemented")]
    public async Task CopyObject_RefusesAChecksumAlgorithmItCannotCompute_AndCopiesNothing(string algorithm, HttpStatusCode status, string code)
    {
        await SendAsync(HttpMethod.Put, "/uncheckable", "x"u8.ToArray(), S3RequestSigner.Sha256("x"u8.ToArray()));

        var copy = await SendAsync(HttpMethod.Put, "/uncheckable-copy", null, S3RequestSigner.Sha256([]),
            [new("x-amz-copy-source", $"/{Bucket}/uncheckable"), new("x-amz-checksum-algorithm", algorithm)]);

        await copy.ShouldBeErrorAsync(status, code, Dialect.S3);
        await ShouldBeStoredNowhereAsync("/uncheckable-copy");
    }

    [Theory]
    [InlineData("/elsewhere.html", HttpStatusCode.OK)]
    [InlineData("https://example.com/page", HttpStatusCode.OK)]
    [InlineData("ftp://example.com/page", HttpStatusCode.BadRequest)]
    public async Task PutObject_KeepsItsWebsiteRedirectLocation_AndRefusesOneNoWebsiteCouldFollow(string location, HttpStatusCode expected)
    {
        var data = "x"u8.ToArray();

        var put = await SendAsync(HttpMethod.Put, "/redirected", data, S3RequestSigner.Sha256(data), [new("x-amz-website-redirect-location", location)]);

        put.StatusCode.Should().Be(expected, await put.Content.ReadAsStringAsync());
        var head = await SendAsync(HttpMethod.Head, "/redirected", null, S3RequestSigner.Sha256([]));
        if (expected == HttpStatusCode.OK)
        {
            head.Headers.GetValues("x-amz-website-redirect-location").Single().Should().Be(location);
        }
        else
        {
            head.StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing is stored");
        }
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("99999999999999999999")]
    [InlineData("ten")]
    public async Task PutObject_RefusesADecodedLengthThatIsNoLength_AndStoresNothing(string decodedLength)
    {
        var response = await SendChunkedAsync("/misread.bin", "ten bytes!"u8.ToArray(), decodedLength: decodedLength);

        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        await ShouldBeStoredNowhereAsync("/misread.bin");
    }

    [Fact]
    public async Task CopyObject_CopiesTheBytes_FromXAmzCopySource()
    {
        await SendAsync(HttpMethod.Put, "/src", "copied"u8.ToArray(), S3RequestSigner.Sha256("copied"u8.ToArray()));
        var request = Request(HttpMethod.Put, "/dst");
        request.Headers.TryAddWithoutValidation("x-amz-copy-source", $"/{Bucket}/src");
        S3RequestSigner.Sign(request, TestAccounts.Owner, DateTimeOffset.UtcNow, S3RequestSigner.Sha256([]));
        var response = await Server.SendRawAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await GetAsync("/dst")).Should().Equal("copied"u8.ToArray());
    }

    [Fact]
    public async Task CopyObject_ReturnsInvalidArgument_AndStoresNothing_ForTheCosCopySourceHeader()
    {
        await SendAsync(HttpMethod.Put, "/src", [1], S3RequestSigner.Sha256([1]));
        var request = Request(HttpMethod.Put, "/dst");
        request.Headers.TryAddWithoutValidation("x-cos-copy-source", $"{TestServer.VirtualHost(Bucket)}/src");
        S3RequestSigner.Sign(request, TestAccounts.Owner, DateTimeOffset.UtcNow, S3RequestSigner.Sha256([]));
        await (await Server.SendRawAsync(request)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        (await SendAsync(HttpMethod.Head, "/dst", null, S3RequestSigner.Sha256([]))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Request_ReturnsNotImplementedInS3Terms_ForAnUnknownSubResource()
    {
        var response = await SendAsync(HttpMethod.Get, "/?torrent", null, S3RequestSigner.Sha256([]));
        await response.ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented", Dialect.S3);
    }

    [Fact]
    public async Task PresignedUrl_ReturnsAuthorizationQueryParametersError_ForAnExpiryBeyondWhatATimeSpanHolds()
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var request = Request(HttpMethod.Get, "/key?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
            $"&X-Amz-Credential={TestAccounts.Owner.SecretId}%2F{now[..8]}%2F{S3RequestSigner.Region}%2Fs3%2Faws4_request" +
            $"&X-Amz-Date={now}&X-Amz-Expires={long.MaxValue}&X-Amz-SignedHeaders=host&X-Amz-Signature=00");
        await (await Server.SendRawAsync(request)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "AuthorizationQueryParametersError", Dialect.S3);
    }

    [Fact]
    public async Task GetObject_ReturnsThePartAndXAmzMpPartsCount_WithPartNumber()
    {
        var part1 = Enumerable.Range(0, 1 << 20).Select(i => (byte)i).ToArray();
        var part2 = "the last part"u8.ToArray();
        await Server.PutMultipartObjectAsync(Bucket, "mp.bin", part1, part2);

        var response = await SendAsync(HttpMethod.Get, "/mp.bin?partNumber=2", null, S3RequestSigner.Sha256([]));
        response.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(part2);
        response.Headers.GetValues("x-amz-mp-parts-count").Single().Should().Be("2");
        response.Content.Headers.ContentRange!.ToString().Should().Be($"bytes {part1.Length}-{part1.Length + part2.Length - 1}/{part1.Length + part2.Length}");
        await (await SendAsync(HttpMethod.Get, "/mp.bin?partNumber=3", null, S3RequestSigner.Sha256([])))
            .ShouldBeErrorAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "InvalidPartNumber", Dialect.S3);
    }

    [Fact]
    public async Task Request_ReturnsSignatureDoesNotMatch_WithAnotherSecret()
    {
        var request = Request(HttpMethod.Get, "/");
        S3RequestSigner.Sign(request, TestAccounts.Owner with { SecretKey = "wrong" }, DateTimeOffset.UtcNow, S3RequestSigner.Sha256([]));
        await (await Server.SendRawAsync(request)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", Dialect.S3);
    }

    [Fact]
    public async Task Request_ReturnsRequestTimeTooSkewed_WhenSignedAnHourAgo()
    {
        var request = Request(HttpMethod.Get, "/");
        S3RequestSigner.Sign(request, TestAccounts.Owner, DateTimeOffset.UtcNow.AddHours(-1), S3RequestSigner.Sha256([]));
        await (await Server.SendRawAsync(request)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "RequestTimeTooSkewed", Dialect.S3);
    }

    [Fact]
    public async Task PresignedPut_RefusesUnsignedXAmzHeaders_SoItsHolderCannotTurnItIntoAPublicCopy()
    {
        (await SendAsync(HttpMethod.Put, "/secret.txt", "private"u8.ToArray(), S3RequestSigner.Sha256("private"u8.ToArray()))).EnsureSuccessStatusCode();
        var url = S3RequestSigner.Presign(HttpMethod.Put, Server.BaseAddress, $"/{Bucket}/avatar.png", TestAccounts.Owner, DateTimeOffset.UtcNow);
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent([]) };
        request.Headers.TryAddWithoutValidation("x-amz-copy-source", $"/{Bucket}/secret.txt");
        request.Headers.TryAddWithoutValidation("x-amz-acl", "public-read");

        var error = await (await Server.SendRawAsync(request)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        error.Element("Message")!.Value.Should().Be("There were headers present in the request which were not signed");
        error.Element("HeadersNotSigned")!.Value.Should().Be("x-amz-copy-source, x-amz-acl");
        (await SendAsync(HttpMethod.Head, "/avatar.png", null, S3RequestSigner.Sha256([]))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var plain = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent("png"u8.ToArray()) };
        (await Server.SendRawAsync(plain)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PresignedPut_AppliesTheHeadersItsQueryCarries_AndIgnoresItsChecksums()
    {
        // As @aws-sdk/s3-request-presigner writes a PutObjectCommand with an ACL, metadata and tags, with the CRC-32 of
        // the empty body it had when it signed.
        var url = S3RequestSigner.Presign(HttpMethod.Put, Server.BaseAddress, $"/{Bucket}/hoisted.txt", TestAccounts.Owner, DateTimeOffset.UtcNow,
            "&x-amz-acl=public-read&x-amz-meta-color=blue&x-amz-tagging=k%3Dv&x-amz-checksum-crc32=AAAAAA%3D%3D&x-amz-sdk-checksum-algorithm=CRC32");
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent("hello"u8.ToArray()) };
        request.Headers.TryAddWithoutValidation("x-amz-acl", "private"); // unsigned: the query's signed value counts
        (await Server.SendRawAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK);

        var get = await S3.SendAsync(HttpMethod.Get, Bucket, "hoisted.txt");
        (await get.Content.ReadAsStringAsync()).Should().Be("hello");
        get.Headers.GetValues("x-amz-meta-color").Should().Equal("blue");
        get.Headers.GetValues("x-amz-tagging-count").Should().Equal("1");
        var acl = await (await S3.SendAsync(HttpMethod.Get, Bucket, "hoisted.txt", "acl")).Content.ReadAsStringAsync();
        acl.Should().Contain("<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission>");

        // A copy source in the query makes the request a copy, as the header would.
        var copyUrl = S3RequestSigner.Presign(HttpMethod.Put, Server.BaseAddress, $"/{Bucket}/copied.txt", TestAccounts.Owner, DateTimeOffset.UtcNow,
            $"&x-amz-copy-source={Uri.EscapeDataString($"/{Bucket}/hoisted.txt")}");
        var copy = await Server.SendRawAsync(new HttpRequestMessage(HttpMethod.Put, copyUrl) { Content = new ByteArrayContent([]) });
        copy.StatusCode.Should().Be(HttpStatusCode.OK);
        (await copy.Content.ReadAsStringAsync()).Should().Contain("<CopyObjectResult");
        (await (await S3.SendAsync(HttpMethod.Get, Bucket, "copied.txt")).Content.ReadAsStringAsync()).Should().Be("hello");
    }

    [Fact]
    public async Task PublicObject_EncryptedWithKms_IsReadOnlyBySignedRequests_AsS3Answers()
    {
        foreach (var (key, encryption) in new[] { ("kms.txt", "aws:kms"), ("aes.txt", "AES256") })
        {
            (await S3.SendAsync(HttpMethod.Put, Bucket, key, body: "secret"u8.ToArray(),
                headers: [new("x-amz-server-side-encryption", encryption), new("x-amz-acl", "public-read")])).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using var anonymous = new HttpClient { BaseAddress = Server.BaseAddress };
        await (await anonymous.GetAsync($"/{Bucket}/kms.txt")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "acl", headers: [new("x-amz-acl", "public-read-write")])).StatusCode.Should().Be(HttpStatusCode.OK);
        var copy = new HttpRequestMessage(HttpMethod.Put, $"/{Bucket}/copied.txt");
        copy.Headers.TryAddWithoutValidation("x-amz-copy-source", $"/{Bucket}/kms.txt");
        (await anonymous.SendAsync(copy)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "a copy reads its source as a GET would");
        (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{Bucket}/kms.txt"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await anonymous.GetStringAsync($"/{Bucket}/aes.txt")).Should().Be("secret", "SSE-S3 needs no key permission");
        (await (await S3.SendAsync(HttpMethod.Get, Bucket, "kms.txt")).Content.ReadAsStringAsync()).Should().Be("secret");
    }

    [Fact]
    public async Task KmsKeyId_ThatNoHeaderCanCarry_IsInvalidArgument_OnAPutAndInTheBucketsDefault_AndNothingIsStored()
    {
        // Every answer about the object repeats the key id in a header: one with a control character would fail them all.
        var put = await S3.SendAsync(HttpMethod.Put, Bucket, "kms.txt", body: "x"u8.ToArray(),
            headers: [new("x-amz-server-side-encryption", "aws:kms"), new("x-amz-server-side-encryption-aws-kms-key-id", "key\u007f1")]);
        await put.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        (await S3.SendAsync(HttpMethod.Head, Bucket, "kms.txt")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var encryption = await S3.SendAsync(HttpMethod.Put, Bucket, query: "encryption", body: Encoding.UTF8.GetBytes(
            "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>" +
            "<KMSMasterKeyID>key&#10;1</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"));
        await encryption.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
    }

    [Fact]
    public async Task PresignedPut_WithAMetadataNameNoHeaderCanHave_InItsQuery_IsInvalidArgument_AndStoresNothing()
    {
        var url = S3RequestSigner.Presign(HttpMethod.Put, Server.BaseAddress, $"/{Bucket}/named.txt", TestAccounts.Owner, DateTimeOffset.UtcNow,
            "&x-amz-meta-my%20key=v");
        await (await Server.SendRawAsync(new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent([1]) }))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        (await S3.SendAsync(HttpMethod.Head, Bucket, "named.txt")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Request_RefusesAnXAmzHeaderAddedAfterItWasSigned_ButNotItsPayloadHashDateOrCloudFrontsOwn()
    {
        var request = Request(HttpMethod.Put, "/acl.txt", "body"u8.ToArray());
        S3RequestSigner.Sign(request, TestAccounts.Owner, DateTimeOffset.UtcNow, S3RequestSigner.Sha256("body"u8.ToArray()));
        request.Headers.TryAddWithoutValidation("X-Amz-Acl", "public-read");
        var error = await (await Server.SendRawAsync(request)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        error.Element("HeadersNotSigned")!.Value.Should().Be("x-amz-acl");

        // The payload hash and the date are in the string to sign whether or not SignedHeaders names them.
        var unlisted = Request(HttpMethod.Put, "/acl.txt", "body"u8.ToArray());
        S3RequestSigner.Sign(unlisted, TestAccounts.Owner, DateTimeOffset.UtcNow, S3RequestSigner.Sha256("body"u8.ToArray()));
        var authorization = unlisted.Headers.GetValues("Authorization").Single();
        var amzDate = unlisted.Headers.GetValues("x-amz-date").Single();
        var stringToSign = SigV4.StringToSign(amzDate, $"{amzDate[..8]}/{S3RequestSigner.Region}/s3/aws4_request", SigV4.CanonicalRequest("PUT",
            SigV4.CanonicalUri($"/{Bucket}/acl.txt"), "", [new("host", Server.BaseAddress.Authority)], S3RequestSigner.Sha256("body"u8.ToArray())));
        var signature = SigV4.Sign(SigV4.SigningKey(TestAccounts.Owner.SecretKey, amzDate[..8], S3RequestSigner.Region, "s3"), stringToSign);
        unlisted.Headers.Remove("Authorization");
        unlisted.Headers.TryAddWithoutValidation("Authorization", authorization[..authorization.IndexOf("SignedHeaders=", StringComparison.Ordinal)]
            + $"SignedHeaders=host,Signature={signature}");
        unlisted.Headers.TryAddWithoutValidation("X-Amz-Cf-Id", "CloudFront adds it on its way"); // the proxy's, not the client's
        (await Server.SendRawAsync(unlisted)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Request_IsMalformed_WhenSignedForAnotherServiceThanS3()
    {
        var url = S3RequestSigner.Presign(HttpMethod.Get, Server.BaseAddress, $"/{Bucket}/", TestAccounts.Owner, DateTimeOffset.UtcNow, service: "execute-api");
        var error = await (await Server.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, url)))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "AuthorizationQueryParametersError", Dialect.S3);
        error.Element("Message")!.Value.Should().Be("Error parsing the X-Amz-Credential parameter; incorrect service \"execute-api\". This endpoint belongs to \"s3\".");

        var request = Request(HttpMethod.Get, "/");
        S3RequestSigner.Sign(request, TestAccounts.Owner, DateTimeOffset.UtcNow, S3RequestSigner.Sha256([]));
        var authorization = request.Headers.GetValues("Authorization").Single().Replace("/s3/aws4_request", "/sts/aws4_request", StringComparison.Ordinal);
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        await (await Server.SendRawAsync(request)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "AuthorizationHeaderMalformed", Dialect.S3);
    }

    [Fact]
    public async Task Request_ReturnsInvalidArgument_WithAnAuthorizationHeaderBesideAPresignedSignature()
    {
        var url = S3RequestSigner.Presign(HttpMethod.Get, Server.BaseAddress, $"/{Bucket}/", TestAccounts.Owner, DateTimeOffset.UtcNow);
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={TestAccounts.Owner.SecretId}/x, SignedHeaders=host, Signature=00");
        var error = await (await Server.SendRawAsync(request)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        error.Element("Message")!.Value.Should().StartWith("Only one auth mechanism allowed");
    }

    [Fact]
    public async Task Request_ReturnsInvalidRequest_ForSignatureVersion2()
    {
        var request = Request(HttpMethod.Get, "/");
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS {TestAccounts.Owner.SecretId}:c2lnbmF0dXJl");
        await (await Server.SendRawAsync(request)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
    }

    [Fact]
    public async Task GetObject_ReturnsNoSuchKey_InS3Terms()
    {
        var response = await SendAsync(HttpMethod.Get, "/missing", null, S3RequestSigner.Sha256([]));
        var error = await response.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey", Dialect.S3);
        error.Element("Resource")!.Value.Should().Be($"/{Bucket}/missing");
    }

    [Fact]
    public async Task Requests_NameTheBucketInTheHost_OnTheAwsVirtualHostDomain()
    {
        var host = $"{Bucket}.s3.{S3RequestSigner.Region}.amazonaws.com";
        var body = "virtual host"u8.ToArray();
        var put = new HttpRequestMessage(HttpMethod.Put, new Uri(Server.BaseAddress, "/dir/vhost.txt")) { Content = new ByteArrayContent(body) };
        put.Headers.Host = host;
        S3RequestSigner.Sign(put, TestAccounts.Owner, DateTimeOffset.UtcNow, S3RequestSigner.Sha256(body));
        (await Server.SendRawAsync(put)).StatusCode.Should().Be(HttpStatusCode.OK);

        var list = new HttpRequestMessage(HttpMethod.Get, new Uri(Server.BaseAddress, "/?list-type=2"));
        list.Headers.Host = host;
        S3RequestSigner.Sign(list, TestAccounts.Owner, DateTimeOffset.UtcNow, S3RequestSigner.Sha256([]));
        var listed = XDocument.Parse(await (await Server.SendRawAsync(list)).Content.ReadAsStringAsync()).Root!;
        XElement(listed, "Name").Should().Be(Bucket);
        listed.Elements(S3Name("Contents")).Select(c => c.Element(S3Name("Key"))!.Value).Should().Equal("dir/vhost.txt");
        (await GetAsync("/dir/vhost.txt")).Should().Equal(body, "the path-style address reaches the same object");
    }

    [Fact]
    public async Task ListObjectsV2_PagesWithContinuationTokens()
    {
        foreach (var key in new[] { "a", "b", "c" })
        {
            await SendAsync(HttpMethod.Put, "/" + key, [1], S3RequestSigner.Sha256([1]));
        }

        var first = await ListV2Async("list-type=2&max-keys=2");
        XElement(first, "KeyCount").Should().Be("2");
        XElement(first, "IsTruncated").Should().Be("true");
        var token = XElement(first, "NextContinuationToken")!;
        var second = await ListV2Async($"list-type=2&max-keys=2&continuation-token={Uri.EscapeDataString(token)}");
        second.Elements(S3Name("Contents")).Select(c => c.Element(S3Name("Key"))!.Value).Should().Equal("c");
        XElement(second, "ContinuationToken").Should().Be(token);
        XElement(second, "IsTruncated").Should().Be("false");
        (await ListV2Async("list-type=2&start-after=b")).Elements(S3Name("Contents")).Should().ContainSingle();
        var badToken = await SendAsync(HttpMethod.Get, "/?list-type=2&continuation-token=%25%25", null, S3RequestSigner.Sha256([]));
        await badToken.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
    }

    [Fact]
    public async Task PutObject_WithSseS3_IsEncryptedAndSaysSo_InS3Terms()
    {
        var put = await SendAsync(HttpMethod.Put, "/sse.txt", "sse-s3 body"u8.ToArray(), S3RequestSigner.Sha256("sse-s3 body"u8.ToArray()),
            [new("x-amz-server-side-encryption", "AES256")]);
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        put.Headers.GetValues("x-amz-server-side-encryption").Should().Equal("AES256");
        var head = await SendAsync(HttpMethod.Head, "/sse.txt", null, S3RequestSigner.Sha256([]));
        head.Headers.GetValues("x-amz-server-side-encryption").Should().Equal("AES256");
        head.Headers.Contains("x-cos-server-side-encryption").Should().BeFalse();
        (await GetAsync("/sse.txt")).Should().Equal("sse-s3 body"u8.ToArray());
    }

    [Fact]
    public async Task PutObject_WithAwsKms_RecordsTheKeyId_AndReturnsIt()
    {
        var put = await SendAsync(HttpMethod.Put, "/kms.txt", [1, 2], S3RequestSigner.Sha256([1, 2]),
            [new("x-amz-server-side-encryption", "aws:kms"), new("x-amz-server-side-encryption-aws-kms-key-id", "arn:aws:kms:ap-guangzhou:1:key/k")]);
        put.Headers.GetValues("x-amz-server-side-encryption").Should().Equal("aws:kms");
        var get = await SendAsync(HttpMethod.Get, "/kms.txt", null, S3RequestSigner.Sha256([]));
        get.Headers.GetValues("x-amz-server-side-encryption").Should().Equal("aws:kms");
        get.Headers.GetValues("x-amz-server-side-encryption-aws-kms-key-id").Should().Equal("arn:aws:kms:ap-guangzhou:1:key/k");
    }

    [Theory]
    [InlineData("x-amz-server-side-encryption", "AES128", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("x-amz-server-side-encryption", "cos/kms", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("x-amz-server-side-encryption", "aws:kms:dsse", HttpStatusCode.NotImplemented, "NotImplemented")]
    [InlineData("x-amz-server-side-encryption-bucket-key-enabled", "true", HttpStatusCode.NotImplemented, "NotImplemented")]
    [InlineData("x-amz-server-side-encryption-context", "e30=", HttpStatusCode.NotImplemented, "NotImplemented")]
    [InlineData("x-amz-server-side-encryption-customer-algorithm", "AES256", HttpStatusCode.BadRequest, "InvalidArgument")]
    public async Task PutObject_RefusesWhatIsNotImplementedOrNotAnAlgorithm_InS3Terms(string header, string value, HttpStatusCode status, string code)
    {
        var response = await SendAsync(HttpMethod.Put, "/refused", [1], S3RequestSigner.Sha256([1]), [new(header, value)]);
        await response.ShouldBeErrorAsync(status, code, Dialect.S3);
        (await SendAsync(HttpMethod.Head, "/refused", null, S3RequestSigner.Sha256([]))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task BucketEncryption_SpeaksS3_WithItsNotFoundCodeAndBucketKeyElement()
    {
        var missing = await SendAsync(HttpMethod.Get, "/?encryption", null, S3RequestSigner.Sha256([]));
        await missing.ShouldBeErrorAsync(HttpStatusCode.NotFound, "ServerSideEncryptionConfigurationNotFoundError", Dialect.S3);

        var body = Encoding.UTF8.GetBytes("<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>" +
            "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>k-1</KMSMasterKeyID>" +
            "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>");
        (await SendAsync(HttpMethod.Put, "/?encryption", body, S3RequestSigner.Sha256(body))).StatusCode.Should().Be(HttpStatusCode.OK);
        var get = await SendAsync(HttpMethod.Get, "/?encryption", null, S3RequestSigner.Sha256([]));
        (await get.Content.ReadAsStringAsync()).Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?>" +
            "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ApplyServerSideEncryptionByDefault>" +
            "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>k-1</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>" +
            "<BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>");

        var put = await SendAsync(HttpMethod.Put, "/defaulted", [7], S3RequestSigner.Sha256([7]));
        put.Headers.GetValues("x-amz-server-side-encryption").Should().Equal("aws:kms");
        put.Headers.GetValues("x-amz-server-side-encryption-aws-kms-key-id").Should().Equal("k-1");
        (await SendAsync(HttpMethod.Delete, "/?encryption", null, S3RequestSigner.Sha256([]))).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    private static XName S3Name(string name) => XName.Get(name, "http://s3.amazonaws.com/doc/2006-03-01/");

    private static string? XElement(XElement root, string name) => root.Element(S3Name(name))?.Value;

    private async Task<XElement> ListV2Async(string query)
    {
        var response = await SendAsync(HttpMethod.Get, "/?" + query, null, S3RequestSigner.Sha256([]));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
    }

    private HttpRequestMessage Request(HttpMethod method, string pathAndQuery, byte[]? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(Server.BaseAddress, $"/{Bucket}{(pathAndQuery == "/" ? "" : pathAndQuery)}"));
        if (pathAndQuery.StartsWith("/?", StringComparison.Ordinal))
        {
            request.RequestUri = new Uri(Server.BaseAddress, $"/{Bucket}{pathAndQuery[1..]}");
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, byte[]? body, string payloadHash,
        KeyValuePair<string, string>[]? headers = null)
    {
        var request = Request(method, pathAndQuery, body);
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        S3RequestSigner.Sign(request, TestAccounts.Owner, DateTimeOffset.UtcNow, payloadHash);
        return await Server.SendRawAsync(request);
    }

    private async Task<byte[]> GetAsync(string path)
    {
        var response = await SendAsync(HttpMethod.Get, path, null, S3RequestSigner.Sha256([]));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>
    /// PUTs <paramref name="data"/> as a signed aws-chunked body; with <paramref name="trailerChecksum"/> (say
    /// x-amz-checksum-crc32), as STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER ending in that checksum and its signature.
    /// <paramref name="alter"/> changes the body after it was signed.
    /// </summary>
    private async Task<HttpResponseMessage> SendChunkedAsync(string path, byte[] data, string? trailerChecksum = null, Func<byte[], byte[]>? alter = null,
        KeyValuePair<string, string>[]? headers = null, string? decodedLength = null, string? trailerValue = null)
    {
        var now = DateTimeOffset.UtcNow;
        var request = Request(HttpMethod.Put, path, []);
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("x-amz-decoded-content-length", decodedLength ?? data.Length.ToString());
        request.Content!.Headers.TryAddWithoutValidation("Content-Encoding", "aws-chunked");
        List<KeyValuePair<string, string>>? trailers = null;
        if (trailerChecksum is not null)
        {
            request.Headers.TryAddWithoutValidation("x-amz-trailer", trailerChecksum);
            var checksum = FlexibleChecksum.ForHeader(trailerChecksum);
            checksum.Append(data);
            trailers = [new(trailerChecksum, trailerValue ?? checksum.ValueBase64())];
        }

        S3RequestSigner.Sign(request, TestAccounts.Owner, now, trailers is null ? "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" : "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
        var body = S3RequestSigner.SignedChunks(data, 64 * 1024, TestAccounts.Owner, now, S3RequestSigner.SignatureOf(request), trailers);
        var content = new ByteArrayContent(alter?.Invoke(body) ?? body);
        foreach (var header in request.Content.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        request.Content = content;
        return await Server.SendRawAsync(request);
    }

    private static string ChecksumOf(string header, byte[] data)
    {
        var checksum = FlexibleChecksum.ForHeader(header);
        checksum.Append(data);
        return checksum.ValueBase64();
    }

    private async Task ShouldBeStoredNowhereAsync(string path)
    {
        (await SendAsync(HttpMethod.Head, path, null, S3RequestSigner.Sha256([]))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        Directory.EnumerateFiles(Path.Combine(Server.DataDirectory, "tmp")).Should().BeEmpty();
    }
}
