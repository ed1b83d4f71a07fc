using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Model;
using Coffer.Model.Accounts;
using Coffer.Model.Multipart;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// Completing a multipart upload on the wire: a retry after a lost answer gets the same answer, conditional
/// completion, composite checksums (S3), and the initiator the listings name.
/// </summary>
public sealed class MultipartCompletionTests() : ServerTestBase("complete")
{
    private const int MiB = 1024 * 1024;
    private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    [Fact]
    public async Task CompleteMultipartUpload_RetriedAfterSuccess_AnswersTheSameResult_InCos()
    {
        await EnableVersioningAsync();
        var (uploadId, body) = await UploadTwoPartsAsync("retried", MiB);
        var first = await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, "retried", $"uploadId={uploadId}", new StringContent(body)));
        var firstText = await first.Content.ReadAsStringAsync();
        first.StatusCode.Should().Be(HttpStatusCode.OK, firstText);

        var retry = await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, "retried", $"uploadId={uploadId}", new StringContent(body)));
        retry.StatusCode.Should().Be(HttpStatusCode.OK, "the answer to the first attempt was lost, not the completion");
        (await retry.Content.ReadAsStringAsync()).Should().Be(firstText);
        retry.Headers.GetValues("x-cos-version-id").Should().Equal(first.Headers.GetValues("x-cos-version-id"));
        Versions(await ListVersionsAsync()).Should().ContainSingle("a retry makes no second version");

        // Another completion of the same upload is not a retry: the upload is gone.
        await (await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, "retried", $"uploadId={uploadId}", new StringContent(
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"00000000000000000000000000000000\"</ETag></Part></CompleteMultipartUpload>"))))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchUpload");
    }

    [Fact]
    public async Task CompleteMultipartUpload_RetriedAfterSuccess_AnswersTheSameResult_InS3()
    {
        var (uploadId, body) = await UploadTwoPartsAsync("retried-s3", 5 * MiB);
        var first = await S3.SendAsync(HttpMethod.Post, Bucket, "retried-s3", $"uploadId={uploadId}", Encoding.UTF8.GetBytes(body));
        var firstText = await first.Content.ReadAsStringAsync();
        first.StatusCode.Should().Be(HttpStatusCode.OK, firstText);
        var retry = await S3.SendAsync(HttpMethod.Post, Bucket, "retried-s3", $"uploadId={uploadId}", Encoding.UTF8.GetBytes(body));
        retry.StatusCode.Should().Be(HttpStatusCode.OK);
        (await retry.Content.ReadAsStringAsync()).Should().Be(firstText);
    }

    [Fact]
    public async Task CompleteMultipartUpload_HonoursIfNoneMatchAndIfMatch_AndKeepsTheUploadWhenRefused()
    {
        var existing = await Server.PutObjectAsync(Bucket, "guarded", [1]);
        var (uploadId, body) = await UploadTwoPartsAsync("guarded", MiB);

        await (await CompleteAsync("guarded", uploadId, body, new("If-None-Match", "*"))).ShouldBeErrorAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        await (await CompleteAsync("guarded", uploadId, body, new("If-Match", "\"0123456789abcdef0123456789abcdef\"")))
            .ShouldBeErrorAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        (await CompleteAsync("guarded", uploadId, body, new("If-Match", existing.Headers.ETag!.Tag))).StatusCode.Should().Be(HttpStatusCode.OK,
            "the refused attempts left the upload in place");

        var (fresh, freshBody) = await UploadTwoPartsAsync("new-key", MiB);
        await (await CompleteAsync("new-key", fresh, freshBody, new("If-Match", "*"))).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey");
        (await CompleteAsync("new-key", fresh, freshBody, new("If-None-Match", "*"))).StatusCode.Should().Be(HttpStatusCode.OK);

        var s3Upload = await UploadTwoPartsAsync("guarded", 5 * MiB);
        await (await S3.SendAsync(HttpMethod.Post, Bucket, "guarded", $"uploadId={s3Upload.UploadId}", Encoding.UTF8.GetBytes(s3Upload.Body),
            [new("If-None-Match", "*")])).ShouldBeErrorAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed", Dialect.S3);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("10001")]
    public async Task CompleteMultipartUpload_NamingAPartNumberNoPartCanHave_IsInvalidArgument_AndKeepsTheUpload(string number)
    {
        var (uploadId, body) = await UploadTwoPartsAsync("numbered", MiB);
        var wrong = $"<CompleteMultipartUpload><Part><PartNumber>{number}</PartNumber><ETag>\"00000000000000000000000000000000\"</ETag></Part></CompleteMultipartUpload>";

        var error = await (await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, "numbered", $"uploadId={uploadId}", new StringContent(wrong))))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        error.Element("Message")!.Value.Should().Be("Part number must be an integer between 1 and 10000, inclusive.");
        (await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, "numbered", $"uploadId={uploadId}", new StringContent(body)))).StatusCode
            .Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CompleteMultipartUpload_WithCosForbidOverwrite_IsFileAlreadyExists_OverAnObject_AndKeepsItAndTheUpload()
    {
        await Server.PutObjectAsync(Bucket, "kept", [1]);
        var (uploadId, body) = await UploadTwoPartsAsync("kept", MiB);

        await (await CompleteAsync("kept", uploadId, body, new("x-cos-forbid-overwrite", "true"))).ShouldBeErrorAsync(HttpStatusCode.Conflict, "FileAlreadyExists");
        (await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "kept"))).Content.ReadAsByteArrayAsync()).Should().Equal([1]);
        (await CompleteAsync("kept", uploadId, body, new("x-cos-forbid-overwrite", "false"))).StatusCode.Should().Be(HttpStatusCode.OK,
            "the refused completion left the upload in place");

        var (fresh, freshBody) = await UploadTwoPartsAsync("new-key", MiB);
        (await CompleteAsync("new-key", fresh, freshBody, new("x-cos-forbid-overwrite", "true"))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task MultipartUpload_WithAChecksumAlgorithm_StoresAndReturnsTheCompositeChecksum()
    {
        byte[][] parts = [Bytes(5 * MiB, 1), Bytes(1000, 2)];
        var initiate = await S3.SendAsync(HttpMethod.Post, Bucket, "summed", "uploads", headers: [new("x-amz-checksum-algorithm", "CRC32")]);
        initiate.StatusCode.Should().Be(HttpStatusCode.OK);
        initiate.Headers.GetValues("x-amz-checksum-algorithm").Should().Equal("CRC32");
        var uploadId = S3Element(XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!, "UploadId");

        var completion = new StringBuilder("<CompleteMultipartUpload>");
        var checksums = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            var checksum = Crc32(parts[i]);
            checksums.Add(checksum);
            var part = await S3.SendAsync(HttpMethod.Put, Bucket, "summed", $"partNumber={i + 1}&uploadId={uploadId}", parts[i],
                [new("x-amz-checksum-crc32", checksum)]);
            part.StatusCode.Should().Be(HttpStatusCode.OK);
            completion.Append($"<Part><PartNumber>{i + 1}</PartNumber><ETag>{part.Headers.ETag!.Tag}</ETag><ChecksumCRC32>{checksum}</ChecksumCRC32></Part>");
        }

        await (await S3.SendAsync(HttpMethod.Put, Bucket, "summed", $"partNumber=3&uploadId={uploadId}", [1]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, "summed", $"partNumber=3&uploadId={uploadId}", [1], [new("x-amz-checksum-sha256", Sha256([1]))]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);

        var listed = XDocument.Parse(await (await S3.SendAsync(HttpMethod.Get, Bucket, "summed", $"uploadId={uploadId}")).Content.ReadAsStringAsync()).Root!;
        S3Element(listed, "ChecksumAlgorithm").Should().Be("CRC32");
        S3Element(listed, "ChecksumType").Should().Be("COMPOSITE");
        listed.Elements(XName.Get("Part", S3Namespace)).Select(p => S3Element(p, "ChecksumCRC32")).Should().Equal(checksums);
        var uploads = XDocument.Parse(await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "uploads")).Content.ReadAsStringAsync()).Root!;
        S3Element(uploads.Element(XName.Get("Upload", S3Namespace))!, "ChecksumAlgorithm").Should().Be("CRC32");

        var composite = CompositeCrc32(checksums);
        var complete = await S3.SendAsync(HttpMethod.Post, Bucket, "summed", $"uploadId={uploadId}", Encoding.UTF8.GetBytes(completion.Append("</CompleteMultipartUpload>").ToString()));
        var result = XDocument.Parse(await complete.Content.ReadAsStringAsync()).Root!;
        S3Element(result, "ChecksumCRC32").Should().Be(composite);
        S3Element(result, "ChecksumType").Should().Be("COMPOSITE");

        foreach (var method in new[] { HttpMethod.Head, HttpMethod.Get })
        {
            var read = await S3.SendAsync(method, Bucket, "summed", headers: [new("x-amz-checksum-mode", "ENABLED")]);
            read.Headers.GetValues("x-amz-checksum-crc32").Should().Equal(composite);
            read.Headers.GetValues("x-amz-checksum-type").Should().Equal("COMPOSITE");
            (await S3.SendAsync(method, Bucket, "summed")).Headers.Contains("x-amz-checksum-crc32").Should().BeFalse("only with checksum mode");
        }
    }

    [Fact]
    public async Task GetObject_OfAMultipartObject_ReadsWhole_WhenTheKeyIsOverwrittenWhileItIsSent()
    {
        // A first part larger than the socket buffers hold, so the answer is still in it when the key is overwritten.
        byte[][] parts = [Bytes(24 * MiB, 6), Bytes(MiB, 7)];
        (await Server.PutMultipartObjectAsync(Bucket, "replaced-while-read", parts)).StatusCode.Should().Be(HttpStatusCode.OK);

        using var response = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "replaced-while-read"));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        await using var body = await response.Content.ReadAsStreamAsync();
        var read = new MemoryStream();
        var start = new byte[64 * 1024];
        await body.ReadExactlyAsync(start);
        read.Write(start);

        (await Server.PutObjectAsync(Bucket, "replaced-while-read", "new"u8.ToArray())).StatusCode.Should().Be(HttpStatusCode.OK);
        await body.CopyToAsync(read);
        read.ToArray().Should().Equal(parts[0].Concat(parts[1]), "the answer begun is the object it began with, whole");
    }

    [Fact]
    public async Task CompleteMultipartUpload_OfAnUploadWithoutAnAlgorithm_TakesBackThePartChecksumUploadPartAnswered()
    {
        // The JavaScript SDK sends a CRC-32 with every part; a caller lists back what UploadPart answered.
        var initiate = await S3.SendAsync(HttpMethod.Post, Bucket, "unsummed", "uploads");
        var uploadId = S3Element(XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!, "UploadId");
        var body = Bytes(1000, 5);
        var part = await S3.SendAsync(HttpMethod.Put, Bucket, "unsummed", $"partNumber=1&uploadId={uploadId}", body, [new("x-amz-checksum-crc32", Crc32(body))]);
        part.Headers.GetValues("x-amz-checksum-crc32").Should().Equal(Crc32(body));

        var completion = $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part.Headers.ETag!.Tag}</ETag>"
            + $"<ChecksumCRC32>{Crc32(body)}</ChecksumCRC32></Part></CompleteMultipartUpload>";
        (await S3.SendAsync(HttpMethod.Post, Bucket, "unsummed", $"uploadId={uploadId}", Encoding.UTF8.GetBytes(completion))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await S3.SendAsync(HttpMethod.Get, Bucket, "unsummed")).Content.ReadAsByteArrayAsync()).Should().Equal(body);
    }

    [Theory]
    [InlineData("SHA256", "COMPOSITE")]
    [InlineData("CRC32C", "FULL_OBJECT")]
    public async Task GetAndHeadObject_WithAPartNumberAndChecksumMode_AnswerThatPartsChecksum_NotTheObjects(string algorithm, string type)
    {
        byte[][] parts = [Bytes(5 * MiB, 11), Bytes(2000, 12)];
        var header = MultipartChecksum.HeaderName(algorithm);
        var key = "parts-" + algorithm;
        await UploadWithChecksumsAsync(key, algorithm, type, parts);

        KeyValuePair<string, string>[] checksumMode = [new("x-amz-checksum-mode", "ENABLED")];
        foreach (var method in new[] { HttpMethod.Head, HttpMethod.Get })
        {
            for (var number = 1; number <= parts.Length; number++)
            {
                var read = await S3.SendAsync(method, Bucket, key, $"partNumber={number}", headers: checksumMode);
                read.StatusCode.Should().Be(HttpStatusCode.PartialContent);
                read.Headers.GetValues(header).Should().Equal(Checksum(header, parts[number - 1]));
                read.Headers.GetValues("x-amz-checksum-type").Should().Equal(type);
                read.Headers.Contains(MultipartChecksum.PartsHeader).Should().BeFalse("where the part checksums are kept is not sent");
            }

            (await S3.SendAsync(method, Bucket, key, "partNumber=1")).Headers.Contains(header).Should().BeFalse("only with checksum mode");
        }

        // A copy is one part: its checksum, in its source's algorithm, is of all its bytes (FULL_OBJECT), and it keeps none of
        // the part checksums behind its source's. Those are never sent, so the stored headers are where keeping them would show.
        (await S3.SendAsync(HttpMethod.Put, Bucket, key + "-copy", headers: [new("x-amz-copy-source", $"/{Bucket}/{key}")])).StatusCode.Should().Be(HttpStatusCode.OK);
        var copy = await S3.SendAsync(HttpMethod.Head, Bucket, key + "-copy", headers: checksumMode);
        copy.Headers.GetValues(header).Should().Equal(Checksum(header, [.. parts[0], .. parts[1]]));
        copy.Headers.GetValues("x-amz-checksum-type").Should().Equal("FULL_OBJECT");
        Server.Server.Services.GetRequiredService<IObjectService>().HeadObject(Bucket, key + "-copy").Headers.Select(h => h.Key)
            .Should().NotContain(MultipartChecksum.PartsHeader);
    }

    [Theory]
    [InlineData("CRC32", "FULL_OBJECT")]
    [InlineData("CRC32C", "FULL_OBJECT")]
    [InlineData("CRC64NVME", null)]
    public async Task MultipartUpload_WithAFullObjectChecksum_ReturnsTheCrcOfTheWholeObject(string algorithm, string? type)
    {
        byte[][] parts = [Bytes(5 * MiB, 5), Bytes(5 * MiB + 3, 6), Bytes(777, 7)];
        var header = "x-amz-checksum-" + algorithm.ToLowerInvariant();
        var key = "whole-" + algorithm;
        var headers = new List<KeyValuePair<string, string>> { new("x-amz-checksum-algorithm", algorithm) };
        if (type is not null)
        {
            headers.Add(new("x-amz-checksum-type", type));
        }

        var initiate = await S3.SendAsync(HttpMethod.Post, Bucket, key, "uploads", headers: headers);
        initiate.Headers.GetValues("x-amz-checksum-type").Should().Equal(["FULL_OBJECT"], "CRC64NVME is full-object only");
        var uploadId = S3Element(XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!, "UploadId");
        var completion = new StringBuilder("<CompleteMultipartUpload>");
        for (var i = 0; i < parts.Length; i++)
        {
            var part = await S3.SendAsync(HttpMethod.Put, Bucket, key, $"partNumber={i + 1}&uploadId={uploadId}", parts[i],
                [new(header, Checksum(header, parts[i]))]);
            part.StatusCode.Should().Be(HttpStatusCode.OK);
            completion.Append($"<Part><PartNumber>{i + 1}</PartNumber><ETag>{part.Headers.ETag!.Tag}</ETag></Part>");
        }

        var whole = Checksum(header, parts.SelectMany(p => p).ToArray());
        var complete = await S3.SendAsync(HttpMethod.Post, Bucket, key, $"uploadId={uploadId}", Encoding.UTF8.GetBytes(completion.Append("</CompleteMultipartUpload>").ToString()));
        var result = XDocument.Parse(await complete.Content.ReadAsStringAsync()).Root!;
        S3Element(result, "Checksum" + algorithm).Should().Be(whole, "the parts' CRCs combined are the CRC of the whole object");
        S3Element(result, "ChecksumType").Should().Be("FULL_OBJECT");
        var head = await S3.SendAsync(HttpMethod.Head, Bucket, key, headers: [new("x-amz-checksum-mode", "ENABLED")]);
        head.Headers.GetValues(header).Should().Equal(whole);
        head.Headers.GetValues("x-amz-checksum-type").Should().Equal("FULL_OBJECT");
    }

    [Theory]
    [InlineData("CRC32", "FULL_OBJECT", "x-amz-checksum-crc32c")]
    [InlineData("SHA256", "COMPOSITE", "x-amz-checksum-sha1")]
    public async Task CompleteMultipartUpload_ChecksTheObjectsChecksumTypeAndSize_AndKeepsTheUploadWhenOneDiffers(string algorithm, string type, string otherHeader)
    {
        byte[][] parts = [Bytes(5 * MiB, 8), Bytes(100, 9)];
        var header = "x-amz-checksum-" + algorithm.ToLowerInvariant();
        var key = "expected-" + algorithm;
        var initiate = await S3.SendAsync(HttpMethod.Post, Bucket, key, "uploads",
            headers: [new("x-amz-checksum-algorithm", algorithm), new("x-amz-checksum-type", type)]);
        var uploadId = S3Element(XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!, "UploadId");
        var completion = new StringBuilder("<CompleteMultipartUpload>");
        var partChecksums = new List<byte>();
        for (var i = 0; i < parts.Length; i++)
        {
            var checksum = Checksum(header, parts[i]);
            partChecksums.AddRange(Convert.FromBase64String(checksum));
            var part = await S3.SendAsync(HttpMethod.Put, Bucket, key, $"partNumber={i + 1}&uploadId={uploadId}", parts[i], [new(header, checksum)]);
            part.StatusCode.Should().Be(HttpStatusCode.OK);
            completion.Append($"<Part><PartNumber>{i + 1}</PartNumber><ETag>{part.Headers.ETag!.Tag}</ETag></Part>");
        }

        var body = Encoding.UTF8.GetBytes(completion.Append("</CompleteMultipartUpload>").ToString());
        var size = parts.Sum(p => p.Length);
        var objectChecksum = type == "FULL_OBJECT"
            ? Checksum(header, parts.SelectMany(p => p).ToArray())
            : $"{Checksum(header, partChecksums.ToArray())}-{parts.Length}";
        Task<HttpResponseMessage> CompleteWith(KeyValuePair<string, string>[] headers) =>
            S3.SendAsync(HttpMethod.Post, Bucket, key, $"uploadId={uploadId}", body, headers);

        await (await CompleteWith([new(header, Checksum(header, [1]))])).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "BadDigest", Dialect.S3);
        await (await CompleteWith([new("x-amz-checksum-type", type == "COMPOSITE" ? "FULL_OBJECT" : "COMPOSITE")]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "BadDigest", Dialect.S3);
        await (await CompleteWith([new("x-amz-mp-object-size", (size + 1).ToString(CultureInfo.InvariantCulture))]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        await (await CompleteWith([new(otherHeader, Checksum(otherHeader, [1]))])).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);

        var complete = await CompleteWith([new(header, objectChecksum), new("x-amz-checksum-type", type),
            new("x-amz-mp-object-size", size.ToString(CultureInfo.InvariantCulture))]);
        complete.StatusCode.Should().Be(HttpStatusCode.OK, "the refused completions left the upload in place; the header is the object's checksum, not the body's");
        S3Element(XDocument.Parse(await complete.Content.ReadAsStringAsync()).Root!, "Checksum" + algorithm).Should().Be(objectChecksum);
    }

    [Theory]
    [InlineData("MD4", null)]
    [InlineData("SHA256", "FULL_OBJECT")]
    [InlineData("CRC64NVME", "COMPOSITE")]
    [InlineData("CRC32", "PARTIAL")]
    public async Task CreateMultipartUpload_RefusesChecksumsS3DoesNotOffer(string algorithm, string? type)
    {
        var headers = new List<KeyValuePair<string, string>> { new("x-amz-checksum-algorithm", algorithm) };
        if (type is not null)
        {
            headers.Add(new("x-amz-checksum-type", type));
        }

        await (await S3.SendAsync(HttpMethod.Post, Bucket, "refused", "uploads", headers: headers))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
    }

    [Fact]
    public async Task CompleteMultipartUpload_AcceptsFullObjectType_WhenTheUploadHasNoAlgorithm()
    {
        var (uploadId, body) = await UploadOnePartAsync("no-algorithm", null);

        var complete = await S3.SendAsync(HttpMethod.Post, Bucket, "no-algorithm", $"uploadId={uploadId}", body,
            [new("x-amz-checksum-type", "FULL_OBJECT")]);

        complete.StatusCode.Should().Be(HttpStatusCode.OK, "S3 makes an upload without an algorithm a full-object one");
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("%%%%-1")]
    public async Task CompleteMultipartUpload_ReturnsInvalidRequest_ForAChecksumThatIsNotBase64(string checksum)
    {
        var (uploadId, body) = await UploadOnePartAsync("bad-base64", "CRC32");

        await (await S3.SendAsync(HttpMethod.Post, Bucket, "bad-base64", $"uploadId={uploadId}", body, [new("x-amz-checksum-crc32", checksum)]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        (await S3.SendAsync(HttpMethod.Post, Bucket, "bad-base64", $"uploadId={uploadId}", body)).StatusCode.Should().Be(HttpStatusCode.OK,
            "the refused completion kept the upload");
    }

    [Theory]
    [InlineData("SHA512")]
    [InlineData("MD5")]
    [InlineData("XXHASH64")]
    [InlineData("XXHASH3")]
    [InlineData("XXHASH128")]
    public async Task Checksums_ReturnNotImplemented_ForAnAlgorithmS3OffersAndCofferDoesNot(string algorithm)
    {
        await (await S3.SendAsync(HttpMethod.Post, Bucket, "unsummed", "uploads", headers: [new("x-amz-checksum-algorithm", algorithm)]))
            .ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented", Dialect.S3);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, "unsummed", body: [1], headers: [new("x-amz-checksum-" + algorithm.ToLowerInvariant(), "AAAA")]))
            .ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented", Dialect.S3);
        (await S3.SendAsync(HttpMethod.Head, Bucket, "unsummed")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Listings_NameTheUploadsInitiator_NotTheBucketOwner()
    {
        var identities = Server.Server.Services.GetRequiredService<IdentityDirectory>();
        var created = await identities.CreateSubAccountAsync(TestAccounts.Owner.AppId, "uploader", null,
            Encoding.UTF8.GetBytes("""{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:*"],"resource":["*"]}]}"""));
        var sub = new Account(created.AppId, created.Uin, created.SecretId, created.SecretKey, "uploader");
        var initiate = await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, "by-sub", "uploads", account: sub));
        initiate.StatusCode.Should().Be(HttpStatusCode.OK, await initiate.Content.ReadAsStringAsync());
        var uploadId = XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!.Element("UploadId")!.Value;
        var principal = $"qcs::cam::uin/{TestAccounts.Owner.Uin}:uin/{created.Uin}";

        var parts = XDocument.Parse(await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "by-sub", $"uploadId={uploadId}")))
            .Content.ReadAsStringAsync()).Root!;
        parts.Element("Initiator")!.Element("ID")!.Value.Should().Be(principal);
        parts.Element("Initiator")!.Element("DisplayName")!.Value.Should().Be(created.Uin);
        var uploads = XDocument.Parse(await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: "uploads")))
            .Content.ReadAsStringAsync()).Root!;
        uploads.Element("Upload")!.Element("Initiator")!.Element("ID")!.Value.Should().Be(principal);

        var s3Parts = XDocument.Parse(await (await S3.SendAsync(HttpMethod.Get, Bucket, "by-sub", $"uploadId={uploadId}")).Content.ReadAsStringAsync()).Root!;
        S3Element(s3Parts.Element(XName.Get("Initiator", S3Namespace))!, "ID").Should().Be(created.Uin);
        S3Element(s3Parts.Element(XName.Get("Owner", S3Namespace))!, "ID").Should().Be(TestAccounts.Owner.Uin);
    }

    [Fact]
    public async Task ListMultipartUploads_NamesTheInitiatingAccountAsOwner_WhenAnotherAccountUploads()
    {
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "acl", headers: [new("x-amz-acl", "public-read-write")])).EnsureSuccessStatusCode();
        var initiate = await S3.SendAsync(HttpMethod.Post, Bucket, "theirs", "uploads", account: TestAccounts.Other);
        initiate.StatusCode.Should().Be(HttpStatusCode.OK, await initiate.Content.ReadAsStringAsync());

        var uploads = XDocument.Parse(await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "uploads")).Content.ReadAsStringAsync()).Root!;
        var upload = uploads.Element(XName.Get("Upload", S3Namespace))!;
        S3Element(upload.Element(XName.Get("Initiator", S3Namespace))!, "ID").Should().Be(TestAccounts.Other.Uin);
        S3Element(upload.Element(XName.Get("Owner", S3Namespace))!, "ID").Should().Be(TestAccounts.Other.Uin, "the object will be the uploader's");
    }

    [Fact]
    public async Task GetObjectAttributes_AnswersTheAttributesAskedFor_InS3_AndIsNotImplementedInCos()
    {
        var data = Bytes(10, 7);
        (await S3.SendAsync(HttpMethod.Put, Bucket, "plain", body: data, headers: [new("x-amz-checksum-crc32", Crc32(data))])).EnsureSuccessStatusCode();
        var upload = await UploadTwoPartsAsync("parts", 5 * MiB);
        (await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, "parts", $"uploadId={upload.UploadId}", new StringContent(upload.Body))))
            .EnsureSuccessStatusCode();

        var plain = await S3.SendAsync(HttpMethod.Get, Bucket, "plain", "attributes",
            headers: [new("x-amz-object-attributes", "ETag,Checksum,ObjectParts,StorageClass,ObjectSize")]);
        plain.StatusCode.Should().Be(HttpStatusCode.OK);
        plain.Content.Headers.LastModified.Should().NotBeNull();
        var etag = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data));
        (await plain.Content.ReadAsStringAsync()).Should().Be(
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><GetObjectAttributesResponse xmlns=\"{S3Namespace}\"><ETag>{etag}</ETag>" +
            $"<Checksum><ChecksumCRC32>{Crc32(data)}</ChecksumCRC32><ChecksumType>FULL_OBJECT</ChecksumType></Checksum>" +
            "<StorageClass>STANDARD</StorageClass><ObjectSize>10</ObjectSize></GetObjectAttributesResponse>");

        // Parts without checksums are listed all the same (see GetObjectAttributes_ListsTheParts_...); PartsCount is the
        // wire name SDKs read (the reference's TotalPartsCount).
        (await (await S3.SendAsync(HttpMethod.Get, Bucket, "parts", "attributes",
            headers: [new("x-amz-object-attributes", "ObjectParts, ObjectSize")])).Content.ReadAsStringAsync()).Should().Be(
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><GetObjectAttributesResponse xmlns=\"{S3Namespace}\"><ObjectParts><PartsCount>2</PartsCount>" +
            "<PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker><MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>" +
            $"<Part><PartNumber>1</PartNumber><Size>{5 * MiB}</Size></Part><Part><PartNumber>2</PartNumber><Size>10</Size></Part></ObjectParts>" +
            $"<ObjectSize>{5 * MiB + 10}</ObjectSize></GetObjectAttributesResponse>");

        await (await S3.SendAsync(HttpMethod.Get, Bucket, "plain", "attributes")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        await (await S3.SendAsync(HttpMethod.Get, Bucket, "plain", "attributes", headers: [new("x-amz-object-attributes", "Owner")]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        await (await S3.SendAsync(HttpMethod.Get, Bucket, "missing", "attributes", headers: [new("x-amz-object-attributes", "ETag")]))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey", Dialect.S3);
        await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "plain", "attributes", headers: [new("x-amz-object-attributes", "ETag")])))
            .ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented");
    }

    [Fact]
    public async Task GetObjectAttributes_ListsTheParts_WithTheirSizesAndChecksums_APageAtATime()
    {
        byte[][] parts = [Bytes(5 * MiB, 21), Bytes(5 * MiB + 1, 22), Bytes(1000, 23)];
        await UploadWithChecksumsAsync("paged", "SHA256", "COMPOSITE", parts);

        async Task<string> PageAsync(string? maxParts = null, string? marker = null)
        {
            var headers = new List<KeyValuePair<string, string>> { new("x-amz-object-attributes", "ObjectParts") };
            headers.AddRange(maxParts is null ? [] : [new("x-amz-max-parts", maxParts)]);
            headers.AddRange(marker is null ? [] : [new("x-amz-part-number-marker", marker)]);
            return await (await S3.SendAsync(HttpMethod.Get, Bucket, "paged", "attributes", headers: headers)).Content.ReadAsStringAsync();
        }

        string Page(int marker, int next, int max, bool truncated, params int[] numbers) =>
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><GetObjectAttributesResponse xmlns=\"{S3Namespace}\"><ObjectParts><PartsCount>3</PartsCount>" +
            $"<PartNumberMarker>{marker}</PartNumberMarker><NextPartNumberMarker>{next}</NextPartNumberMarker><MaxParts>{max}</MaxParts>" +
            $"<IsTruncated>{(truncated ? "true" : "false")}</IsTruncated>" +
            string.Concat(numbers.Select(n =>
                $"<Part><PartNumber>{n}</PartNumber><Size>{parts[n - 1].Length}</Size><ChecksumSHA256>{Sha256(parts[n - 1])}</ChecksumSHA256></Part>")) +
            "</ObjectParts></GetObjectAttributesResponse>";

        (await PageAsync()).Should().Be(Page(0, 3, 1000, false, 1, 2, 3));
        (await PageAsync(maxParts: "1", marker: "1")).Should().Be(Page(1, 2, 1, true, 2));
        (await PageAsync(maxParts: "5", marker: "1")).Should().Be(Page(1, 3, 5, false, 2, 3));
        // An empty page is never truncated and hands back the marker sent, so a client following it cannot loop.
        (await PageAsync(marker: "3")).Should().Be(Page(3, 3, 1000, false));
        (await PageAsync(maxParts: "0", marker: "1")).Should().Be(Page(1, 1, 0, false));
        (await PageAsync(maxParts: "0")).Should().Be(Page(0, 0, 0, false));
    }

    [Fact]
    public async Task ListParts_WithMaxPartsZero_AnswersAnEmptyPage_NotTruncated_AtTheMarkerSent()
    {
        var (uploadId, _) = await UploadTwoPartsAsync("listed", MiB);

        async Task<(bool Truncated, string Next, int Parts)> PageAsync(string query)
        {
            var response = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "listed", $"uploadId={uploadId}&{query}"));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
            return (root.Element("IsTruncated")!.Value == "true", root.Element("NextPartNumberMarker")!.Value, root.Elements("Part").Count());
        }

        (await PageAsync("max-parts=0&part-number-marker=1")).Should().Be((false, "1", 0));
        (await PageAsync("max-parts=0")).Should().Be((false, "0", 0));
        (await PageAsync("max-parts=1")).Should().Be((true, "1", 1));
        (await PageAsync("part-number-marker=2")).Should().Be((false, "2", 0));
    }

    [Theory]
    [InlineData("part-number-marker", "abc")]
    [InlineData("part-number-marker", "-5")]
    [InlineData("part-number-marker", "2147483648")]
    [InlineData("max-parts", "abc")]
    [InlineData("max-parts", "-1")]
    [InlineData("max-parts", "2147483648")]
    public async Task PartsPaging_ThatIsNotAnIntegerOfZeroOrMore_IsInvalidArgument_InListPartsAndGetObjectAttributes(string name, string value)
    {
        var upload = await UploadTwoPartsAsync("paging", 5 * MiB);
        await (await S3.SendAsync(HttpMethod.Get, Bucket, "paging", $"uploadId={upload.UploadId}&{name}={value}"))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);

        (await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, "paging", $"uploadId={upload.UploadId}", new StringContent(upload.Body))))
            .EnsureSuccessStatusCode();
        await (await S3.SendAsync(HttpMethod.Get, Bucket, "paging", "attributes",
                headers: [new("x-amz-object-attributes", "ObjectParts"), new($"x-amz-{name}", value)]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
    }

    private static string S3Element(XElement parent, string name) => parent.Element(XName.Get(name, S3Namespace))!.Value;

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string Crc32(byte[] data)
    {
        var checksum = FlexibleChecksum.ForHeader("x-amz-checksum-crc32");
        checksum.Append(data);
        return checksum.ValueBase64();
    }

    private static string Sha256(byte[] data) => Checksum("x-amz-checksum-sha256", data);

    private static string Checksum(string header, byte[] data)
    {
        var checksum = FlexibleChecksum.ForHeader(header);
        checksum.Append(data);
        return checksum.ValueBase64();
    }

    /// <summary>S3's composite: the CRC32 of the parts' CRC32s (big-endian, concatenated), base64, "-" and the part count.</summary>
    private static string CompositeCrc32(IReadOnlyList<string> partChecksums) =>
        $"{Crc32(partChecksums.SelectMany(Convert.FromBase64String).ToArray())}-{partChecksums.Count}";

    private Task<HttpResponseMessage> CompleteAsync(string key, string uploadId, string body, KeyValuePair<string, string> header) =>
        Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, key, $"uploadId={uploadId}", new StringContent(body), headers: [header]));

    /// <summary>An S3 upload of one 3-byte part, with <paramref name="algorithm"/>'s checksum when given; its id and the completion body.</summary>
    private async Task<(string UploadId, byte[] Body)> UploadOnePartAsync(string key, string? algorithm)
    {
        byte[] data = [1, 2, 3];
        var initiate = await S3.SendAsync(HttpMethod.Post, Bucket, key, "uploads",
            headers: algorithm is null ? [] : [new("x-amz-checksum-algorithm", algorithm)]);
        var uploadId = S3Element(XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!, "UploadId");
        var header = "x-amz-checksum-" + algorithm?.ToLowerInvariant();
        var part = await S3.SendAsync(HttpMethod.Put, Bucket, key, $"partNumber=1&uploadId={uploadId}", data,
            algorithm is null ? [] : [new(header, Checksum(header, data))]);
        part.StatusCode.Should().Be(HttpStatusCode.OK);
        return (uploadId, Encoding.UTF8.GetBytes(
            $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part.Headers.ETag!.Tag}</ETag></Part></CompleteMultipartUpload>"));
    }

    /// <summary>An S3 upload of <paramref name="parts"/>, initiated with <paramref name="algorithm"/> and each part carrying its checksum, completed.</summary>
    private async Task UploadWithChecksumsAsync(string key, string algorithm, string type, byte[][] parts)
    {
        var header = MultipartChecksum.HeaderName(algorithm);
        var initiate = await S3.SendAsync(HttpMethod.Post, Bucket, key, "uploads", headers: [new("x-amz-checksum-algorithm", algorithm), new("x-amz-checksum-type", type)]);
        var uploadId = S3Element(XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!, "UploadId");
        var completion = new StringBuilder("<CompleteMultipartUpload>");
        for (var i = 0; i < parts.Length; i++)
        {
            var part = await S3.SendAsync(HttpMethod.Put, Bucket, key, $"partNumber={i + 1}&uploadId={uploadId}", parts[i], [new(header, Checksum(header, parts[i]))]);
            completion.Append($"<Part><PartNumber>{i + 1}</PartNumber><ETag>{part.Headers.ETag!.Tag}</ETag></Part>");
        }

        (await S3.SendAsync(HttpMethod.Post, Bucket, key, $"uploadId={uploadId}", Encoding.UTF8.GetBytes(completion.Append("</CompleteMultipartUpload>").ToString())))
            .StatusCode.Should().Be(HttpStatusCode.OK);
    }

    /// <summary>Initiates an upload of <paramref name="key"/> and uploads two parts; its id and the completion body.</summary>
    private async Task<(string UploadId, string Body)> UploadTwoPartsAsync(string key, int firstPartSize)
    {
        var initiate = await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, key, "uploads"));
        var uploadId = XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!.Element("UploadId")!.Value;
        var body = new StringBuilder("<CompleteMultipartUpload>");
        byte[][] parts = [Bytes(firstPartSize, 3), Bytes(10, 4)];
        for (var i = 0; i < parts.Length; i++)
        {
            var part = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, key, $"partNumber={i + 1}&uploadId={uploadId}", new ByteArrayContent(parts[i])));
            part.StatusCode.Should().Be(HttpStatusCode.OK);
            body.Append($"<Part><PartNumber>{i + 1}</PartNumber><ETag>{part.Headers.ETag!.Tag}</ETag></Part>");
        }

        return (uploadId, body.Append("</CompleteMultipartUpload>").ToString());
    }

    private async Task EnableVersioningAsync() =>
        (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, query: "versioning",
            content: new StringContent("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")))).EnsureSuccessStatusCode();

    private async Task<XElement> ListVersionsAsync() =>
        XDocument.Parse(await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: "versions"))).Content.ReadAsStringAsync()).Root!;

    private static IEnumerable<XElement> Versions(XElement listing) => listing.Elements("Version");
}
