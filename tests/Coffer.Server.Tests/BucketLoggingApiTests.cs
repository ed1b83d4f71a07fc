using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Protocol.Auth;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Coffer.Testing;

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
    public async Task PutLogging_RefusesWhatItCannotDo_AndStoresNothing(string status, int code, string error)
    {
        var put = await S3(HttpMethod.Put, _source, $"<BucketLoggingStatus xmlns=\"{S3Namespace}\">{status.Replace("TARGET", _target)}</BucketLoggingStatus>");
        await put.ShouldBeErrorAsync((HttpStatusCode)code, error, Dialect.S3);
        XElement.Parse(await (await S3(HttpMethod.Get, _source)).Content.ReadAsStringAsync()).HasElements.Should().BeFalse();
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
        var (keys, records) = await DeliveredAtShutdownAsync(new AccessLogServiceOptions { FlushInterval = TimeSpan.FromHours(1) }, async server =>
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
        // Each record holds the 300-character key twice (key and request-URI): past 600 bytes, so a 1,000-byte bound keeps one.
        var key = new string('k', 300);
        var (_, records) = await DeliveredAtShutdownAsync(new AccessLogServiceOptions { FlushInterval = TimeSpan.FromHours(1), MaxBufferedBytes = 1000 },
            async server =>
            {
                for (var i = 0; i < 3; i++)
                {
                    (await server.PutObjectAsync(_source, key + i, [1])).EnsureSuccessStatusCode();
                }
            });

        records.Should().ContainSingle().Which.Should().Contain($" REST.PUT.OBJECT {key}0 ");
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
    private HttpRequestMessage PresignedS3Get(string bucket, string key)
    {
        var now = DateTimeOffset.UtcNow.UtcDateTime;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{amzDate[..8]}/{S3RequestSigner.Region}/s3/aws4_request";
        var path = $"/{bucket}/{key}";
        var query = $"X-Amz-Algorithm={SigV4.Algorithm}&X-Amz-Credential={Uri.EscapeDataString($"{TestAccounts.Owner.SecretId}/{scope}")}" +
            $"&X-Amz-Date={amzDate}&X-Amz-Expires=900&X-Amz-SignedHeaders=host";
        var host = _server.BaseAddress.Authority;
        var canonical = SigV4.CanonicalRequest("GET", SigV4.CanonicalUri(path), SigV4.CanonicalQuery(RequestTarget.Parse(path + "?" + query).Query),
            [new("host", host)], SigV4.UnsignedPayload);
        var signature = SigV4.Sign(SigV4.SigningKey(TestAccounts.Owner.SecretKey, amzDate[..8], S3RequestSigner.Region, "s3"),
            SigV4.StringToSign(amzDate, scope, canonical));
        return new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseAddress, $"{path}?{query}&X-Amz-Signature={signature}"));
    }

    /// <summary>
    /// On a server of its own with <paramref name="accessLogs"/>, logs <see cref="_source"/> into <see cref="_target"/>
    /// under <c>down/</c>, runs <paramref name="act"/>, stops the server and answers the log objects and records found
    /// after a restart: what the delivery at shutdown wrote.
    /// </summary>
    private async Task<(List<string> Keys, List<string> Records)> DeliveredAtShutdownAsync(AccessLogServiceOptions accessLogs, Func<TestServer, Task> act)
    {
        using var data = new TempDirectory("logging-shutdown");
        var server = await TestServer.StartAsync(data: data, accessLogs: accessLogs);
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

        return (keys, records);
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

    /// <summary>Every record delivered under <paramref name="prefix"/>, once one matches <paramref name="wanted"/> (delivery is asynchronous).</summary>
    private async Task<List<string>> WaitForRecordsAsync(string bucket, string prefix, Func<string, bool> wanted)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var records = new List<string>();
            foreach (var key in await ListKeysAsync(bucket, prefix))
            {
                var body = await (await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, key))).Content.ReadAsStringAsync();
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

    private async Task<List<string>> ListKeysAsync(string bucket, string prefix)
    {
        var listing = XElement.Parse(await (await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, query: "prefix=" + Uri.EscapeDataString(prefix))))
            .Content.ReadAsStringAsync());
        return listing.Elements("Contents").Select(c => c.Element("Key")!.Value).ToList();
    }

    private Task<HttpResponseMessage> Cos(HttpMethod method, string bucket, string? body = null) =>
        _server.SendAsync(_server.Request(method, bucket, query: "logging", content: body is null ? null : new ByteArrayContent(Encoding.UTF8.GetBytes(body))));

    private Task<HttpResponseMessage> S3(HttpMethod method, string bucket, string? body = null) =>
        _s3.SendAsync(method, bucket, query: "logging", body: body is null ? null : Encoding.UTF8.GetBytes(body));
}
