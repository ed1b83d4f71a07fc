using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// Object lock on the wire, mostly in S3's terms (raw SigV4 requests, so the integrity headers S3 asks for can be left
/// out): buckets created with lock, the default retention, per-version retention and legal hold, and every delete path
/// a locked version must survive.
/// </summary>
public sealed class ObjectLockApiTests : IAsyncLifetime
{
    private const string Xmlns = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly string _bucket = TestServer.BucketName("locked");
    private TestServer _server = null!;
    private S3TestClient _s3 = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _s3 = new S3TestClient(_server.BaseAddress);
        (await _s3.SendAsync(HttpMethod.Put, _bucket, headers: [new("x-amz-bucket-object-lock-enabled", "true")])).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    public async Task DisposeAsync()
    {
        _s3.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task CreateBucket_WithObjectLockEnabled_TurnsVersioningOn_ThatCannotBeSuspended_InBothDialects()
    {
        (await Text(await _s3.SendAsync(HttpMethod.Get, _bucket, query: "versioning"))).Should().Contain("<Status>Enabled</Status>");
        (await Text(await _s3.SendAsync(HttpMethod.Get, _bucket, query: "object-lock"))).Should().Be(
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><ObjectLockConfiguration xmlns=\"{Xmlns}\"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>");
        var suspend = Encoding.UTF8.GetBytes("<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>");
        await (await _s3.SendAsync(HttpMethod.Put, _bucket, query: "versioning", body: suspend)).ShouldBeErrorAsync(HttpStatusCode.Conflict, "InvalidBucketState", Dialect.S3);

        var cos = TestServer.BucketName("coslocked");
        (await _server.SendAsync(_server.Request(HttpMethod.Put, cos, headers: [new("x-cos-bucket-object-lock-enabled", "true")]))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Text(await _server.SendAsync(_server.Request(HttpMethod.Get, cos, query: "object-lock")))).Should().Be(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>");
        await (await _server.SendAsync(_server.Request(HttpMethod.Put, cos, query: "versioning", content: new ByteArrayContent(suspend))))
            .ShouldBeErrorAsync(HttpStatusCode.Conflict, "InvalidBucketState");
        await (await _server.SendAsync(_server.Request(HttpMethod.Put, TestServer.BucketName("badlock"), headers: [new("x-cos-bucket-object-lock-enabled", "yes")])))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        (await _server.SendAsync(_server.Request(HttpMethod.Head, TestServer.BucketName("badlock")))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var unlocked = TestServer.BucketName("unlocked");
        (await _s3.SendAsync(HttpMethod.Put, unlocked, headers: [new("x-amz-bucket-object-lock-enabled", "false")])).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await _s3.SendAsync(HttpMethod.Get, unlocked, query: "object-lock")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "ObjectLockConfigurationNotFoundError", Dialect.S3);
    }

    [Fact]
    public async Task PutObjectLockConfiguration_RoundTripsTheDefaultRetention_AndGivesItToNewVersionsOnly()
    {
        var before = await PutAsync("before");
        var configuration = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>2</Days></DefaultRetention></Rule></ObjectLockConfiguration>";
        (await SendWithMd5Async(HttpMethod.Put, null, "object-lock", configuration)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Text(await _s3.SendAsync(HttpMethod.Get, _bucket, query: "object-lock"))).Should().Be(
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><ObjectLockConfiguration xmlns=\"{Xmlns}\"><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>2</Days></DefaultRetention></Rule></ObjectLockConfiguration>");

        var written = DateTimeOffset.UtcNow;
        var after = await PutAsync("after");
        var head = await _s3.SendAsync(HttpMethod.Head, _bucket, "after");
        head.Headers.GetValues("x-amz-object-lock-mode").Single().Should().Be("GOVERNANCE");
        DateTimeOffset.Parse(head.Headers.GetValues("x-amz-object-lock-retain-until-date").Single(), System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeCloseTo(written.AddDays(2), TimeSpan.FromMinutes(1));
        (await _s3.SendAsync(HttpMethod.Head, _bucket, "before")).Headers.Contains("x-amz-object-lock-mode").Should().BeFalse("the default applies to new versions");
        await (await DeleteVersionAsync("after", after)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        (await DeleteVersionAsync("before", before)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        // Without a Rule the default goes; lock itself stays.
        (await SendWithMd5Async(HttpMethod.Put, null, "object-lock", "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>"))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await PutAsync("later");
        (await _s3.SendAsync(HttpMethod.Head, _bucket, "later")).Headers.Contains("x-amz-object-lock-mode").Should().BeFalse();
    }

    [Fact]
    public async Task PutObjectLockConfiguration_EnablesLockOnAVersionedBucket_AndIsInvalidBucketStateOnAnUnversionedOne()
    {
        var plain = TestServer.BucketName("plain");
        (await _s3.SendAsync(HttpMethod.Put, plain)).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await _s3.SendAsync(HttpMethod.Get, plain, query: "object-lock")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "ObjectLockConfigurationNotFoundError", Dialect.S3);
        var enable = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>";
        await (await SendWithMd5Async(HttpMethod.Put, null, "object-lock", enable, plain)).ShouldBeErrorAsync(HttpStatusCode.Conflict, "InvalidBucketState", Dialect.S3);
        await (await PutRawAsync("k", [1], [new("x-amz-object-lock-legal-hold", "ON"), Md5Header([1])], plain))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        (await PutRawAsync("k", [1], [], plain)).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await _s3.SendAsync(HttpMethod.Get, plain, "k", "retention")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        await (await _s3.SendAsync(HttpMethod.Get, plain, "k", "legal-hold")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        await (await SendWithMd5Async(HttpMethod.Put, "k", "legal-hold", "<LegalHold><Status>ON</Status></LegalHold>", plain))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);

        (await _s3.SendAsync(HttpMethod.Put, plain, query: "versioning", body: Encoding.UTF8.GetBytes("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await SendWithMd5Async(HttpMethod.Put, null, "object-lock", enable, plain)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Text(await _s3.SendAsync(HttpMethod.Get, plain, query: "object-lock"))).Should().Contain("<ObjectLockEnabled>Enabled</ObjectLockEnabled>");
    }

    [Theory]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years></DefaultRetention></Rule></ObjectLockConfiguration>", "MalformedXML")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>LOCKED</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>", "MalformedXML")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>", "MalformedXML")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Days>0</Days></DefaultRetention></Rule></ObjectLockConfiguration>", "InvalidArgument")]
    public async Task PutObjectLockConfiguration_RefusesABadDocument_AndKeepsTheConfiguration(string body, string code)
    {
        await (await SendWithMd5Async(HttpMethod.Put, null, "object-lock", body)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, code, Dialect.S3);
        (await Text(await _s3.SendAsync(HttpMethod.Get, _bucket, query: "object-lock"))).Should().NotContain("<Rule>");
    }

    [Fact]
    public async Task ObjectLockRequests_WithoutContentMd5OrAChecksum_AreInvalidRequest_InS3()
    {
        var enable = Encoding.UTF8.GetBytes("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>");
        await (await _s3.SendAsync(HttpMethod.Put, _bucket, query: "object-lock", body: enable)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        await (await PutRawAsync("k", [1], [new("x-amz-object-lock-legal-hold", "ON")])).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        (await _s3.SendAsync(HttpMethod.Head, _bucket, "k")).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing was stored");
        (await PutRawAsync("k", [1], [new("x-amz-object-lock-legal-hold", "ON"), new("x-amz-checksum-crc32", "pQXfGw==")])).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PutObject_WithLockHeaders_KeepsRetentionAndLegalHold_ShownOnHeadAndGet_AndRefusesBadValues()
    {
        var until = Until(days: 3);
        var put = await PutRawAsync("k", [1, 2], [Mode("COMPLIANCE"), Date(until), new("x-amz-object-lock-legal-hold", "ON"), Md5Header([1, 2])]);
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        foreach (var method in new[] { HttpMethod.Head, HttpMethod.Get })
        {
            var read = await _s3.SendAsync(method, _bucket, "k");
            read.Headers.GetValues("x-amz-object-lock-mode").Single().Should().Be("COMPLIANCE");
            read.Headers.GetValues("x-amz-object-lock-retain-until-date").Single().Should().Be(until);
            read.Headers.GetValues("x-amz-object-lock-legal-hold").Single().Should().Be("ON");
        }

        await (await PutRawAsync("x", [1], [Mode("COMPLIANCE"), Md5Header([1])])).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        await (await PutRawAsync("x", [1], [Mode("COMPLIANCE"), Date("2001-01-01T00:00:00.000Z"), Md5Header([1])])).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        await (await PutRawAsync("x", [1], [Mode("FOREVER"), Date(until), Md5Header([1])])).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        await (await PutRawAsync("x", [1], [new("x-amz-object-lock-legal-hold", "YES"), Md5Header([1])])).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        (await _s3.SendAsync(HttpMethod.Head, _bucket, "x")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteObject_WithAVersionId_IsRefusedWhileLocked_AndWithoutOneAddsADeleteMarker()
    {
        var version = await PutLockedAsync("k", "COMPLIANCE");
        await (await DeleteVersionAsync("k", version)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await DeleteVersionAsync("k", version, bypass: true)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);

        var marker = await _s3.SendAsync(HttpMethod.Delete, _bucket, "k");
        marker.StatusCode.Should().Be(HttpStatusCode.NoContent);
        marker.Headers.GetValues("x-amz-delete-marker").Single().Should().Be("true");
        (await _s3.SendAsync(HttpMethod.Head, _bucket, "k", $"versionId={version}")).StatusCode.Should().Be(HttpStatusCode.OK, "the locked version is still there");
    }

    [Fact]
    public async Task DeleteObject_OfAGovernanceVersion_NeedsTheBypassHeaderAndPermission()
    {
        var version = await PutLockedAsync("k", "GOVERNANCE");
        await (await DeleteVersionAsync("k", version)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);

        var other = TestAccounts.Other;
        await PutPolicyAsync("name/cos:DeleteObject");
        await (await DeleteVersionAsync("k", version, bypass: true, account: other)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await PutPolicyAsync("name/cos:DeleteObject", "name/cos:BypassGovernanceRetention");
        (await DeleteVersionAsync("k", version, bypass: true, account: other)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _s3.SendAsync(HttpMethod.Head, _bucket, "k", $"versionId={version}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutObjectRetention_LengthensFreely_ButShortensOnlyGovernanceWithBypass_AndNeverCompliance()
    {
        var governed = await PutLockedAsync("g", "GOVERNANCE");
        var complied = await PutLockedAsync("c", "COMPLIANCE");
        var longer = Until(days: 10);
        var shorter = Until(days: 1);

        (await PutRetentionAsync("g", governed, "GOVERNANCE", longer)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Text(await _s3.SendAsync(HttpMethod.Get, _bucket, "g", $"retention&versionId={governed}"))).Should().Be(
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Retention xmlns=\"{Xmlns}\"><Mode>GOVERNANCE</Mode><RetainUntilDate>{longer}</RetainUntilDate></Retention>");
        await (await PutRetentionAsync("g", governed, "GOVERNANCE", shorter)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        (await PutRetentionAsync("g", governed, "GOVERNANCE", shorter, bypass: true)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await PutRetentionAsync("g", governed, null, null, bypass: true)).StatusCode.Should().Be(HttpStatusCode.OK, "a bypass removes it");
        await (await _s3.SendAsync(HttpMethod.Get, _bucket, "g", $"retention&versionId={governed}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchObjectLockConfiguration", Dialect.S3);
        (await DeleteVersionAsync("g", governed)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await PutRetentionAsync("c", complied, "COMPLIANCE", longer)).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await PutRetentionAsync("c", complied, "COMPLIANCE", shorter, bypass: true)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await PutRetentionAsync("c", complied, "GOVERNANCE", longer, bypass: true)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await PutRetentionAsync("c", complied, null, null, bypass: true)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await PutRetentionAsync("c", complied, "COMPLIANCE", "2001-01-01T00:00:00.000Z")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        (await Text(await _s3.SendAsync(HttpMethod.Get, _bucket, "c", "retention"))).Should().Contain($"<RetainUntilDate>{longer}</RetainUntilDate>");
    }

    [Fact]
    public async Task PutObjectRetention_TurningGovernanceIntoCompliance_NeedsTheBypass()
    {
        var governed = await PutLockedAsync("g", "GOVERNANCE");
        var longer = Until(days: 10);

        await (await PutRetentionAsync("g", governed, "COMPLIANCE", longer)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        (await Text(await _s3.SendAsync(HttpMethod.Get, _bucket, "g", "retention"))).Should().Contain("<Mode>GOVERNANCE</Mode>");
        (await PutRetentionAsync("g", governed, "COMPLIANCE", longer, bypass: true)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Text(await _s3.SendAsync(HttpMethod.Get, _bucket, "g", "retention"))).Should().Contain("<Mode>COMPLIANCE</Mode>");
    }

    [Fact]
    public async Task PutObjectLegalHold_KeepsAVersionUntilLifted()
    {
        var version = await PutAsync("k");
        (await Text(await _s3.SendAsync(HttpMethod.Get, _bucket, "k", "legal-hold"))).Should().Be(
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><LegalHold xmlns=\"{Xmlns}\"><Status>OFF</Status></LegalHold>");
        (await SendWithMd5Async(HttpMethod.Put, "k", $"legal-hold&versionId={version}", "<LegalHold><Status>ON</Status></LegalHold>")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Text(await _s3.SendAsync(HttpMethod.Get, _bucket, "k", "legal-hold"))).Should().Contain("<Status>ON</Status>");
        await (await DeleteVersionAsync("k", version, bypass: true)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await SendWithMd5Async(HttpMethod.Put, "k", "legal-hold", "<LegalHold><Status>MAYBE</Status></LegalHold>")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedXML", Dialect.S3);

        (await SendWithMd5Async(HttpMethod.Put, "k", "legal-hold", "<LegalHold><Status>OFF</Status></LegalHold>")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await DeleteVersionAsync("k", version)).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task DeleteObjects_RefusesEachLockedVersion_WithAccessDenied_AndDeletesTheRest()
    {
        var locked = await PutLockedAsync("locked", "COMPLIANCE");
        var free = await PutAsync("free");
        var body = $"<Delete><Object><Key>locked</Key><VersionId>{locked}</VersionId></Object><Object><Key>free</Key><VersionId>{free}</VersionId></Object></Delete>";
        var result = XDocument.Parse(await Text(await SendWithMd5Async(HttpMethod.Post, null, "delete", body))).Root!;
        XNamespace ns = Xmlns;
        var error = result.Element(ns + "Error")!;
        (error.Element(ns + "Key")!.Value, error.Element(ns + "VersionId")!.Value, error.Element(ns + "Code")!.Value).Should().Be(("locked", locked, "AccessDenied"));
        result.Element(ns + "Deleted")!.Element(ns + "Key")!.Value.Should().Be("free");
        (await _s3.SendAsync(HttpMethod.Head, _bucket, "locked", $"versionId={locked}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeleteBucket_HoldingALockedVersion_IsBucketNotEmpty_AndTheVersionStays()
    {
        var version = await PutLockedAsync("k", "COMPLIANCE");
        await (await _s3.SendAsync(HttpMethod.Delete, _bucket, "k")).Content.ReadAsStringAsync();
        await (await _s3.SendAsync(HttpMethod.Delete, _bucket)).ShouldBeErrorAsync(HttpStatusCode.Conflict, "BucketNotEmpty", Dialect.S3);
        (await _s3.SendAsync(HttpMethod.Head, _bucket, "k", $"versionId={version}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Overwrites_CopiesAndMultipartUploads_AddVersions_AndLeaveTheLockedOneAsItWas()
    {
        var until = Until(days: 4);
        var first = await PutLockedAsync("k", "COMPLIANCE", until);
        var second = await PutAsync("k");
        second.Should().NotBe(first);
        var old = await _s3.SendAsync(HttpMethod.Head, _bucket, "k", $"versionId={first}");
        old.Headers.GetValues("x-amz-object-lock-retain-until-date").Single().Should().Be(until);

        var copy = await _s3.SendAsync(HttpMethod.Put, _bucket, "copy", headers: [new("x-amz-copy-source", $"/{_bucket}/k?versionId={first}"), Mode("GOVERNANCE"), Date(until)]);
        copy.StatusCode.Should().Be(HttpStatusCode.OK, await copy.Content.ReadAsStringAsync());
        (await _s3.SendAsync(HttpMethod.Head, _bucket, "copy")).Headers.GetValues("x-amz-object-lock-mode").Single().Should().Be("GOVERNANCE");

        var created = await _s3.SendAsync(HttpMethod.Post, _bucket, "big", "uploads", headers: [Mode("COMPLIANCE"), Date(until), new("x-amz-object-lock-legal-hold", "ON")]);
        var uploadId = XDocument.Parse(await Text(created)).Root!.Element(XName.Get("UploadId", Xmlns))!.Value;
        var part = await _s3.SendAsync(HttpMethod.Put, _bucket, "big", $"partNumber=1&uploadId={uploadId}", body: [1, 2, 3], headers: [Md5Header([1, 2, 3])]);
        var complete = $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part.Headers.ETag!.Tag}</ETag></Part></CompleteMultipartUpload>";
        var completed = await _s3.SendAsync(HttpMethod.Post, _bucket, "big", $"uploadId={uploadId}", body: Encoding.UTF8.GetBytes(complete));
        completed.StatusCode.Should().Be(HttpStatusCode.OK, await completed.Content.ReadAsStringAsync());
        var big = await _s3.SendAsync(HttpMethod.Head, _bucket, "big");
        (big.Headers.GetValues("x-amz-object-lock-mode").Single(), big.Headers.GetValues("x-amz-object-lock-retain-until-date").Single(),
            big.Headers.GetValues("x-amz-object-lock-legal-hold").Single()).Should().Be(("COMPLIANCE", until, "ON"));
        big.Headers.Where(h => h.Key.StartsWith("x-coffer", StringComparison.Ordinal)).Should().BeEmpty("the upload's lock is not a stored header");
        await (await DeleteVersionAsync("big", big.Headers.GetValues("x-amz-version-id").Single())).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
    }

    [Fact]
    public async Task ObjectLock_InTheCosDialect_UsesXCosHeaders_AndTheSameDocuments()
    {
        var until = Until(days: 2);
        var put = await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, "cos", content: new ByteArrayContent([1]),
            headers: [new("x-cos-object-lock-mode", "COMPLIANCE"), new("x-cos-object-lock-retain-until-date", until)]));
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        var version = put.Headers.GetValues("x-cos-version-id").Single();
        var head = await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "cos"));
        head.Headers.GetValues("x-cos-object-lock-mode").Single().Should().Be("COMPLIANCE");
        (await Text(await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "cos", query: "retention")))).Should().Be(
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>{until}</RetainUntilDate></Retention>");
        var longer = Until(days: 5);
        (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, "cos", query: "retention",
            content: new StringContent($"<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>{longer}</RetainUntilDate></Retention>")))).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, "cos", query: $"versionId={version}"))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
    }

    private static KeyValuePair<string, string> Mode(string mode) => new("x-amz-object-lock-mode", mode);

    private static KeyValuePair<string, string> Date(string date) => new("x-amz-object-lock-retain-until-date", date);

    private static KeyValuePair<string, string> Md5Header(byte[] body) => new("Content-MD5", Convert.ToBase64String(MD5.HashData(body)));

    /// <summary>A date <paramref name="days"/> from now, at a whole second, as the server writes it back.</summary>
    private static string Until(int days)
    {
        var now = DateTimeOffset.UtcNow;
        return Protocol.Http.HttpDates.Iso8601(new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddDays(days));
    }

    private static async Task<string> Text(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue(text);
        return text;
    }

    private Task<HttpResponseMessage> PutRawAsync(string key, byte[] body, KeyValuePair<string, string>[] headers, string? bucket = null) =>
        _s3.SendAsync(HttpMethod.Put, bucket ?? _bucket, key, body: body, headers: headers);

    /// <summary>Puts an object and answers its version id.</summary>
    private async Task<string> PutAsync(string key)
    {
        var put = await _s3.SendAsync(HttpMethod.Put, _bucket, key, body: [7]);
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        return put.Headers.GetValues("x-amz-version-id").Single();
    }

    private async Task<string> PutLockedAsync(string key, string mode, string? until = null)
    {
        var put = await PutRawAsync(key, [7], [Mode(mode), Date(until ?? Until(days: 3)), Md5Header([7])]);
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        return put.Headers.GetValues("x-amz-version-id").Single();
    }

    private Task<HttpResponseMessage> DeleteVersionAsync(string key, string versionId, bool bypass = false, Model.Accounts.Account? account = null) =>
        _s3.SendAsync(HttpMethod.Delete, _bucket, key, $"versionId={versionId}",
            headers: bypass ? [new("x-amz-bypass-governance-retention", "true")] : null, account: account);

    private Task<HttpResponseMessage> PutRetentionAsync(string key, string versionId, string? mode, string? until, bool bypass = false)
    {
        var body = mode is null ? "<Retention/>" : $"<Retention><Mode>{mode}</Mode><RetainUntilDate>{until}</RetainUntilDate></Retention>";
        var bytes = Encoding.UTF8.GetBytes(body);
        KeyValuePair<string, string>[] headers = bypass ? [Md5Header(bytes), new("x-amz-bypass-governance-retention", "true")] : [Md5Header(bytes)];
        return _s3.SendAsync(HttpMethod.Put, _bucket, key, $"retention&versionId={versionId}", bytes, headers);
    }

    private Task<HttpResponseMessage> SendWithMd5Async(HttpMethod method, string? key, string query, string body, string? bucket = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        return _s3.SendAsync(method, bucket ?? _bucket, key, query, bytes, [Md5Header(bytes)]);
    }

    /// <summary>A bucket policy letting the other account do <paramref name="actions"/> on every object.</summary>
    private async Task PutPolicyAsync(params string[] actions)
    {
        var policy = $$"""
            {"version":"2.0","statement":[{"principal":{"qcs":["qcs::cam::uin/{{TestAccounts.Other.Uin}}:uin/{{TestAccounts.Other.Uin}}"]},"effect":"allow",
              "action":[{{string.Join(",", actions.Select(a => $"\"{a}\""))}}],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:{{_bucket}}/*"]}]}
            """;
        (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "policy", content: new StringContent(policy)))).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }
}
