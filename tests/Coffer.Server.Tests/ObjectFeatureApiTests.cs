using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Coffer.Common;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>Tagging, multipart, copy and batch delete on the wire (COS dialect).</summary>
public sealed class ObjectFeatureApiTests() : ServerTestBase("features")
{
    [Fact]
    public async Task Tagging_RoundTrips_AndTheCountShowsOnHead()
    {
        await Server.PutObjectAsync(Bucket, "k", [1], [new("x-cos-tagging", "team=data&stage=raw%20zone")]);
        var head = await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "k"));
        head.Headers.GetValues("x-cos-tagging-count").Single().Should().Be("2");

        var get = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k", query: "tagging"));
        (await get.Content.ReadAsStringAsync()).Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?><Tagging><TagSet>" +
            "<Tag><Key>team</Key><Value>data</Value></Tag><Tag><Key>stage</Key><Value>raw zone</Value></Tag></TagSet></Tagging>");

        var put = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "k", query: "tagging",
            content: new StringContent("<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>")));
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k", query: "tagging"))).Content.ReadAsStringAsync())
            .Should().Contain("<Key>a</Key>").And.NotContain("team");

        var delete = await Server.SendAsync(Server.Request(HttpMethod.Delete, Bucket, "k", query: "tagging"));
        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "k"))).Headers.Contains("x-cos-tagging-count").Should().BeFalse();
    }

    [Fact]
    public async Task Tagging_ReturnsInvalidTag_ForElevenTags()
    {
        await Server.PutObjectAsync(Bucket, "k", [1]);
        var tags = string.Concat(Enumerable.Range(0, 11).Select(i => $"<Tag><Key>k{i}</Key><Value>v</Value></Tag>"));
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "k", query: "tagging",
            content: new StringContent($"<Tagging><TagSet>{tags}</TagSet></Tagging>")));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidTag");
    }

    [Fact]
    public async Task Tagging_ReturnsInvalidTag_ForAKeyInTheReservedAwsPrefix_OnObjectsAndBuckets()
    {
        await Server.PutObjectAsync(Bucket, "k", [1]);
        var body = "<Tagging><TagSet><Tag><Key>aws:owner</Key><Value>v</Value></Tag></TagSet></Tagging>";

        var objectTags = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "k", query: "tagging", content: new StringContent(body)));
        var bucketTags = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, query: "tagging", content: new StringContent(body)));
        var header = await S3.SendAsync(HttpMethod.Put, Bucket, "tagged", body: [1], headers: [new("x-amz-tagging", "AWS:owner=v")]);

        await objectTags.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidTag");
        await bucketTags.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidTag");
        await header.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidTag", Coffer.Protocol.Routing.Dialect.S3);
        (await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "tagged"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Multipart_InitiateUploadComplete_ReturnsTheDocumentedDocumentsAndChecksums()
    {
        var initiate = await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, "mp.bin", query: "uploads",
            headers: [new("x-cos-meta-origin", "test")]));
        var initiated = XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!;
        initiated.Name.LocalName.Should().Be("InitiateMultipartUploadResult");
        initiated.Elements().Select(e => e.Name.LocalName).Should().Equal("Bucket", "Key", "UploadId");
        var uploadId = initiated.Element("UploadId")!.Value;

        var part1 = RandomNumberGenerator.GetBytes(1 << 20);
        var part2 = RandomNumberGenerator.GetBytes(1000);
        var etags = new List<string>();
        foreach (var (part, number) in new[] { (part1, 1), (part2, 2) })
        {
            var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "mp.bin",
                query: $"partNumber={number}&uploadId={uploadId}", content: new ByteArrayContent(part)));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            response.Headers.GetValues("x-cos-hash-crc64ecma").Single().Should().Be(Crc64.Compute(part).ToString());
            etags.Add(response.Headers.ETag!.Tag);
        }

        var parts = XDocument.Parse(await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "mp.bin",
            query: $"uploadId={uploadId}"))).Content.ReadAsStringAsync()).Root!;
        parts.Elements("Part").Select(p => p.Element("ETag")!.Value).Should().Equal(etags);

        var body = $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etags[0]}</ETag></Part>" +
            $"<Part><PartNumber>2</PartNumber><ETag>{etags[1]}</ETag></Part></CompleteMultipartUpload>";
        var complete = await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, "mp.bin", query: $"uploadId={uploadId}",
            content: new StringContent(body)));
        complete.StatusCode.Should().Be(HttpStatusCode.OK);
        byte[] whole = [.. part1, .. part2];
        complete.Headers.GetValues("x-cos-hash-crc64ecma").Single().Should().Be(Crc64.Compute(whole).ToString());
        var result = XDocument.Parse(await complete.Content.ReadAsStringAsync()).Root!;
        result.Elements().Select(e => e.Name.LocalName).Should().Equal("Location", "Bucket", "Key", "ETag");
        var expectedETag = Convert.ToHexStringLower(MD5.HashData([.. MD5.HashData(part1), .. MD5.HashData(part2)])) + "-2";
        result.Element("ETag")!.Value.Should().Be($"\"{expectedETag}\"");

        var get = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "mp.bin"));
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(whole);
        get.Headers.GetValues("x-cos-meta-origin").Single().Should().Be("test");
        get.Headers.ETag!.Tag.Should().Be($"\"{expectedETag}\"");
    }

    [Fact]
    public async Task Multipart_ReturnsNoSuchUpload_ForAnUnknownUploadId()
    {
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "k", query: "partNumber=1&uploadId=nope",
            content: new ByteArrayContent([1])));
        await response.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchUpload");
    }

    [Fact]
    public async Task Multipart_ReturnsMalformedXml_ForABrokenCompleteBody()
    {
        var initiate = XDocument.Parse(await (await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, "k", query: "uploads")))
            .Content.ReadAsStringAsync()).Root!;
        var response = await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, "k",
            query: $"uploadId={initiate.Element("UploadId")!.Value}", content: new StringContent("<CompleteMultipartUpload><Part>")));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedXML");
    }

    [Fact]
    public async Task CopyObject_ReturnsCopyObjectResultWithCrc64_AndCopiesTheBytes()
    {
        var body = Encoding.UTF8.GetBytes("copy me");
        await Server.PutObjectAsync(Bucket, "dir/src file", body, [new("x-cos-meta-a", "1")]);
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "dst",
            headers: [new("x-cos-copy-source", $"{TestServer.VirtualHost(Bucket)}/dir/src%20file")]));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var result = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        result.Name.LocalName.Should().Be("CopyObjectResult");
        result.Elements().Select(e => e.Name.LocalName).Should().Equal("ETag", "LastModified", "CRC64");
        result.Element("ETag")!.Value.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(body))}\"");
        result.Element("CRC64")!.Value.Should().Be(Crc64.Compute(body).ToString());

        var copy = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "dst"));
        (await copy.Content.ReadAsByteArrayAsync()).Should().Equal(body);
        copy.Headers.GetValues("x-cos-meta-a").Single().Should().Be("1");
    }

    [Fact]
    public async Task CopyObject_ReplacesMetadata_WithTheReplacedDirective()
    {
        await Server.PutObjectAsync(Bucket, "src", [1], [new("x-cos-meta-a", "1")]);
        await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "dst", headers:
        [
            new("x-cos-copy-source", $"{TestServer.VirtualHost(Bucket)}/src"),
            new("x-cos-metadata-directive", "Replaced"),
            new("x-cos-meta-b", "2"),
        ]));
        var head = await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "dst"));
        head.Headers.Contains("x-cos-meta-a").Should().BeFalse();
        head.Headers.GetValues("x-cos-meta-b").Single().Should().Be("2");
    }

    [Fact]
    public async Task CopyObject_ReturnsAccessDenied_FromAnotherAccountsBucket()
    {
        var foreign = TestServer.BucketName("foreign", TestAccounts.Other);
        await Server.SendAsync(Server.Request(HttpMethod.Put, foreign, account: TestAccounts.Other));
        await Server.SendAsync(Server.Request(HttpMethod.Put, foreign, "secret", content: new ByteArrayContent([1]), account: TestAccounts.Other));
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "stolen",
            headers: [new("x-cos-copy-source", $"{TestServer.VirtualHost(foreign)}/secret")]));
        await response.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task CopyObject_ReturnsInvalidArgument_AndStoresNothing_ForTheS3CopySourceHeader()
    {
        await Server.PutObjectAsync(Bucket, "src", [1]);
        var response = await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, "dst",
            headers: [new("x-amz-copy-source", $"/{Bucket}/src")]));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        (await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "dst"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteObjects_ReportsDeletedKeys_OrOnlyErrorsWhenQuiet()
    {
        await Server.PutObjectAsync(Bucket, "a", [1]);
        await Server.PutObjectAsync(Bucket, "b", [1]);
        var loud = await DeleteAsync("<Delete><Object><Key>a</Key></Object><Object><Key>b</Key></Object></Delete>");
        loud.Elements("Deleted").Select(d => d.Element("Key")!.Value).Should().Equal("a", "b");
        (await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "a"))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var quiet = await DeleteAsync("<Delete><Quiet>true</Quiet><Object><Key>c</Key></Object></Delete>");
        quiet.Elements().Should().BeEmpty();
    }

    [Fact]
    public async Task DeleteObjects_ReturnsBadDigest_WhenContentMd5DoesNotMatch()
    {
        var response = await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, query: "delete",
            content: new StringContent("<Delete><Object><Key>a</Key></Object></Delete>"),
            headers: [new("Content-MD5", Convert.ToBase64String(MD5.HashData("other"u8)))]));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "BadDigest");
    }

    [Fact]
    public async Task DeleteObjects_ReturnsMalformedXml_ForMoreThanAThousandKeys()
    {
        var objects = string.Concat(Enumerable.Range(0, 1001).Select(i => $"<Object><Key>k{i}</Key></Object>"));
        var response = await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, query: "delete",
            content: new StringContent($"<Delete>{objects}</Delete>")));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedXML");
    }

    private async Task<XElement> DeleteAsync(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var response = await Server.SendAsync(Server.Request(HttpMethod.Post, Bucket, query: "delete", content: new ByteArrayContent(bytes),
            headers: [new("Content-MD5", Convert.ToBase64String(MD5.HashData(bytes)))]));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        root.Name.LocalName.Should().Be("DeleteResult");
        return root;
    }
}
