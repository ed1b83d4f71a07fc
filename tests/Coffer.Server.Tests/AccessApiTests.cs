using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Model.Accounts;
using Coffer.Protocol.Routing;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>Who may do what, on the wire: bucket policies, ACLs, sub-accounts, temporary keys, other accounts, anonymous requests.</summary>
public sealed class AccessApiTests : IAsyncLifetime
{
    private readonly string _bucket = TestServer.BucketName("access");
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(_time);
        await _server.CreateBucketAsync(_bucket);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Resource => $"qcs::cos:ap-guangzhou:uid/1250000000:{_bucket}/*";

    private IdentityDirectory Identities => _server.Server.Services.GetRequiredService<IdentityDirectory>();

    [Fact]
    public async Task BucketPolicy_ReadsBackExactlyAsPut_AndDeleteRemovesIt()
    {
        var policy = $$"""{"Statement":[{"Principal":{"qcs":["qcs::cam::uin/100000000001:uin/100000000011"]},"Effect":"allow","Action":["name/cos:GetBucket"],"Resource":["{{Resource}}"]}],"version":"2.0"}""";
        (await PutPolicyAsync(policy)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "policy"));
        get.StatusCode.Should().Be(HttpStatusCode.OK);
        get.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await get.Content.ReadAsStringAsync()).Should().Be(policy);

        (await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, query: "policy"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "policy"))).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchPolicy");
        (await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, query: "policy"))).StatusCode.Should().Be(HttpStatusCode.NoContent, "deleting none succeeds");
    }

    [Fact]
    public async Task BucketPolicy_WithItsPrincipalAtTheTop_GivesItToEveryStatementThatNamesNone()
    {
        // CAM's grammar, as cos-nodejs-sdk-v5's own tests send it: "principal" beside "version" and "statement".
        var other = TestAccounts.Other;
        await _server.PutObjectAsync(_bucket, "k", [1]);
        (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, account: other))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var policy = $$"""{"version":"2.0","principal":{"qcs":["qcs::cam::uin/{{other.Uin}}:uin/{{other.Uin}}"]},"statement":[{"effect":"allow","action":["name/cos:GetBucket"],"resource":["{{Resource}}"]}]}""";
        (await PutPolicyAsync(policy)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, account: other))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "k", account: other))).StatusCode.Should().Be(HttpStatusCode.Forbidden, "GetBucket only");
        (await (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "policy"))).Content.ReadAsStringAsync()).Should().Be(policy);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"RESOURCE"}]}""")]
    [InlineData("""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["*"]},"action":"*","resource":"qcs::cos:ap-guangzhou:uid/1250000000:another-1250000000/*"}]}""")]
    public async Task PutBucketPolicy_AnswersMalformedPolicy_ForWhatItCannotEnforce(string policy) =>
        await (await PutPolicyAsync(policy.Replace("RESOURCE", Resource))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedPolicy");

    [Theory]
    [InlineData(20 * 1024 + 1)]
    [InlineData(100_000)]
    public async Task PutBucketPolicy_AnswersMalformedPolicy_ForAPolicyOverTwentyKilobytes(int size)
    {
        var policy = $$"""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["*"]},"action":"*","resource":"{{Resource}}"}]}""";
        await (await PutPolicyAsync(policy.PadRight(size))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedPolicy");
    }

    [Fact]
    public async Task SubAccount_WithoutAGrant_GetsAccessDenied_OnEveryInventoryApi()
    {
        await PutInventoryAsync(TestAccounts.Owner, "nightly");
        var sub = await SubAccountAsync();

        foreach (var request in InventoryRequests(sub))
        {
            await (await _server.SendAsync(request)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        }
    }

    [Fact]
    public async Task SubAccount_GrantedOnlyGetBucketInventory_CanGetAndList_ButNotPutDeleteOrPost()
    {
        await PutInventoryAsync(TestAccounts.Owner, "nightly");
        var sub = await SubAccountAsync();
        (await PutPolicyAsync($$"""
            {"version":"2.0","statement":[{"principal":{"qcs":["qcs::cam::uin/100000000001:uin/{{sub.Uin}}"]},"effect":"allow",
              "action":["name/cos:GetBucketInventory"],"resource":["{{Resource}}"]}]}
            """)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory&id=nightly", account: sub))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "inventory", account: sub))).StatusCode
            .Should().Be(HttpStatusCode.OK, "COS's List documentation names GetBucketInventory");
        await (await PutInventoryAsync(sub, "other")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        await (await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, query: "inventory&id=nightly", account: sub)))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        await (await _server.SendAsync(_server.Request(HttpMethod.Post, _bucket, query: "inventory&id=once", account: sub,
            content: new StringContent(InventoryApiTests.OneTime("once").Replace("inventory-1250000000", _bucket)))))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        await (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "some-object", account: sub))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task TemporaryKey_WorksWithItsToken_AndNotWithoutIt_NorAfterItExpires()
    {
        var issued = await Identities.CreateTemporaryKeyAsync(TestAccounts.Owner.AppId, TestAccounts.Owner.Uin, TimeSpan.FromHours(1), null);
        var key = new Account(TestAccounts.Owner.AppId, TestAccounts.Owner.Uin, issued.SecretId, issued.SecretKey, "temporary");
        HttpRequestMessage List(string? token) =>
            _server.Request(HttpMethod.Get, _bucket, account: key, headers: token is null ? null : [new("x-cos-security-token", token)]);

        (await _server.SendAsync(List(issued.SessionToken))).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await _server.SendAsync(List(null))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidToken");
        await (await _server.SendAsync(List("not-the-token"))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidToken");

        _time.Advance(TimeSpan.FromHours(1));
        await (await _server.SendAsync(List(issued.SessionToken))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "ExpiredToken");
    }

    [Fact]
    public async Task TemporaryKey_SignedInTheQueryString_WorksWithItsTokenThere_AndNotWithoutIt()
    {
        await _server.PutObjectAsync(_bucket, "presigned", [7]);
        var issued = await Identities.CreateTemporaryKeyAsync(TestAccounts.Owner.AppId, TestAccounts.Owner.Uin, TimeSpan.FromHours(1), null);
        var host = TestServer.VirtualHost(_bucket);
        var authorization = CosRequestSigner.Authorization(issued.SecretId, issued.SecretKey, "GET", "/presigned", [], [new("host", host)],
            _time.GetUtcNow().AddSeconds(-1), TimeSpan.FromMinutes(5));
        var signed = string.Join('&', authorization.Split('&').Select(p => p.Split('=', 2)).Select(p => $"{p[0]}={Uri.EscapeDataString(p[1])}"));
        Task<HttpResponseMessage> Get(string query)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseAddress, "/presigned?" + query));
            request.Headers.Host = host;
            return _server.SendRawAsync(request);
        }

        var response = await Get($"{signed}&x-cos-security-token={issued.SessionToken}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(7);
        await (await Get(signed)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidToken");
        await (await Get($"{signed}&x-cos-security-token=not-the-token")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidToken");
    }

    [Fact]
    public async Task TemporaryKey_IssuedWithAPolicy_CanOnlyDoWhatThePolicyAllows()
    {
        var policy = Encoding.UTF8.GetBytes("""{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetBucket"],"resource":["*"]}]}""");
        var issued = await Identities.CreateTemporaryKeyAsync(TestAccounts.Owner.AppId, TestAccounts.Owner.Uin, TimeSpan.FromHours(1), policy);
        var key = new Account(TestAccounts.Owner.AppId, TestAccounts.Owner.Uin, issued.SecretId, issued.SecretKey, "temporary");
        KeyValuePair<string, string>[] token = [new("x-cos-security-token", issued.SessionToken!)];

        (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, account: key, headers: token))).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, "k", content: new ByteArrayContent([1]), account: key, headers: token)))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task PublicReadBucket_ServesAnonymousReads_ButNotWrites_AndSaysSoInItsAcl()
    {
        var bucket = TestServer.BucketName("public");
        (await _server.SendAsync(_server.Request(HttpMethod.Put, bucket, headers: [new("x-cos-acl", "public-read")]))).StatusCode.Should().Be(HttpStatusCode.OK);
        await _server.PutObjectAsync(bucket, "hello.txt", Encoding.UTF8.GetBytes("hello"));

        var read = await _server.SendRawAsync(Anonymous(HttpMethod.Get, bucket, "hello.txt"));
        read.StatusCode.Should().Be(HttpStatusCode.OK);
        (await read.Content.ReadAsStringAsync()).Should().Be("hello");
        (await _server.SendRawAsync(Anonymous(HttpMethod.Get, bucket))).StatusCode.Should().Be(HttpStatusCode.OK, "public-read lists too");
        await (await _server.SendRawAsync(Anonymous(HttpMethod.Put, bucket, "evil.txt", new ByteArrayContent([1]))))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        await (await _server.SendRawAsync(Anonymous(HttpMethod.Get, _bucket, "x"))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");

        var acl = await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, query: "acl"));
        acl.StatusCode.Should().Be(HttpStatusCode.OK);
        acl.Headers.GetValues("x-cos-acl").Should().Equal("public-read");
        var grants = XDocument.Parse(await acl.Content.ReadAsStringAsync()).Root!.Element("AccessControlList")!.Elements("Grant").ToList();
        grants.Select(g => g.Element("Permission")!.Value).Should().Equal("FULL_CONTROL", "READ");
        grants[0].Element("Grantee")!.Element("ID")!.Value.Should().Be("qcs::cam::uin/100000000001:uin/100000000001");
        grants[1].Element("Grantee")!.Element("URI")!.Value.Should().Be("http://cam.qcloud.com/groups/global/AllUsers");
    }

    [Fact]
    public async Task PutBucketAcl_PublicReadWrite_LetsAnonymousWrite_AndPrivateTakesItBack()
    {
        (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "acl", headers: [new("x-cos-acl", "public-read-write")])))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await _server.SendRawAsync(Anonymous(HttpMethod.Put, _bucket, "drop.txt", new ByteArrayContent([1])))).StatusCode.Should().Be(HttpStatusCode.OK);

        (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "acl", headers: [new("x-cos-acl", "private")])))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await (await _server.SendRawAsync(Anonymous(HttpMethod.Put, _bucket, "drop.txt", new ByteArrayContent([1]))))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task AnonymousS3Writes_AreDecodedAndChecked_LikeSignedOnes()
    {
        (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "acl", headers: [new("x-cos-acl", "public-read-write")])))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var data = Encoding.UTF8.GetBytes("dropped anonymously");
        var crc = Coffer.Common.Crc32.CreateIeee();
        crc.Append(data);
        var crcText = Convert.ToBase64String(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(crc.Value)));
        HttpRequestMessage Put(string key, string payloadHash, byte[] body, string? trailerCrc = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_server.BaseAddress, $"/{_bucket}/{key}")) { Content = new ByteArrayContent(body) };
            request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);
            if (trailerCrc is not null)
            {
                request.Headers.TryAddWithoutValidation("x-amz-decoded-content-length", data.Length.ToString());
                request.Headers.TryAddWithoutValidation("x-amz-trailer", "x-amz-checksum-crc32");
                request.Content.Headers.TryAddWithoutValidation("Content-Encoding", "aws-chunked");
            }

            return request;
        }

        byte[] Chunked(string trailer) => Encoding.ASCII.GetBytes($"{data.Length:x}\r\n").Concat(data)
            .Concat(Encoding.ASCII.GetBytes($"\r\n0\r\nx-amz-checksum-crc32:{trailer}\r\n\r\n")).ToArray();

        (await _server.SendRawAsync(Put("chunked.txt", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", Chunked(crcText), crcText))).StatusCode.Should().Be(HttpStatusCode.OK);
        var stored = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "chunked.txt"));
        (await stored.Content.ReadAsByteArrayAsync()).Should().Equal(data, "the aws-chunked framing is decoded, not stored");

        await (await _server.SendRawAsync(Put("bad.txt", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", Chunked("AAAAAA=="), "AAAAAA==")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "BadDigest", Coffer.Protocol.Routing.Dialect.S3);
        await (await _server.SendRawAsync(Put("sha.txt", new string('0', 64), data)))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "XAmzContentSHA256Mismatch", Coffer.Protocol.Routing.Dialect.S3);
        await (await _server.SendRawAsync(Put("signed.txt", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", data)))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Coffer.Protocol.Routing.Dialect.S3);
        (await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "bad.txt"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "sha.txt"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CannedAcls_ABucketOrObjectCannotHave_AreInvalidArgument_NotIgnored()
    {
        await (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "acl", headers: [new("x-cos-acl", "bucket-owner-read")])))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        await (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, "k", content: new ByteArrayContent([1]), headers: [new("x-cos-acl", "everyone")])))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        (await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "k"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, "k", content: new ByteArrayContent([1]), headers: [new("x-cos-acl", "default")])))
            .StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task APolicyDenyingTheSourceAddress_DeniesEvenTheOwner_WhoCanStillRemoveIt()
    {
        await _server.PutObjectAsync(_bucket, "k", [1]);
        (await PutPolicyAsync($$"""
            {"version":"2.0","statement":[{"principal":{"qcs":["*"]},"effect":"deny","action":["name/cos:*"],"resource":["{{Resource}}"],
              "condition":{"ip_equal":{"qcs:ip":["127.0.0.0/8"]} } }]}
            """)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "k"))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        (await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, query: "policy"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "k"))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnotherAccount_ReadsAndCopiesOnlyWhatThePolicyShares()
    {
        await _server.PutObjectAsync(_bucket, "shared/a.txt", Encoding.UTF8.GetBytes("shared"));
        await _server.PutObjectAsync(_bucket, "private/b.txt", Encoding.UTF8.GetBytes("private"));
        var other = TestAccounts.Other;
        var theirs = TestServer.BucketName("theirs", other);
        (await _server.SendAsync(_server.Request(HttpMethod.Put, theirs, account: other))).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "shared/a.txt", account: other))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");

        (await PutPolicyAsync($$"""
            {"version":"2.0","statement":[{"principal":{"qcs":["qcs::cam::uin/100000000002:uin/100000000002"]},"effect":"allow",
              "action":["name/cos:GetObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:{{_bucket}}/shared/*"]}]}
            """)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "shared/a.txt", account: other))).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "private/b.txt", account: other))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        await (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, "shared/c.txt", content: new ByteArrayContent([1]), account: other)))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");

        HttpRequestMessage Copy(string key) => _server.Request(HttpMethod.Put, theirs, "copy.txt", account: other,
            headers: [new("x-cos-copy-source", $"{TestServer.VirtualHost(_bucket)}/{key}")]);
        (await _server.SendAsync(Copy("shared/a.txt"))).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await _server.SendAsync(Copy("private/b.txt"))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task CreateBucket_WithEnforcedOrPreferredOwnership_NeedsPutBucketOwnershipControls_AndMakesNoBucketWithoutIt()
    {
        var sub = await SubAccountAsync("""{"version":"2.0","statement":[{"effect":"allow","action":["s3:CreateBucket"],"resource":["*"]}]}""");
        using var s3 = new S3TestClient(_server.BaseAddress);
        Task<HttpResponseMessage> CreateAsync(string bucket, string ownership) =>
            s3.SendAsync(HttpMethod.Put, bucket, headers: [new("x-amz-object-ownership", ownership)], account: sub);

        var enforced = TestServer.BucketName("enforced");
        var preferred = TestServer.BucketName("preferred");
        await (await CreateAsync(enforced, "BucketOwnerEnforced")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await CreateAsync(preferred, "BucketOwnerPreferred")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        (await s3.SendAsync(HttpMethod.Head, enforced)).StatusCode.Should().Be(HttpStatusCode.NotFound, "a refused bucket is not made");
        (await s3.SendAsync(HttpMethod.Head, preferred)).StatusCode.Should().Be(HttpStatusCode.NotFound, "a refused bucket is not made");
        (await CreateAsync(TestServer.BucketName("writer"), "ObjectWriter")).StatusCode.Should().Be(HttpStatusCode.OK, "ObjectWriter needs no more than CreateBucket");

        var allowed = await SubAccountAsync("""{"version":"2.0","statement":[{"effect":"allow","action":["s3:CreateBucket","s3:PutBucketOwnershipControls"],"resource":["*"]}]}""", "ci2");
        (await s3.SendAsync(HttpMethod.Put, enforced, headers: [new("x-amz-object-ownership", "BucketOwnerEnforced")], account: allowed))
            .StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeleteObjects_DeletesWhatTheCallerMay_AndReportsAccessDeniedForTheRest()
    {
        await _server.PutObjectAsync(_bucket, "tmp/a", [1]);
        await _server.PutObjectAsync(_bucket, "keep/b", [1]);
        var sub = await SubAccountAsync("""{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:DeleteObject"],"resource":["qcs::cos:*:uid/1250000000:*/tmp/*"]}]}""");
        var body = "<Delete><Object><Key>tmp/a</Key></Object><Object><Key>keep/b</Key></Object></Delete>";

        var response = await _server.SendAsync(_server.Request(HttpMethod.Post, _bucket, query: "delete", content: new StringContent(body), account: sub,
            headers: [new("Content-MD5", Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(body))))]));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var result = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        result.Elements("Deleted").Select(d => d.Element("Key")!.Value).Should().Equal("tmp/a");
        var error = result.Elements("Error").Should().ContainSingle().Subject;
        error.Element("Key")!.Value.Should().Be("keep/b");
        error.Element("Code")!.Value.Should().Be("AccessDenied");
        (await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "keep/b"))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CrossAccountInventory_FailsWithAccessDenied_AndWritesNothing_UntilTheDestinationPolicyAllowsIt()
    {
        var other = TestAccounts.Other;
        var destination = TestServer.BucketName("foreign", other);
        (await _server.SendAsync(_server.Request(HttpMethod.Put, destination, account: other))).StatusCode.Should().Be(HttpStatusCode.OK);
        await _server.PutObjectAsync(_bucket, "a", [1]);

        var denied = await RunToEndAsync("denied", destination);
        denied.Element("State")!.Value.Should().Be("Failed");
        denied.Element("Error")!.Element("Code")!.Value.Should().Be("AccessDenied");
        var listing = await _server.SendAsync(_server.Request(HttpMethod.Get, destination, account: other));
        XDocument.Parse(await listing.Content.ReadAsStringAsync()).Root!.Elements("Contents").Should().BeEmpty("the run wrote nothing");

        var policy = $$"""
            {"version":"2.0","statement":[{"principal":{"qcs":["qcs::cam::uin/100000000001:uin/100000000001"]},"effect":"allow",
              "action":["name/cos:PutObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000001:{{destination}}/reports/*"]}]}
            """;
        (await _server.SendAsync(_server.Request(HttpMethod.Put, destination, query: "policy", content: new StringContent(policy), account: other)))
            .StatusCode.Should().Be(HttpStatusCode.NoContent);
        var allowed = await RunToEndAsync("allowed", destination);
        allowed.Element("State")!.Value.Should().Be("Succeeded");
        (await _server.SendAsync(_server.Request(HttpMethod.Head, destination, allowed.Element("ManifestKey")!.Value, account: other)))
            .StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task<XElement> RunToEndAsync(string id, string destination)
    {
        var body = $"<InventoryConfiguration><Id>{id}</Id><Destination><COSBucketDestination><Format>CSV</Format>" +
            $"<Bucket>qcs::cos:ap-guangzhou::{destination}</Bucket><Prefix>reports</Prefix></COSBucketDestination></Destination>" +
            "<IncludedObjectVersions>Current</IncludedObjectVersions></InventoryConfiguration>";
        var post = await _server.SendAsync(_server.Request(HttpMethod.Post, _bucket, query: $"inventory&id={id}", content: new StringContent(body)));
        post.StatusCode.Should().Be(HttpStatusCode.OK, await post.Content.ReadAsStringAsync());
        var jobId = XDocument.Parse(await post.Content.ReadAsStringAsync()).Root!.Element("JobId")!.Value;
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var run = XDocument.Parse(await (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: $"inventory-run&job-id={jobId}")))
                .Content.ReadAsStringAsync()).Root!;
            if (run.Element("State")!.Value is "Succeeded" or "Failed")
            {
                return run;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Run {jobId} did not end.");
    }

    private async Task<Account> SubAccountAsync(string? policy = null, string name = "ci")
    {
        var created = await Identities.CreateSubAccountAsync(TestAccounts.Owner.AppId, name, null, policy is null ? null : Encoding.UTF8.GetBytes(policy));
        return new Account(created.AppId, created.Uin, created.SecretId, created.SecretKey, "sub");
    }

    private Task<HttpResponseMessage> PutPolicyAsync(string policy) =>
        _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "policy", content: new StringContent(policy)));

    private Task<HttpResponseMessage> PutInventoryAsync(Account account, string id) =>
        _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: $"inventory&id={id}", account: account,
            content: new StringContent(InventoryApiTests.Configuration(id).Replace("inventory-1250000000", _bucket))));

    private IEnumerable<HttpRequestMessage> InventoryRequests(Account account)
    {
        var configuration = InventoryApiTests.Configuration("x").Replace("inventory-1250000000", _bucket);
        yield return _server.Request(HttpMethod.Put, _bucket, query: "inventory&id=x", content: new StringContent(configuration), account: account);
        yield return _server.Request(HttpMethod.Get, _bucket, query: "inventory&id=nightly", account: account);
        yield return _server.Request(HttpMethod.Get, _bucket, query: "inventory", account: account);
        yield return _server.Request(HttpMethod.Delete, _bucket, query: "inventory&id=nightly", account: account);
        yield return _server.Request(HttpMethod.Post, _bucket, query: "inventory&id=once",
            content: new StringContent(InventoryApiTests.OneTime("once").Replace("inventory-1250000000", _bucket)), account: account);
        yield return _server.Request(HttpMethod.Get, _bucket, query: "inventory-runs", account: account);
    }

    private HttpRequestMessage Anonymous(HttpMethod method, string bucket, string? key = null, HttpContent? content = null)
    {
        var request = _server.Request(method, bucket, key, content: content);
        request.Headers.Remove("Authorization");
        return request;
    }
}
