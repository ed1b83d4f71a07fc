using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Protocol.Routing;
using Coffer.Server.AccessLogs;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coffer.Server.Tests;

/// <summary>PUT / GET Bucket logging in both dialects, and the access-log objects delivered into the target bucket.</summary>
public sealed class BucketLoggingApiTests : IAsyncLifetime
{
    private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
    private const string Empty = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BucketLoggingStatus></BucketLoggingStatus>";

    private readonly string _source = TestServer.BucketName("logged");
    private readonly string _target = TestServer.BucketName("logs");
    private TestServer _server = null!;
    private S3TestClient _s3 = null!;

    public async Task InitializeAsync()
    {
        // Delivered every 100 ms so a test sees its records without waiting out S3's minute.
        _server = await TestServer.StartAsync(accessLogs: new AccessLogServiceOptions { FlushInterval = TimeSpan.FromMilliseconds(100) });
        _s3 = new S3TestClient(_server.BaseAddress);
        (await _server.CreateBucketAsync(_source)).EnsureSuccessStatusCode();
        (await _server.CreateBucketAsync(_target)).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _s3.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Logging_ReadsBackAsPut_InCos_AndAnEmptyStatusTurnsItOff()
    {
        var none = await Cos(HttpMethod.Get, _source);
        none.StatusCode.Should().Be(HttpStatusCode.OK);
        (await none.Content.ReadAsStringAsync()).Should().Be(Empty);

        var enabled = $"<BucketLoggingStatus><LoggingEnabled><TargetBucket>{_target}</TargetBucket><TargetPrefix>cos/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>";
        var put = await Cos(HttpMethod.Put, _source, enabled);
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        (await (await Cos(HttpMethod.Get, _source)).Content.ReadAsStringAsync()).Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?>" + enabled);

        (await Cos(HttpMethod.Put, _source, "<BucketLoggingStatus/>")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await Cos(HttpMethod.Get, _source)).Content.ReadAsStringAsync()).Should().Be(Empty);
    }

    [Fact]
    public async Task Logging_ReadsBackAsPut_InS3_WithAPartitionedPrefix()
    {
        var enabled = $"<BucketLoggingStatus xmlns=\"{S3Namespace}\"><LoggingEnabled><TargetBucket>{_target}</TargetBucket><TargetPrefix>s3/</TargetPrefix>" +
            "<TargetObjectKeyFormat><PartitionedPrefix><PartitionDateSource>DeliveryTime</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat>" +
            "</LoggingEnabled></BucketLoggingStatus>";
        var put = await S3(HttpMethod.Put, _source, enabled);
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());

        var got = XElement.Parse(await (await S3(HttpMethod.Get, _source)).Content.ReadAsStringAsync());
        XNode.DeepEquals(got, XElement.Parse(enabled)).Should().BeTrue(got.ToString());
    }

    [Theory]
    [InlineData("<LoggingEnabled><TargetBucket>missing-1250000000</TargetBucket><TargetPrefix>p/</TargetPrefix></LoggingEnabled>", 400, "InvalidTargetBucketForLogging")]
    [InlineData("<LoggingEnabled><TargetBucket>TARGET</TargetBucket></LoggingEnabled>", 400, "MalformedXML")]
    [InlineData("<LoggingEnabled><TargetPrefix>p/</TargetPrefix></LoggingEnabled>", 400, "MalformedXML")]
    [InlineData("<Other/>", 400, "MalformedXML")]
    [InlineData("<LoggingEnabled><TargetBucket>TARGET</TargetBucket><TargetPrefix>p/</TargetPrefix>" +
        "<TargetObjectKeyFormat><PartitionedPrefix><PartitionDateSource>Tomorrow</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat></LoggingEnabled>", 400, "MalformedXML")]
    [InlineData("<LoggingEnabled><TargetBucket>TARGET</TargetBucket><TargetPrefix>p/</TargetPrefix><TargetGrants><Grant><Grantee " +
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>" +
        "<Permission>READ</Permission></Grant></TargetGrants></LoggingEnabled>", 501, "NotImplemented")]
    public async Task PutLogging_RefusesWhatItCannotDo_AndKeepsTheConfigurationItHad(string status, int code, string error)
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "kept/"))).EnsureSuccessStatusCode();
        var before = await (await S3(HttpMethod.Get, _source)).Content.ReadAsStringAsync();

        var put = await S3(HttpMethod.Put, _source, $"<BucketLoggingStatus xmlns=\"{S3Namespace}\">{status.Replace("TARGET", _target)}</BucketLoggingStatus>");
        await put.ShouldBeErrorAsync((HttpStatusCode)code, error, Dialect.S3);
        var after = XElement.Parse(await (await S3(HttpMethod.Get, _source)).Content.ReadAsStringAsync());
        XNode.DeepEquals(after, XElement.Parse(before)).Should().BeTrue(after.ToString());
        after.Descendants().Single(e => e.Name.LocalName == "TargetPrefix").Value.Should().Be("kept/");
    }

    [Fact]
    public async Task PutLogging_InCos_RefusesAKeyFormat_ItsGetCouldNotShow()
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "kept/"))).EnsureSuccessStatusCode();
        var partitioned = $"<BucketLoggingStatus><LoggingEnabled><TargetBucket>{_target}</TargetBucket><TargetPrefix>p/</TargetPrefix>" +
            "<TargetObjectKeyFormat><PartitionedPrefix/></TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>";

        await (await Cos(HttpMethod.Put, _source, partitioned)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedXML");
        (await (await Cos(HttpMethod.Get, _source)).Content.ReadAsStringAsync()).Should().Contain("<TargetPrefix>kept/</TargetPrefix>");
    }

    [Theory]
    [InlineData(false, 1024 - 36, HttpStatusCode.OK)]
    [InlineData(false, 1024 - 35, HttpStatusCode.BadRequest)]
    [InlineData(true, 1024 - 36 - 11 - 1, HttpStatusCode.BadRequest)]
    public async Task PutLogging_RefusesAPrefixThatLeavesNoRoomForTheLogObjectsNames(bool partitioned, int prefixBytes, HttpStatusCode expected)
    {
        // A simple name adds 36 bytes (date, time, 16 hex); a partitioned one also the account, region and bucket and YYYY/MM/DD/.
        var format = partitioned ? "<TargetObjectKeyFormat><PartitionedPrefix/></TargetObjectKeyFormat>" : "";
        var put = await S3(HttpMethod.Put, _source, $"<BucketLoggingStatus xmlns=\"{S3Namespace}\"><LoggingEnabled><TargetBucket>{_target}</TargetBucket>" +
            $"<TargetPrefix>{new string('p', prefixBytes)}</TargetPrefix>{format}</LoggingEnabled></BucketLoggingStatus>");

        if (expected == HttpStatusCode.OK)
        {
            put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        }
        else
        {
            await put.ShouldBeErrorAsync(expected, "InvalidArgument", Dialect.S3);
        }
    }

    [Fact]
    public async Task PutLogging_RefusesATargetInAnotherRegion()
    {
        var elsewhere = TestServer.BucketName("beijing");
        (await _s3.SendAsync(HttpMethod.Put, elsewhere,
            body: Encoding.UTF8.GetBytes("<CreateBucketConfiguration><LocationConstraint>ap-beijing</LocationConstraint></CreateBucketConfiguration>")))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        await (await Cos(HttpMethod.Put, _source, Enabled(elsewhere, "p/"))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "CrossLocationLoggingProhibitted");
    }

    [Fact]
    public async Task PutLogging_IntoAnotherAccountsBucket_NeedsItsPolicyToAllowTheLoggingService()
    {
        var theirs = TestServer.BucketName("theirs", TestAccounts.Other);
        (await _server.SendAsync(_server.Request(HttpMethod.Put, theirs, account: TestAccounts.Other))).EnsureSuccessStatusCode();
        await (await Cos(HttpMethod.Put, _source, Enabled(theirs, "in/"))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidTargetBucketForLogging");

        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"logging.s3.amazonaws.com\"}," +
            $"\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::{theirs}/in/*\"}}]}}";
        (await _s3.SendAsync(HttpMethod.Put, theirs, query: "policy", body: Encoding.UTF8.GetBytes(policy), account: TestAccounts.Other))
            .StatusCode.Should().Be(HttpStatusCode.NoContent);
        var put = await Cos(HttpMethod.Put, _source, Enabled(theirs, "in/"));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        await (await Cos(HttpMethod.Put, _source, Enabled(theirs, "elsewhere/"))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidTargetBucketForLogging");
    }

    [Fact]
    public async Task PutLogging_RefusesATarget_WhosePolicyDeniesTheKeysDeliveryWouldWrite()
    {
        // The prefix itself is not denied, every log object's name under it (dated 2xxx) is.
        await PutDenyingPolicyAsync(_server, "down/2*");

        await (await Cos(HttpMethod.Put, _source, Enabled(_target, "down/"))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidTargetBucketForLogging");
        (await (await Cos(HttpMethod.Put, _source, Enabled(_target, "up/"))).Content.ReadAsStringAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task PutLogging_IntoAnotherAccountsBucket_AcceptsAPolicyWrittenForThePartitionedLayout()
    {
        var theirs = TestServer.BucketName("theirs", TestAccounts.Other);
        (await _server.SendAsync(_server.Request(HttpMethod.Put, theirs, account: TestAccounts.Other))).EnsureSuccessStatusCode();
        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"logging.s3.amazonaws.com\"}," +
            $"\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::{theirs}/in/{TestAccounts.Owner.Uin}/{TestServer.Region}/*\"}}]}}";
        (await _s3.SendAsync(HttpMethod.Put, theirs, query: "policy", body: Encoding.UTF8.GetBytes(policy), account: TestAccounts.Other))
            .StatusCode.Should().Be(HttpStatusCode.NoContent);

        var put = await S3(HttpMethod.Put, _source, $"<BucketLoggingStatus xmlns=\"{S3Namespace}\"><LoggingEnabled><TargetBucket>{theirs}</TargetBucket>" +
            "<TargetPrefix>in/</TargetPrefix><TargetObjectKeyFormat><PartitionedPrefix/></TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>");

        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PutLogging_AnswersAMissingTarget_BeforeATooLongPrefix()
    {
        var put = await S3(HttpMethod.Put, _source, $"<BucketLoggingStatus xmlns=\"{S3Namespace}\"><LoggingEnabled><TargetBucket>{TestServer.BucketName("missing")}</TargetBucket>" +
            $"<TargetPrefix>{new string('p', 1024)}</TargetPrefix></LoggingEnabled></BucketLoggingStatus>");

        await put.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidTargetBucketForLogging", Dialect.S3);
    }

    [Fact]
    public async Task Logging_IsTheOwnersToSetAndRead()
    {
        var put = _server.Request(HttpMethod.Put, _source, query: "logging", content: new ByteArrayContent(Encoding.UTF8.GetBytes(Enabled(_target, "p/"))),
            account: TestAccounts.Other);
        await (await _server.SendAsync(put)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        await (await _server.SendAsync(_server.Request(HttpMethod.Get, _source, query: "logging", account: TestAccounts.Other)))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task Put_IsDeliveredAsARecordInS3sFormat_UnderTheTargetPrefix()
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "access/"))).EnsureSuccessStatusCode();
        var written = await _s3.SendAsync(HttpMethod.Put, _source, "dir/a b.txt", body: new byte[1234],
            headers: [new("User-Agent", "logging-test/1.0"), new("Referer", "http://example.com/page")]);
        written.EnsureSuccessStatusCode();
        var requestId = written.Headers.GetValues("x-amz-request-id").Single();

        var line = (await WaitForRecordsAsync(_target, "access/", l => l.Contains(requestId, StringComparison.Ordinal)))
            .Single(l => l.Contains(requestId, StringComparison.Ordinal));
        var fields = Fields(line);
        fields[1].Should().Be(_source);
        fields[2].Should().MatchRegex(@"^\[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\]$");
        fields[3].Should().Be("127.0.0.1");
        fields[4].Should().Be($"qcs::cam::uin/{TestAccounts.Owner.Uin}:uin/{TestAccounts.Owner.Uin}");
        fields[5].Should().Be(requestId);
        fields[6].Should().Be("REST.PUT.OBJECT");
        fields[7].Should().Be("dir/a%20b.txt");
        fields[8].Should().Be($"PUT /{_source}/dir/a%20b.txt HTTP/1.1");
        fields[9].Should().Be("200");
        fields[10].Should().Be("-");
        fields[12].Should().Be("1234");
        fields[15].Should().Be("http://example.com/page");
        fields[16].Should().Be("logging-test/1.0");
        fields[19].Should().Be("SigV4");
        fields[21].Should().Be("AuthHeader");
        fields[22].Should().Be(new Uri(_server.BaseAddress.ToString()).Authority);
        fields.Should().HaveCount(26);
    }

    [Fact]
    public async Task ARefusedRequest_IsLoggedWithItsErrorCode()
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "access/"))).EnsureSuccessStatusCode();
        var denied = await _server.SendAsync(_server.Request(HttpMethod.Get, _source, "secret", account: TestAccounts.Other));
        denied.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var requestId = denied.Headers.GetValues("x-cos-request-id").Single();

        var fields = Fields((await WaitForRecordsAsync(_target, "access/", l => l.Contains(requestId, StringComparison.Ordinal)))
            .Single(l => l.Contains(requestId, StringComparison.Ordinal)));
        fields[6].Should().Be("REST.GET.OBJECT");
        fields[9].Should().Be("403");
        fields[10].Should().Be("AccessDenied");
    }

    [Fact]
    public async Task AnUploadWhoseClientLeftPartWay_IsLoggedAsIncompleteBody_NeverAs200()
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "access/"))).EnsureSuccessStatusCode();
        const int Uploads = 100;
        for (var i = 0; i < Uploads; i++)
        {
            // A signed chunked upload whose client goes away inside its first chunk: Kestrel reports that to the
            // request as a bad body at times, and at others as the request aborted.
            var signed = _server.Request(HttpMethod.Put, _source, $"cut-{i}");
            var head = new StringBuilder($"PUT {signed.RequestUri!.PathAndQuery} HTTP/1.1\r\n");
            foreach (var (name, values) in signed.Headers)
            {
                head.Append(CultureInfo.InvariantCulture, $"{name}: {string.Join(",", values)}\r\n");
            }

            head.Append("Transfer-Encoding: chunked\r\n\r\n1000\r\n").Append('x', 2048);
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, _server.BaseAddress.Port);
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
            await Task.Delay(50);
        }

        List<string> cut = [];
        for (var attempt = 0; attempt < 100 && cut.Count < Uploads; attempt++)
        {
            cut = (await WaitForRecordsAsync(_target, "access/", l => l.Contains(" cut-", StringComparison.Ordinal)))
                .Where(l => l.Contains(" cut-", StringComparison.Ordinal)).ToList();
            await Task.Delay(100);
        }

        cut.Should().HaveCount(Uploads);
        cut.Select(l => (Fields(l)[9], Fields(l)[10])).Should().AllBeEquivalentTo(("400", "IncompleteBody"));
        var listing = await _server.SendAsync(_server.Request(HttpMethod.Get, _source, query: "prefix=cut-"));
        (await listing.Content.ReadAsStringAsync()).Should().NotContain("<Contents>");
    }

    [Fact]
    public async Task PutLogging_IsLoggedItself_WhenItTurnsLoggingOff()
    {
        // The record goes by the rules the request was authorized with, not by the configuration its handler left behind.
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "access/"))).EnsureSuccessStatusCode();
        var off = await Cos(HttpMethod.Put, _source, "<BucketLoggingStatus/>");
        off.StatusCode.Should().Be(HttpStatusCode.OK);

        var fields = await RecordOfAsync(off);
        fields[6].Should().Be("REST.PUT.LOGGING_STATUS");
        fields[9].Should().Be("200");
    }

    [Fact]
    public async Task ARequestWithABadSignature_IsLoggedAnonymously_WithItsErrorCode()
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "access/"))).EnsureSuccessStatusCode();
        var tampered = _server.Request(HttpMethod.Get, _source, "signed-for-this");
        tampered.RequestUri = new Uri(_server.BaseAddress, $"/{_source}/but-sent-for-that");

        var fields = await RecordOfAsync(await _server.SendRawAsync(tampered));
        fields[4].Should().Be("-");
        fields[6].Should().Be("REST.GET.OBJECT");
        fields[9].Should().Be("403");
        fields[10].Should().Be("SignatureDoesNotMatch");
    }

    [Fact]
    public async Task RemoteIp_OfAnIpv4Client_IsWrittenAsIpv4_EvenOnADualStackSocket()
    {
        // A dual-stack socket sees 127.0.0.1 as ::ffff:127.0.0.1; S3 writes the address the client has.
        await using var server = await TestServer.StartAsync(accessLogs: new AccessLogServiceOptions { FlushInterval = TimeSpan.FromMilliseconds(100) },
            listen: "[::]:0");
        (await server.CreateBucketAsync(_source)).EnsureSuccessStatusCode();
        (await server.CreateBucketAsync(_target)).EnsureSuccessStatusCode();
        (await server.SendAsync(server.Request(HttpMethod.Put, _source, query: "logging", content: new StringContent(Enabled(_target, "ip/")))))
            .EnsureSuccessStatusCode();
        (await server.PutObjectAsync(_source, "from-v4", [1])).EnsureSuccessStatusCode();

        var records = await WaitForRecordsAsync(server, _target, "ip/", l => l.Contains(" REST.PUT.OBJECT from-v4 ", StringComparison.Ordinal));
        Fields(records.Single(l => l.Contains(" REST.PUT.OBJECT from-v4 ", StringComparison.Ordinal)))[3].Should().Be("127.0.0.1");
    }

    [Fact]
    public async Task BytesSent_IsEmptyForAHead_WhoseLengthIsTheObjectsSize()
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "access/"))).EnsureSuccessStatusCode();
        (await _server.PutObjectAsync(_source, "headed", new byte[321])).EnsureSuccessStatusCode();

        var fields = await RecordOfAsync(await _server.SendAsync(_server.Request(HttpMethod.Head, _source, "headed")));
        fields[6].Should().Be("REST.HEAD.OBJECT");
        fields[11].Should().Be("-");
        fields[12].Should().Be("321");
    }

    [Fact]
    public async Task ObjectSize_OfAnAwsChunkedPut_IsTheDecodedLength_NotTheFraming()
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "access/"))).EnsureSuccessStatusCode();
        var data = new byte[1000];
        var crc = Coffer.Common.Crc32.CreateIeee();
        crc.Append(data);
        var crcText = Convert.ToBase64String(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(crc.Value)));
        var framed = Encoding.ASCII.GetBytes($"{data.Length:x}\r\n").Concat(data)
            .Concat(Encoding.ASCII.GetBytes($"\r\n0\r\nx-amz-checksum-crc32:{crcText}\r\n\r\n")).ToArray();
        var put = new HttpRequestMessage(HttpMethod.Put, new Uri(_server.BaseAddress, $"/{_source}/chunked")) { Content = new ByteArrayContent(framed) };
        put.Headers.TryAddWithoutValidation("x-amz-decoded-content-length", data.Length.ToString(CultureInfo.InvariantCulture));
        put.Headers.TryAddWithoutValidation("x-amz-trailer", "x-amz-checksum-crc32");
        put.Content.Headers.TryAddWithoutValidation("Content-Encoding", "aws-chunked");
        S3RequestSigner.Sign(put, TestAccounts.Owner, DateTimeOffset.UtcNow, "STREAMING-UNSIGNED-PAYLOAD-TRAILER");

        var response = await _server.SendRawAsync(put);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await RecordOfAsync(response))[12].Should().Be("1000");
    }

    [Fact]
    public async Task ObjectSize_IsEmptyForAnObjectsSubResource()
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "access/"))).EnsureSuccessStatusCode();
        (await _server.PutObjectAsync(_source, "tagged", [1])).EnsureSuccessStatusCode();
        var tagging = Encoding.UTF8.GetBytes("<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>");

        var response = await _s3.SendAsync(HttpMethod.Put, _source, "tagged", query: "tagging", body: tagging);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await RecordOfAsync(response))[12].Should().Be("-");
    }

    [Theory]
    [InlineData("GET", "policy", "REST.GET.BUCKETPOLICY")]
    [InlineData("DELETE", "policy", "REST.DELETE.BUCKETPOLICY")]
    [InlineData("GET", "tagging", "REST.GET.OBJECT_TAGGING")]
    [InlineData("PUT", "tagging", "REST.PUT.OBJECT_TAGGING")]
    [InlineData("DELETE", "tagging", "REST.DELETE.OBJECT_TAGGING")]
    public async Task Operation_IsNamedAsS3NamesIt_ForBucketPolicyAndObjectTagging(string method, string query, string operation)
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "access/"))).EnsureSuccessStatusCode();
        (await _server.PutObjectAsync(_source, "tagged", [1])).EnsureSuccessStatusCode();
        var key = query == "tagging" ? "tagged" : null;
        var body = method == "PUT" ? Encoding.UTF8.GetBytes("<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>") : null;

        var response = await _s3.SendAsync(new HttpMethod(method), _source, key, query: query, body: body);
        (await RecordOfAsync(response))[6].Should().Be(operation);
    }

    [Fact]
    public async Task Delivery_ChecksTheKeyItWrites_NotJustThePrefix()
    {
        // The target's own policy denies keys that start like a log object's date under the prefix, not the prefix itself;
        // a bucket logging under another prefix of the same target is the control: its record arrives.
        var control = TestServer.BucketName("control");
        var (keys, records, refused) = await DeliveredAtShutdownAsync(new AccessLogServiceOptions { FlushInterval = TimeSpan.FromHours(1) }, async server =>
        {
            await PutDenyingPolicyAsync(server, "down/2*");
            await LogIntoTargetAsync(server, control, "up/");
            (await server.PutObjectAsync(_source, "unlogged", [1])).EnsureSuccessStatusCode();
            (await server.PutObjectAsync(control, "logged", [1])).EnsureSuccessStatusCode();
        });

        keys.Should().OnlyContain(k => k.StartsWith("up/", StringComparison.Ordinal));
        records.Should().ContainSingle().Which.Should().Contain(" REST.PUT.OBJECT logged ");
        refused.Should().Be(1);
    }

    [Fact]
    public async Task Delivery_DropsTheRecords_WhenTheTargetsPolicyNoLongerAllowsThem()
    {
        var control = TestServer.BucketName("control");
        var (keys, records, refused) = await DeliveredAtShutdownAsync(new AccessLogServiceOptions { FlushInterval = TimeSpan.FromHours(1) }, async server =>
        {
            await LogIntoTargetAsync(server, control, "up/");
            (await server.PutObjectAsync(_source, "unlogged", [1])).EnsureSuccessStatusCode();
            (await server.PutObjectAsync(control, "logged", [1])).EnsureSuccessStatusCode();
            await PutDenyingPolicyAsync(server, "down/*");
        });

        keys.Should().OnlyContain(k => k.StartsWith("up/", StringComparison.Ordinal));
        records.Should().ContainSingle().Which.Should().Contain(" REST.PUT.OBJECT logged ");
        refused.Should().Be(1);
    }

    [Fact]
    public async Task Buffer_IsDeliveredEarly_OnceHalfFull()
    {
        // A 300-character key makes a record of more than 600 bytes: past half of a 1,000-byte bound at once.
        await using var server = await TestServer.StartAsync(accessLogs: new AccessLogServiceOptions
        {
            FlushInterval = TimeSpan.FromHours(1),
            MaxBufferedBytes = 1000,
        });
        (await server.CreateBucketAsync(_source)).EnsureSuccessStatusCode();
        (await server.CreateBucketAsync(_target)).EnsureSuccessStatusCode();
        (await server.SendAsync(server.Request(HttpMethod.Put, _source, query: "logging", content: new StringContent(Enabled(_target, "early/")))))
            .EnsureSuccessStatusCode();

        (await server.PutObjectAsync(_source, new string('k', 300), [1])).EnsureSuccessStatusCode();

        await WaitForRecordsAsync(server, _target, "early/", l => l.Contains(" REST.PUT.OBJECT kkk", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventTimePartitions_GroupRecordsByTheirDay_AndNameEachObjectByThatDay()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 6, 23, 59, 58, TimeSpan.Zero));
        var hour = new AccessLogServiceOptions { FlushInterval = TimeSpan.FromHours(1) };
        using var data = new TempDirectory("logging-event-time");
        await using (var server = await TestServer.StartAsync(time, data: data, accessLogs: hour))
        {
            Task<HttpResponseMessage> Send(HttpMethod method, string bucket, string? key = null, string query = "", string? body = null) =>
                server.SendAsync(server.Request(method, bucket, key, query, body is null ? null : new StringContent(body), signedAt: time.GetUtcNow()));

            (await Send(HttpMethod.Put, _source)).EnsureSuccessStatusCode();
            (await Send(HttpMethod.Put, _target)).EnsureSuccessStatusCode();
            var status = $"<BucketLoggingStatus xmlns=\"{S3Namespace}\"><LoggingEnabled><TargetBucket>{_target}</TargetBucket><TargetPrefix>e/</TargetPrefix>" +
                "<TargetObjectKeyFormat><PartitionedPrefix><PartitionDateSource>EventTime</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat>" +
                "</LoggingEnabled></BucketLoggingStatus>";
            using var s3 = new S3TestClient(server.BaseAddress);
            var put = s3.Request(HttpMethod.Put, _source, query: "logging", body: Encoding.UTF8.GetBytes(status));
            S3RequestSigner.Sign(put, TestAccounts.Owner, time.GetUtcNow(), S3RequestSigner.Sha256(Encoding.UTF8.GetBytes(status)));
            (await s3.SendAsync(put)).EnsureSuccessStatusCode();
            (await Send(HttpMethod.Put, _source, "before-midnight", body: "1")).EnsureSuccessStatusCode();
            time.Advance(TimeSpan.FromSeconds(4));
            (await Send(HttpMethod.Put, _source, "after-midnight", body: "1")).EnsureSuccessStatusCode();
            // Delivered at shutdown, three hours into the 7th: the first record's object is still named by the 6th.
            time.Advance(TimeSpan.FromHours(3));
        }

        await using var restarted = await TestServer.StartAsync(time, data: data, accessLogs: hour);
        var partition = $"e/{TestAccounts.Owner.Uin}/{TestServer.Region}/{_source}/";
        var objects = new Dictionary<string, string>();
        foreach (var key in await ListKeysAsync(restarted, _target, "e/", time))
        {
            objects[key] = await (await restarted.SendAsync(restarted.Request(HttpMethod.Get, _target, key, signedAt: time.GetUtcNow()))).Content.ReadAsStringAsync();
        }

        objects.Should().HaveCount(2);
        objects.Single(o => o.Key.StartsWith(partition + "2026/12/06/2026-12-06-00-00-00-", StringComparison.Ordinal)).Value
            .Should().Contain(" REST.PUT.OBJECT before-midnight ").And.NotContain("after-midnight");
        objects.Single(o => o.Key.StartsWith(partition + "2026/12/07/2026-12-07-00-00-00-", StringComparison.Ordinal)).Value
            .Should().Contain(" REST.PUT.OBJECT after-midnight ").And.NotContain("before-midnight");
    }

    [Fact]
    public async Task PresignedGets_AreLoggedWithoutTheirSignatureCredentialOrToken_InBothDialects()
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "access/"))).EnsureSuccessStatusCode();
        (await _server.PutObjectAsync(_source, "shared", [1, 2, 3])).EnsureSuccessStatusCode();

        var cos = _server.Request(HttpMethod.Get, _source, "shared");
        var cosAuthorization = cos.Headers.GetValues("Authorization").Single();
        cos.Headers.Remove("Authorization");
        cos.RequestUri = new Uri(cos.RequestUri + "?" + cosAuthorization);
        var s3 = PresignedS3Get(_source, "shared");
        // Refused (the tokens name no session), but logged all the same: the values must not reach the record either.
        var tokens = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseAddress, $"/{_source}/shared?X-Amz-Security-Token=TOKENAMZ&x-cos-security-token=TOKENCOS&sign=SIGNCOS"));

        var secrets = new List<string> { TestAccounts.Owner.SecretId, "TOKENAMZ", "TOKENCOS", "SIGNCOS" };
        secrets.AddRange(cosAuthorization.Split('&').Where(p => p.StartsWith("q-signature=", StringComparison.Ordinal)).Select(p => p["q-signature=".Length..]));
        secrets.Add(s3.RequestUri!.Query.Split('&').Single(p => p.StartsWith("X-Amz-Signature=", StringComparison.Ordinal))["X-Amz-Signature=".Length..]);

        var requestIds = new List<string>();
        foreach (var request in (HttpRequestMessage[])[cos, s3, tokens])
        {
            var response = await _server.SendRawAsync(request);
            if (request != tokens)
            {
                response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            }

            requestIds.Add(response.Headers.TryGetValues("x-cos-request-id", out var cosId) ? cosId.Single() : response.Headers.GetValues("x-amz-request-id").Single());
        }

        var logged = new List<string>();
        foreach (var id in requestIds)
        {
            logged.Add((await WaitForRecordsAsync(_target, "access/", l => l.Contains(id, StringComparison.Ordinal))).Single(l => l.Contains(id, StringComparison.Ordinal)));
        }

        foreach (var secret in secrets)
        {
            logged.Should().NotContain(l => l.Contains(secret, StringComparison.Ordinal), secret);
        }

        logged.Should().Contain(l => l.Contains("q-signature=-", StringComparison.Ordinal) && l.Contains("q-ak=-", StringComparison.Ordinal));
        Fields(logged[0])[21].Should().Be("QueryString", "COS's query-string signature is an authentication in the query string too");
        Fields(logged[1])[21].Should().Be("QueryString");
        logged.Should().Contain(l => l.Contains("X-Amz-Signature=-", StringComparison.Ordinal) && l.Contains("X-Amz-Credential=-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ErrorCodeField_IsTheWireCodeOfTheDialect_AndEmptyForNotModified()
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "access/"))).EnsureSuccessStatusCode();
        var etag = (await _server.PutObjectAsync(_source, "cached", [1])).Headers.ETag!.Tag;
        var noCors = await _s3.SendAsync(HttpMethod.Get, _source, query: "cors");
        await noCors.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchCORSConfiguration", Dialect.S3);
        var notModified = await _server.SendAsync(_server.Request(HttpMethod.Get, _source, "cached", headers: [new("If-None-Match", etag)]));
        notModified.StatusCode.Should().Be(HttpStatusCode.NotModified);

        var corsId = noCors.Headers.GetValues("x-amz-request-id").Single();
        var notModifiedId = notModified.Headers.GetValues("x-cos-request-id").Single();
        Fields((await WaitForRecordsAsync(_target, "access/", l => l.Contains(corsId, StringComparison.Ordinal))).Single(l => l.Contains(corsId, StringComparison.Ordinal)))[10]
            .Should().Be("NoSuchCORSConfiguration");
        var cached = Fields((await WaitForRecordsAsync(_target, "access/", l => l.Contains(notModifiedId, StringComparison.Ordinal)))
            .Single(l => l.Contains(notModifiedId, StringComparison.Ordinal)));
        cached[9].Should().Be("304");
        cached[10].Should().Be("-");
    }

    [Fact]
    public async Task Shutdown_DeliversTheBufferedRecords_LongBeforeTheFlushInterval()
    {
        var (keys, records, _) = await DeliveredAtShutdownAsync(new AccessLogServiceOptions { FlushInterval = TimeSpan.FromHours(1) }, async server =>
        {
            (await server.PutObjectAsync(_source, "last", [1])).EnsureSuccessStatusCode();
            (await server.Client.ListKeysAsync(_target)).Should().BeEmpty();
        });

        keys.Should().ContainSingle().Which.Should().StartWith("down/");
        records.Should().ContainSingle().Which.Should().Contain(" REST.PUT.OBJECT last ");
    }

    [Fact]
    public async Task Buffer_DropsRecordsPastItsByteBound()
    {
        // A short key's record (some 250 bytes) stays under half of a 1,000-byte bound, so nothing is delivered early; a record
        // holding a 600-character key twice (key and request-URI) would pass the bound and is dropped.
        var big = new string('k', 600);
        var (_, records, _) = await DeliveredAtShutdownAsync(new AccessLogServiceOptions { FlushInterval = TimeSpan.FromHours(1), MaxBufferedBytes = 1000 },
            async server =>
            {
                (await server.PutObjectAsync(_source, "small", [1])).EnsureSuccessStatusCode();
                (await server.PutObjectAsync(_source, big, [1])).EnsureSuccessStatusCode();
            });

        records.Should().ContainSingle().Which.Should().Contain(" REST.PUT.OBJECT small ");
    }

    [Fact]
    public async Task ABucketLoggingIntoItself_NeverLogsItsOwnLogObjects()
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_source, "self/"))).EnsureSuccessStatusCode();
        (await _server.PutObjectAsync(_source, "data", [1, 2, 3])).EnsureSuccessStatusCode();
        await WaitForRecordsAsync(_source, "self/", l => l.Contains(" REST.PUT.OBJECT data ", StringComparison.Ordinal));

        // Further rounds deliver the records of this test's own reads, but never a record of a log object being written.
        var records = await WaitForRecordsAsync(_source, "self/", l => l.Contains("REST.GET.BUCKET", StringComparison.Ordinal));
        records.Should().NotContain(l => l.Contains(" REST.PUT.OBJECT self/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PartitionedPrefix_NamesObjectsByAccountRegionBucketAndDate()
    {
        var put = await S3(HttpMethod.Put, _source, $"<BucketLoggingStatus xmlns=\"{S3Namespace}\"><LoggingEnabled><TargetBucket>{_target}</TargetBucket>" +
            "<TargetPrefix>p/</TargetPrefix><TargetObjectKeyFormat><PartitionedPrefix/></TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>");
        put.EnsureSuccessStatusCode();
        (await _server.PutObjectAsync(_source, "x", [1])).EnsureSuccessStatusCode();
        await WaitForRecordsAsync(_target, "p/", l => l.Contains(" REST.PUT.OBJECT x ", StringComparison.Ordinal));

        var key = (await ListKeysAsync(_target, "p/")).First();
        key.Should().MatchRegex($@"^p/{TestAccounts.Owner.Uin}/{TestServer.Region}/{_source}/\d{{4}}/\d{{2}}/\d{{2}}/\d{{4}}(-\d{{2}}){{5}}-[0-9A-F]{{16}}$");
    }

    [Fact]
    public async Task SimplePrefix_NamesObjectsByDeliveryTimeAndAUniqueSuffix()
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "s/"))).EnsureSuccessStatusCode();
        (await _server.PutObjectAsync(_source, "x", [1])).EnsureSuccessStatusCode();
        await WaitForRecordsAsync(_target, "s/", l => l.Contains(" REST.PUT.OBJECT x ", StringComparison.Ordinal));

        (await ListKeysAsync(_target, "s/")).First().Should().MatchRegex(@"^s/\d{4}(-\d{2}){5}-[0-9A-F]{16}$");
    }

    [Fact]
    public async Task DeletingTheBucket_DeletesItsLoggingConfiguration()
    {
        (await Cos(HttpMethod.Put, _source, Enabled(_target, "p/"))).EnsureSuccessStatusCode();
        (await _server.SendAsync(_server.Request(HttpMethod.Delete, _source))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _server.CreateBucketAsync(_source)).EnsureSuccessStatusCode();

        (await (await Cos(HttpMethod.Get, _source)).Content.ReadAsStringAsync()).Should().Be(Empty);
    }

    /// <summary>A GET of <paramref name="key"/> presigned with SigV4 query parameters, as an SDK's presigner writes it.</summary>
    private HttpRequestMessage PresignedS3Get(string bucket, string key) =>
        new(HttpMethod.Get, S3RequestSigner.Presign(HttpMethod.Get, _server.BaseAddress, $"/{bucket}/{key}", TestAccounts.Owner, DateTimeOffset.UtcNow));

    /// <summary>
    /// On a server of its own with <paramref name="accessLogs"/>, logs <see cref="_source"/> into <see cref="_target"/>
    /// under <c>down/</c>, runs <paramref name="act"/>, stops the server and answers the log objects and records found
    /// after a restart: what the delivery at shutdown wrote.
    /// </summary>
    private async Task<(List<string> Keys, List<string> Records, long Refused)> DeliveredAtShutdownAsync(AccessLogServiceOptions accessLogs,
        Func<TestServer, Task> act)
    {
        using var data = new TempDirectory("logging-shutdown");
        var server = await TestServer.StartAsync(data: data, accessLogs: accessLogs);
        var delivery = server.Server.Services.GetServices<IHostedService>().OfType<AccessLogDeliveryService>().Single();
        try
        {
            (await server.CreateBucketAsync(_source)).EnsureSuccessStatusCode();
            (await server.CreateBucketAsync(_target)).EnsureSuccessStatusCode();
            (await server.SendAsync(server.Request(HttpMethod.Put, _source, query: "logging", content: new StringContent(Enabled(_target, "down/")))))
                .EnsureSuccessStatusCode();
            await act(server);
        }
        finally
        {
            await server.DisposeAsync();
        }

        await using var restarted = await TestServer.StartAsync(data: data, accessLogs: accessLogs);
        var keys = await restarted.Client.ListKeysAsync(_target);
        var records = new List<string>();
        foreach (var key in keys)
        {
            var body = await (await restarted.SendAsync(restarted.Request(HttpMethod.Get, _target, key))).Content.ReadAsStringAsync();
            records.AddRange(body.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        return (keys, records, delivery.Refused);
    }

    /// <summary>Creates <paramref name="bucket"/> and logs it into <see cref="_target"/> under <paramref name="prefix"/>.</summary>
    private async Task LogIntoTargetAsync(TestServer server, string bucket, string prefix)
    {
        (await server.CreateBucketAsync(bucket)).EnsureSuccessStatusCode();
        (await server.SendAsync(server.Request(HttpMethod.Put, bucket, query: "logging", content: new StringContent(Enabled(_target, prefix)))))
            .EnsureSuccessStatusCode();
    }

    private static string Enabled(string target, string prefix) =>
        $"<BucketLoggingStatus><LoggingEnabled><TargetBucket>{target}</TargetBucket><TargetPrefix>{prefix}</TargetPrefix></LoggingEnabled></BucketLoggingStatus>";

    /// <summary>A record's fields: space-separated, the bracketed time one field, the quoted ones one field each without their quotes.</summary>
    private static List<string> Fields(string line)
    {
        var fields = new List<string>();
        for (var at = 0; at < line.Length;)
        {
            int end;
            switch (line[at])
            {
                case '"':
                    end = line.IndexOf('"', at + 1);
                    fields.Add(line[(at + 1)..end]);
                    end++;
                    break;
                case '[':
                    end = line.IndexOf(']', at) + 1;
                    fields.Add(line[at..end]);
                    break;
                default:
                    end = line.IndexOf(' ', at) is >= 0 and var space ? space : line.Length;
                    fields.Add(line[at..end]);
                    break;
            }

            at = end + 1;
        }

        return fields;
    }

    /// <summary>The fields of the record of the request <paramref name="response"/> answered, once delivered.</summary>
    private async Task<List<string>> RecordOfAsync(HttpResponseMessage response)
    {
        var id = response.Headers.TryGetValues("x-cos-request-id", out var cosId) ? cosId.Single() : response.Headers.GetValues("x-amz-request-id").Single();
        return Fields((await WaitForRecordsAsync(_target, "access/", l => l.Contains(id, StringComparison.Ordinal))).Single(l => l.Contains(id, StringComparison.Ordinal)));
    }

    /// <summary>A bucket policy on <see cref="_target"/> denying everyone PutObject on <paramref name="keys"/> (the log delivery too).</summary>
    private async Task PutDenyingPolicyAsync(TestServer server, string keys)
    {
        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\"," +
            $"\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::{_target}/{keys}\"}}]}}";
        using var s3 = new S3TestClient(server.BaseAddress);
        (await s3.SendAsync(HttpMethod.Put, _target, query: "policy", body: Encoding.UTF8.GetBytes(policy))).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    private Task<List<string>> WaitForRecordsAsync(string bucket, string prefix, Func<string, bool> wanted) => WaitForRecordsAsync(_server, bucket, prefix, wanted);

    /// <summary>Every record delivered under <paramref name="prefix"/>, once one matches <paramref name="wanted"/> (delivery is asynchronous).</summary>
    private static async Task<List<string>> WaitForRecordsAsync(TestServer server, string bucket, string prefix, Func<string, bool> wanted)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var records = new List<string>();
            foreach (var key in await ListKeysAsync(server, bucket, prefix))
            {
                var body = await (await server.SendAsync(server.Request(HttpMethod.Get, bucket, key))).Content.ReadAsStringAsync();
                records.AddRange(body.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }

            if (records.Any(wanted))
            {
                return records;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No access-log record under {bucket}/{prefix} matched.");
    }

    private Task<List<string>> ListKeysAsync(string bucket, string prefix) => ListKeysAsync(_server, bucket, prefix);

    private static async Task<List<string>> ListKeysAsync(TestServer server, string bucket, string prefix, TimeProvider? time = null)
    {
        var listing = XElement.Parse(await (await server.SendAsync(server.Request(HttpMethod.Get, bucket, query: "prefix=" + Uri.EscapeDataString(prefix),
                signedAt: time?.GetUtcNow()))).Content.ReadAsStringAsync());
        return listing.Elements("Contents").Select(c => c.Element("Key")!.Value).ToList();
    }

    private Task<HttpResponseMessage> Cos(HttpMethod method, string bucket, string? body = null) =>
        _server.SendAsync(_server.Request(method, bucket, query: "logging", content: body is null ? null : new ByteArrayContent(Encoding.UTF8.GetBytes(body))));

    private Task<HttpResponseMessage> S3(HttpMethod method, string bucket, string? body = null) =>
        _s3.SendAsync(method, bucket, query: "logging", body: body is null ? null : Encoding.UTF8.GetBytes(body));
}
