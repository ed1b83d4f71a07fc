using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Coffer.Model.Inventory;
using Coffer.Protocol.Tests.Inventory;
using Coffer.Storage;
using Coffer.Storage.Records;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// PUT / GET / DELETE / List / POST Bucket inventory in the COS dialect, and every error row of cos-wire.md §1.9. The
/// control plane only: no worker runs what POST queues, so a job stays as the API recorded it.
/// </summary>
public sealed class InventoryApiTests : IAsyncLifetime
{
    private readonly string _bucket = TestServer.BucketName("inventory");
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(_time, inventory: new InventoryServiceOptions { RunWorker = false });
        await _server.CreateBucketAsync(_bucket);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task PutThenGet_ReturnsTheConfiguration_Canonically()
    {
        (await PutAsync("list1", Configuration("list1"))).StatusCode.Should().Be(HttpStatusCode.OK);
        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory&id=list1"));
        get.StatusCode.Should().Be(HttpStatusCode.OK);
        get.Content.Headers.ContentType!.MediaType.Should().Be("application/xml");
        (await get.Content.ReadAsStringAsync()).Should().Be(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><InventoryConfiguration><Id>list1</Id><IsEnabled>true</IsEnabled>" +
            "<Destination><COSBucketDestination><Format>CSV</Format><AccountId>100000000001</AccountId>" +
            $"<Bucket>qcs::cos:ap-guangzhou::{_bucket}</Bucket><Prefix>reports</Prefix><Encryption><SSE-COS></SSE-COS></Encryption>" +
            "</COSBucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule><Filter><Prefix>logs/</Prefix></Filter>" +
            "<IncludedObjectVersions>All</IncludedObjectVersions><OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields>" +
            "</InventoryConfiguration>");
    }

    [Fact]
    public async Task Put_AcceptsTheInventoryEqualsSpelling_AndAMissingContentMd5()
    {
        var body = Encoding.UTF8.GetBytes(Configuration("eq"));
        var response = await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "inventory=&id=eq", content: new ByteArrayContent(body)));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Put_StoresTheGoSdkBody_AndGetEchoesItsShape()
    {
        await _server.CreateBucketAsync("examplebucket-1250000000");
        var body = Encoding.UTF8.GetBytes(InventoryExamples.GoSdkPut);
        var put = await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "inventory&id=monthly", content: new ByteArrayContent(body),
            headers: [new("Content-Type", "application/xml"), new("Content-MD5", Convert.ToBase64String(MD5.HashData(body)))]));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());

        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory&id=monthly"));
        (await get.Content.ReadAsStringAsync()).Should().Be(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><InventoryConfiguration><Id>monthly</Id><IsEnabled>True</IsEnabled>" +
            "<Destination><COSBucketDestination><Format>ORC</Format><Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket>" +
            "<Encryption><SSE-COS></SSE-COS></Encryption></COSBucketDestination></Destination>" +
            "<Schedule><Frequency>Monthly</Frequency><MonthlyDate>15</MonthlyDate></Schedule>" +
            "<Filter><And><Prefix>logs/</Prefix><StorageClass>STANDARD_IA</StorageClass></And></Filter>" +
            "<IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields></OptionalFields></InventoryConfiguration>");
    }

    [Fact]
    public async Task Put_TakesAListOfStorageClasses_AsDocsInventoryMdSays_AndGetEchoesIt()
    {
        var body = Configuration("classes").Replace("<Filter><Prefix>logs/</Prefix></Filter>",
            "<Filter><And><Prefix>logs/</Prefix><StorageClass>STANDARD_IA,ARCHIVE</StorageClass></And></Filter>");

        (await PutAsync("classes", body)).StatusCode.Should().Be(HttpStatusCode.OK);

        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory&id=classes"));
        XDocument.Parse(await get.Content.ReadAsStringAsync()).Descendants("StorageClass").Single().Value.Should().Be("STANDARD_IA,ARCHIVE");
    }

    [Fact]
    public async Task Get_InTheS3Dialect_WritesIsEnabledAsABoolean_WhateverCaseACosClientStored()
    {
        // Go's SDK sends True; boto3 reads only "true" as true, and would put the configuration back disabled.
        (await PutAsync("capital", Configuration("capital").Replace("<IsEnabled>true</IsEnabled>", "<IsEnabled>True</IsEnabled>"))).StatusCode.Should().Be(HttpStatusCode.OK);
        using var s3 = new S3TestClient(_server.BaseAddress);

        var get = await s3.SendAsync(HttpMethod.Get, _bucket, query: "inventory&id=capital");
        var list = await s3.SendAsync(HttpMethod.Get, _bucket, query: "inventory");

        get.StatusCode.Should().Be(HttpStatusCode.OK);
        XDocument.Parse(await get.Content.ReadAsStringAsync()).Root!.Elements().Single(e => e.Name.LocalName == "IsEnabled").Value.Should().Be("true");
        XDocument.Parse(await list.Content.ReadAsStringAsync()).Descendants().Single(e => e.Name.LocalName == "IsEnabled").Value.Should().Be("true");
        var cos = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory&id=capital"));
        XDocument.Parse(await cos.Content.ReadAsStringAsync()).Root!.Element("IsEnabled")!.Value.Should().Be("True", "COS echoes what was stored (cos-wire.md 1.10)");
    }

    [Theory]
    [InlineData("<Frequency>Daily</Frequency>", "<Frequency>Monthly</Frequency>", "InvalidArgument", "Frequency must be Daily or Weekly, not 'Monthly'.")]
    [InlineData("<Prefix>logs/</Prefix>", "<And><Prefix>logs/</Prefix><Tag><Key>a</Key><Value>b</Value></Tag></And>", "MalformedXML", "An S3 inventory filter takes a Prefix only.")]
    public async Task Put_InTheS3Dialect_TellsWhatS3Takes(string from, string to, string code, string message)
    {
        var body = $"<InventoryConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Id>s3</Id><IsEnabled>true</IsEnabled>" +
            "<Filter><Prefix>logs/</Prefix></Filter><Destination><S3BucketDestination><Format>CSV</Format>" +
            $"<Bucket>arn:aws:s3:::{_bucket}</Bucket></S3BucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule>" +
            "<IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field></OptionalFields></InventoryConfiguration>";
        using var s3 = new S3TestClient(_server.BaseAddress);

        var response = await s3.SendAsync(HttpMethod.Put, _bucket, query: "inventory&id=s3", body: Encoding.UTF8.GetBytes(body.Replace(from, to)));

        var error = await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, code, Coffer.Protocol.Routing.Dialect.S3);
        error.Element("Message")!.Value.Should().Be(message);
    }

    [Fact]
    public async Task Put_ReplacesAnExistingConfiguration_KeepingItsPlaceInTheList()
    {
        await PutAsync("a", Configuration("a"));
        await PutAsync("b", Configuration("b"));
        await PutAsync("a", Configuration("a", frequency: "Weekly"));
        var list = await ListAsync(null);
        list.Elements("InventoryConfiguration").Select(c => c.Element("Id")!.Value).Should().Equal("a", "b");
        list.Elements("InventoryConfiguration").First().Element("Schedule")!.Element("Frequency")!.Value.Should().Be("Weekly");
    }

    [Fact]
    public async Task List_PagesAHundredAtATime_InCreationOrder_AndTokensSurviveChanges()
    {
        for (var i = 0; i < 150; i++)
        {
            (await PutAsync($"ID-{i}", Configuration($"ID-{i}"))).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var first = await ListAsync("");
        first.Element("IsTruncated")!.Value.Should().Be("true");
        first.Elements("InventoryConfiguration").Select(c => c.Element("Id")!.Value).Should().Equal(Enumerable.Range(0, 100).Select(i => $"ID-{i}"));
        var token = first.Element("NextContinuationToken")!.Value;

        // Changes between pages: nothing already listed repeats, nothing that survives is skipped, the newcomer comes last.
        await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, query: "inventory&id=ID-5"));
        await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, query: "inventory&id=ID-120"));
        await PutAsync("late", Configuration("late"));

        var second = await ListAsync(token);
        second.Element("IsTruncated")!.Value.Should().Be("false");
        second.Element("ContinuationToken")!.Value.Should().Be(token);
        second.Element("NextContinuationToken").Should().BeNull();
        second.Elements("InventoryConfiguration").Select(c => c.Element("Id")!.Value)
            .Should().Equal(Enumerable.Range(100, 50).Where(i => i != 120).Select(i => $"ID-{i}").Append("late"));
    }

    [Fact]
    public async Task List_ReturnsIsTruncatedFalse_ForABucketWithoutConfigurations()
    {
        var list = await ListAsync(null);
        list.Elements().Select(e => e.Name.LocalName).Should().Equal("IsTruncated");
        list.Element("IsTruncated")!.Value.Should().Be("false");
    }

    [Fact]
    public async Task Delete_Returns204_AndTheConfigurationIsGone()
    {
        await PutAsync("gone", Configuration("gone"));
        (await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, query: "inventory&id=gone"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, query: "inventory&id=gone"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory&id=gone"));
        await get.ShouldBeErrorAsync(HttpStatusCode.NotFound, "InventoryConfigurationNotFoundError");
    }

    [Fact]
    public async Task Post_QueuesAOneTimeJob_AndAnswersItsJobId()
    {
        var response = await PostAsync("once", OneTime("once"));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        root.Name.LocalName.Should().Be("PostInventoryResult");
        var jobId = root.Element("JobId")!.Value;
        jobId.Should().MatchRegex("^[A-Za-z0-9_-]{24}$");

        var status = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: $"inventory-run&job-id={jobId}"));
        status.StatusCode.Should().Be(HttpStatusCode.OK);
        var run = XDocument.Parse(await status.Content.ReadAsStringAsync()).Root!;
        (run.Element("JobId")!.Value, run.Element("Id")!.Value, run.Element("Trigger")!.Value, run.Element("State")!.Value)
            .Should().Be((jobId, "once", "OneTime", "Queued"));
    }

    [Fact]
    public async Task Post_ReturnsDuplicateInventoryId_ForARepeatedIdOrAPeriodicOne()
    {
        (await PostAsync("once", OneTime("once"))).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await PostAsync("once", OneTime("once"))).ShouldBeErrorAsync(HttpStatusCode.Conflict, "DuplicateInventoryId");

        await PutAsync("periodic", Configuration("periodic"));
        await (await PostAsync("periodic", OneTime("periodic"))).ShouldBeErrorAsync(HttpStatusCode.Conflict, "DuplicateInventoryId");
    }

    public static TheoryData<string, string, HttpStatusCode, string> ErrorRows => new()
    {
        // cos-wire.md §1.9, one row each (query, body, status, code); the query names the case.
        { "inventory&id=bad", Configuration("bad", format: "XLS"), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=bad%21id", Configuration("bad!id"), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=" + new string('a', 65), Configuration(new string('a', 65)), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=query", Configuration("body"), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=nodest", "<InventoryConfiguration><Id>nodest</Id><IsEnabled>true</IsEnabled><IncludedObjectVersions>All</IncludedObjectVersions><Schedule><Frequency>Daily</Frequency></Schedule></InventoryConfiguration>", HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=noschedule", Configuration("noschedule").Replace("<Schedule><Frequency>Daily</Frequency></Schedule>", ""), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=tags", Configuration("tags").Replace("<Filter><Prefix>logs/</Prefix></Filter>", "<Filter><And><Tag><Key>a</Key><Value>b</Value></Tag></And></Filter>"), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=field", Configuration("field").Replace("<Field>ETag</Field>", "<Field>Colour</Field>"), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=nodestbucket", Configuration("nodestbucket").Replace("inventory-1250000000</Bucket>", "missing-1250000000</Bucket>"), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=dotdot", Configuration("dotdot").Replace("<Prefix>reports</Prefix>", "<Prefix>../up</Prefix>"), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=region", Configuration("region").Replace("ap-guangzhou::", "ap-beijing::"), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=monthly", Configuration("monthly", frequency: "Monthly").Replace("</Frequency>", "</Frequency><MonthlyDate>32</MonthlyDate>"), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=malformed", "<InventoryConfiguration><Id>malformed</Id>", HttpStatusCode.BadRequest, "MalformedXML" },
        { "inventory&id=wrongroot", "<Configuration><Id>wrongroot</Id></Configuration>", HttpStatusCode.BadRequest, "MalformedXML" },
        { "inventory&id=empty", "", HttpStatusCode.BadRequest, "MissingRequestBodyError" },
        { "inventory&id=big", Configuration("big").Replace("<Prefix>reports</Prefix>", "<Prefix>" + new string('p', 70_000) + "</Prefix>"), HttpStatusCode.BadRequest, "XMLSizeLimit" },
        { "inventory", Configuration("noid"), HttpStatusCode.BadRequest, "InvalidArgument" },
        // An id is a folder of every report's key: '.' and '..' could never be delivered.
        { "inventory&id=.", Configuration("."), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=..", Configuration(".."), HttpStatusCode.BadRequest, "InvalidArgument" },
        // A second element S3's and COS's schemas allow once would be dropped unseen: the stored configuration another than the one sent.
        { "inventory&id=twoids", Configuration("twoids").Replace("<Id>twoids</Id>", "<Id>twoids</Id><Id>other</Id>"), HttpStatusCode.BadRequest, "MalformedXML" },
        { "inventory&id=twoversions", Configuration("twoversions").Replace("<IncludedObjectVersions>All</IncludedObjectVersions>", "<IncludedObjectVersions>All</IncludedObjectVersions><IncludedObjectVersions>Current</IncludedObjectVersions>"), HttpStatusCode.BadRequest, "MalformedXML" },
        { "inventory&id=twokinds", Configuration("twokinds").Replace("<SSECOS></SSECOS>", "<SSECOS></SSECOS><SSE-KMS><KeyId>k</KeyId></SSE-KMS>"), HttpStatusCode.BadRequest, "MalformedXML" },
        { "inventory&id=twoprefixes", Configuration("twoprefixes").Replace("<Filter><Prefix>logs/</Prefix></Filter>", "<Filter><Prefix>a</Prefix><And><Prefix>b</Prefix></And></Filter>"), HttpStatusCode.BadRequest, "MalformedXML" },
        { "inventory&id=twoperiods", Configuration("twoperiods").Replace("<Filter><Prefix>logs/</Prefix></Filter>", "<Filter><Period><StartTime>1</StartTime></Period><And><Prefix>b</Prefix><Period><StartTime>2</StartTime></Period></And></Filter>"), HttpStatusCode.BadRequest, "MalformedXML" },
        { "inventory&id=emptyclass", Configuration("emptyclass").Replace("<Filter><Prefix>logs/</Prefix></Filter>", "<Filter><And><StorageClass>STANDARD_IA,</StorageClass></And></Filter>"), HttpStatusCode.BadRequest, "InvalidArgument" },
    };

    [Theory]
    [MemberData(nameof(ErrorRows))]
    public async Task Put_AnswersTheDocumentedError(string query, string body, HttpStatusCode status, string code)
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: query, content: new StringContent(body)));
        await response.ShouldBeErrorAsync(status, code);
    }

    public static TheoryData<string, string, HttpStatusCode, string> PostErrorRows => new()
    {
        // POST reads its body like PUT: the same rows, with a one-time body where the case needs a valid one.
        { "inventory&id=malformed", "<InventoryConfiguration><Id>malformed</Id>", HttpStatusCode.BadRequest, "MalformedXML" },
        { "inventory&id=empty", "", HttpStatusCode.BadRequest, "MissingRequestBodyError" },
        { "inventory&id=big", OneTime("big").Replace("<Format>CSV</Format>", "<Format>CSV</Format><Prefix>" + new string('p', 70_000) + "</Prefix>"), HttpStatusCode.BadRequest, "XMLSizeLimit" },
        { "inventory&id=query", OneTime("body"), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=bad%21id", OneTime("bad!id"), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=format", OneTime("format").Replace("<Format>CSV</Format>", "<Format>XLS</Format>"), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=nodestbucket", OneTime("nodestbucket").Replace("inventory-1250000000</Bucket>", "missing-1250000000</Bucket>"), HttpStatusCode.BadRequest, "InvalidArgument" },
        { "inventory&id=..", OneTime(".."), HttpStatusCode.BadRequest, "InvalidArgument" },
    };

    [Theory]
    [MemberData(nameof(PostErrorRows))]
    public async Task Post_AnswersTheDocumentedError(string query, string body, HttpStatusCode status, string code)
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Post, _bucket, query: query, content: new StringContent(body)));
        await response.ShouldBeErrorAsync(status, code);
        var runs = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory-runs"));
        runs.StatusCode.Should().Be(HttpStatusCode.OK);
        XDocument.Parse(await runs.Content.ReadAsStringAsync()).Root!.Elements("InventoryRun").Should().BeEmpty("a refused POST queues nothing");
    }

    [Fact]
    public async Task Put_ReturnsTooManyConfigurations_ForTheThousandAndFirst()
    {
        for (var i = 0; i < InventoryRules.MaxConfigurationsPerBucket; i++)
        {
            (await PutAsync($"c{i}", Configuration($"c{i}"))).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await (await PutAsync("one-too-many", Configuration("one-too-many"))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "TooManyConfigurations");
        (await PutAsync("c7", Configuration("c7", frequency: "Weekly"))).StatusCode.Should().Be(HttpStatusCode.OK, "replacing is not adding");
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("POST")]
    public async Task PutAndPost_CheckContentMd5_WhenSent(string method)
    {
        var body = Encoding.UTF8.GetBytes(method == "PUT" ? Configuration("md5") : OneTime("md5"));
        HttpRequestMessage Request(string contentMd5) => _server.Request(new HttpMethod(method), _bucket, query: "inventory&id=md5",
            content: new ByteArrayContent(body), headers: [new("Content-MD5", contentMd5)]);

        await (await _server.SendAsync(Request(Convert.ToBase64String(MD5.HashData("other"u8))))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "BadDigest");
        await (await _server.SendAsync(Request("not-md5"))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidDigest");
        var stored = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory&id=md5"));
        await stored.ShouldBeErrorAsync(HttpStatusCode.NotFound, "InventoryConfigurationNotFoundError");
        var runs = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory-runs"));
        runs.StatusCode.Should().Be(HttpStatusCode.OK);
        XDocument.Parse(await runs.Content.ReadAsStringAsync()).Root!.Elements("InventoryRun").Should().BeEmpty("the refused attempts queued nothing");

        (await _server.SendAsync(Request(Convert.ToBase64String(MD5.HashData(body))))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Post_RefusesAnIdUsedEarlierTheSameUtcDay_EvenWhenThatJobFinished()
    {
        _time.Set(new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero));
        var jobId = XDocument.Parse(await (await PostAsync("daily", OneTime("daily"))).Content.ReadAsStringAsync()).Root!.Element("JobId")!.Value;
        var engine = _server.Server.Services.GetRequiredService<StorageEngine>();
        await engine.Metadata.WriteAsync(writer =>
        {
            writer.Runs.Update(writer.Runs.Get(jobId)! with { State = InventoryRunStates.Succeeded });
            return 0;
        });

        _time.Set(new DateTimeOffset(2026, 11, 22, 23, 59, 0, TimeSpan.Zero));
        await (await PostAsync("daily", OneTime("daily"))).ShouldBeErrorAsync(HttpStatusCode.Conflict, "DuplicateInventoryId");
        _time.Set(new DateTimeOffset(2026, 11, 23, 0, 0, 1, TimeSpan.Zero));
        (await PostAsync("daily", OneTime("daily"))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Post_ReturnsInvalidArgument_WithIsEnabledOrSchedule()
    {
        await (await PostAsync("p1", Configuration("p1"))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        var withSchedule = OneTime("p2").Replace("<IncludedObjectVersions>", "<Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>");
        await (await PostAsync("p2", withSchedule)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task Requests_ReturnTheAuthenticationAndResourceErrors()
    {
        var other = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory", account: TestAccounts.Other));
        await other.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");

        var missing = await _server.SendAsync(_server.Request(HttpMethod.Get, TestServer.BucketName("nobucket"), query: "inventory&id=x"));
        await missing.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchBucket");

        var unknown = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory&id=unknown"));
        await unknown.ShouldBeErrorAsync(HttpStatusCode.NotFound, "InventoryConfigurationNotFoundError");

        var method = await _server.SendAsync(_server.Request(HttpMethod.Patch, _bucket, query: "inventory&id=x"));
        await method.ShouldBeErrorAsync(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");

        var badSecret = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory", account: TestAccounts.Owner with { SecretKey = "x" }));
        await badSecret.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "SignatureDoesNotMatch");

        var badKey = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory", account: TestAccounts.Owner with { SecretId = "AKIDnobody" }));
        await badKey.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "InvalidAccessKeyId");

        var expired = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory",
            signedAt: _time.GetUtcNow().AddHours(-2), lifetime: TimeSpan.FromMinutes(5)));
        (await expired.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied")).Element("Message")!.Value.Should().Be("Request has expired");

        var skewed = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory",
            signedAt: _time.GetUtcNow().AddHours(2), lifetime: TimeSpan.FromMinutes(5)));
        await skewed.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "RequestTimeTooSkewed");
    }

    internal static string Configuration(string id, string format = "CSV", string frequency = "Daily") =>
        $"<InventoryConfiguration><Id>{id}</Id><IsEnabled>true</IsEnabled><Destination><COSBucketDestination><Format>{format}</Format>" +
        $"<AccountId>100000000001</AccountId><Bucket>qcs::cos:ap-guangzhou::inventory-1250000000</Bucket><Prefix>reports</Prefix>" +
        $"<Encryption><SSECOS></SSECOS></Encryption></COSBucketDestination></Destination><Schedule><Frequency>{frequency}</Frequency></Schedule>" +
        "<Filter><Prefix>logs/</Prefix></Filter><IncludedObjectVersions>All</IncludedObjectVersions>" +
        "<OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields></InventoryConfiguration>";

    internal static string OneTime(string id) =>
        $"<InventoryConfiguration><Id>{id}</Id><Destination><COSBucketDestination><Format>CSV</Format>" +
        "<Bucket>qcs::cos:ap-guangzhou::inventory-1250000000</Bucket></COSBucketDestination></Destination>" +
        "<IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field></OptionalFields></InventoryConfiguration>";

    private Task<HttpResponseMessage> PutAsync(string id, string body) =>
        _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: $"inventory&id={id}", content: new StringContent(body)));

    private Task<HttpResponseMessage> PostAsync(string id, string body) =>
        _server.SendAsync(_server.Request(HttpMethod.Post, _bucket, query: $"inventory&id={id}", content: new StringContent(body)));

    private async Task<XElement> ListAsync(string? token)
    {
        var query = token is null ? "inventory" : $"inventory&continuation-token={Uri.EscapeDataString(token)}";
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: query));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        root.Name.LocalName.Should().Be("ListInventoryConfigurationResult");
        return root;
    }
}
