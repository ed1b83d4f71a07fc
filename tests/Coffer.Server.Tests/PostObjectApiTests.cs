using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// POST Object (browser form uploads) on the wire in both dialects: signed forms stored byte-exact through PUT's own
/// path, the answers a form asks for, and every documented refusal leaving no object behind.
/// </summary>
public sealed class PostObjectApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly string _bucket = TestServer.BucketName("forms");
    private readonly HttpClient _browser = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        (await _server.CreateBucketAsync(_bucket)).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task PostObject_S3SignedForm_StoresTheFileByteExact_WithItsFields_AndIgnoresFieldsAfterTheFile()
    {
        var file = RandomNumberGenerator.GetBytes(300_000);
        var fields = S3Fields(Cond("starts-with", "$key", "photos/"), Cond("starts-with", "$Content-Type", "image/"), new Dictionary<string, string> { ["x-amz-meta-color"] = "blue" },
            Cond("eq", "$Cache-Control", "max-age=60"));
        fields.AddRange([new("key", "photos/${filename}"), new("Content-Type", "image/png"), new("x-amz-meta-color", "blue"), new("Cache-Control", "max-age=60")]);

        var response = await PostAsync(PostForms.Body(fields, file, "cat.png", after: [new("x-amz-meta-late", "ignored")]));

        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        response.Headers.ETag!.Tag.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(file))}\"");
        response.Headers.Location!.ToString().Should().EndWith($"/{_bucket}/photos/cat.png");
        response.Headers.GetValues("x-amz-request-id").Should().ContainSingle();
        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "photos/cat.png"));
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(file);
        get.Content.Headers.ContentType!.ToString().Should().Be("image/png");
        get.Headers.GetValues("x-cos-meta-color").Should().Equal("blue");
        get.Headers.CacheControl!.ToString().Should().Be("max-age=60");
        get.Headers.Contains("x-cos-meta-late").Should().BeFalse("fields after the file are ignored");
    }

    [Theory]
    [InlineData("200", HttpStatusCode.OK)]
    [InlineData("204", HttpStatusCode.NoContent)]
    [InlineData("404", HttpStatusCode.NoContent)]
    public async Task PostObject_SuccessActionStatus_AnswersTheAskedStatus_AndOtherValuesAnswer204(string status, HttpStatusCode expected)
    {
        var fields = S3Fields(Cond("starts-with", "$key", ""), Cond("eq", "$success_action_status", status));
        fields.AddRange([new("key", "s"), new("success_action_status", status)]);
        var response = await PostAsync(PostForms.Body(fields, [1, 2, 3]));
        response.StatusCode.Should().Be(expected);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task PostObject_SuccessActionStatus201_AnswersThePostResponseDocument()
    {
        var fields = S3Fields(Cond("starts-with", "$key", ""), Cond("eq", "$success_action_status", "201"));
        fields.AddRange([new("key", "a b+c.txt"), new("success_action_status", "201")]);
        var response = await PostAsync(PostForms.Body(fields, "hello"u8.ToArray()));

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var location = $"{_server.BaseAddress.GetLeftPart(UriPartial.Authority)}/{_bucket}/a%20b%2Bc.txt";
        (await response.Content.ReadAsStringAsync()).Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?><PostResponse>" +
            $"<Location>{location}</Location><Bucket>{_bucket}</Bucket><Key>a b+c.txt</Key>" +
            "<ETag>\"5d41402abc4b2a76b9719d911017c592\"</ETag></PostResponse>");
    }

    [Fact]
    public async Task PostObject_SuccessActionRedirect_Answers303_WithBucketKeyAndETagInTheQuery()
    {
        var fields = S3Fields(Cond("starts-with", "$key", ""), Cond("starts-with", "$success_action_redirect", "https://app.example.com/"));
        fields.AddRange([new("key", "r.txt"), new("success_action_redirect", "https://app.example.com/done?x=1")]);
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var response = await noRedirects.PostAsync(BucketUrl, PostForms.Body(fields, "hello"u8.ToArray()));

        response.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        response.Headers.Location!.OriginalString.Should().Be(
            $"https://app.example.com/done?x=1&bucket={_bucket}&key=r.txt&etag=%225d41402abc4b2a76b9719d911017c592%22");
    }

    [Fact]
    public async Task PostObject_WithEncryptionTaggingAndChecksumFields_StoresThemAsPutDoes()
    {
        var file = "tagged and encrypted"u8.ToArray();
        var checksum = Convert.ToBase64String(SHA256.HashData(file));
        const string tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag></TagSet></Tagging>";
        var fields = S3Fields(Cond("starts-with", "$key", ""), Cond("eq", "$x-amz-server-side-encryption", "AES256"), Cond("eq", "$tagging", tagging),
            Cond("eq", "$x-amz-checksum-sha256", checksum), Cond("eq", "$acl", "public-read"));
        fields.AddRange([new("key", "t.txt"), new("x-amz-server-side-encryption", "AES256"), new("tagging", tagging), new("x-amz-checksum-sha256", checksum),
            new("acl", "public-read")]);

        var response = await PostAsync(PostForms.Body(fields, file));

        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        response.Headers.GetValues("x-amz-server-side-encryption").Should().Equal("AES256");
        response.Headers.GetValues("x-amz-checksum-sha256").Should().Equal(checksum);
        var anonymousGet = await _browser.GetAsync($"{BucketUrl}/t.txt");
        (await anonymousGet.Content.ReadAsByteArrayAsync()).Should().Equal(file, "the public-read acl field was applied");
        anonymousGet.Headers.GetValues("x-cos-server-side-encryption").Should().Equal("AES256");
        var tags = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "t.txt", query: "tagging"));
        XDocument.Parse(await tags.Content.ReadAsStringAsync()).Descendants("Value").Single().Value.Should().Be("web");
    }

    [Theory]
    [InlineData("x-amz-")]
    [InlineData("x-cos-")]
    public async Task PostObject_WithCustomerKeyFields_StoresTheFileUnderThatKey_ReadableOnlyWithIt(string prefix)
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)(i * 3)).ToArray();
        var keyFields = CustomerKeyFields(prefix + "server-side-encryption-customer-", key, Convert.ToBase64String(MD5.HashData(key)));
        var fields = SignedFields(prefix, keyFields);
        fields.AddRange([new("key", "sealed.txt"), .. keyFields]);
        var file = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("COFFER-FORM-PLAINTEXT ", 100)));

        var response = await PostAsync(PostForms.Body(fields, file));

        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        response.Headers.GetValues(prefix + "server-side-encryption-customer-algorithm").Should().Equal("AES256");
        response.Headers.GetValues(prefix + "server-side-encryption-customer-key-MD5").Should().Equal(keyFields[2].Value);
        StoredBlobs.Holding(_server.DataDirectory, "COFFER-FORM-PLAINTEXT"u8).Should().BeEmpty("the file is stored encrypted under the form's key");
        await (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "sealed.txt")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest");
        var withKey = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "sealed.txt",
            headers: CustomerKeyFields("x-cos-server-side-encryption-customer-", key, keyFields[2].Value)));
        withKey.StatusCode.Should().Be(HttpStatusCode.OK);
        (await withKey.Content.ReadAsByteArrayAsync()).Should().Equal(file);
    }

    [Theory]
    [InlineData("x-amz-")]
    [InlineData("x-cos-")]
    public async Task PostObject_WithACustomerKeyFieldWhoseMD5IsNotTheKeys_IsInvalidArgumentSayingSo_AndStoresNothing(string prefix)
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var keyFields = CustomerKeyFields(prefix + "server-side-encryption-customer-", key, Convert.ToBase64String(MD5.HashData("another key"u8)));
        var fields = SignedFields(prefix, keyFields);
        fields.AddRange([new("key", "refused.txt"), .. keyFields]);

        var error = await (await PostAsync(PostForms.Body(fields, [1, 2, 3])))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", prefix == "x-amz-" ? Dialect.S3 : Dialect.Cos);
        error.Element("Message")!.Value.Should().Contain("MD5 hash of the key did not match", "InvalidArgument is also the code of a missing or malformed key");
        await ShouldBeMissingAsync("refused.txt");
    }

    [Fact]
    public async Task PostObject_WithAWrongChecksumField_IsRefused_AndStoresNothing()
    {
        var wrong = Convert.ToBase64String(SHA256.HashData("other"u8));
        var fields = S3Fields(Cond("starts-with", "$key", ""), Cond("eq", "$x-amz-checksum-sha256", wrong));
        fields.AddRange([new("key", "bad-sum"), new("x-amz-checksum-sha256", wrong)]);
        await (await PostAsync(PostForms.Body(fields, "data"u8.ToArray()))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "BadDigest", Dialect.S3);
        await ShouldBeMissingAsync("bad-sum");
    }

    [Fact]
    public async Task PostObject_OnAVersionedBucket_AnswersTheNewVersionId()
    {
        (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "versioning",
            content: new StringContent("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")))).EnsureSuccessStatusCode();
        var fields = S3Fields(Cond("starts-with", "$key", ""));
        fields.Add(new("key", "v"));
        var response = await PostAsync(PostForms.Body(fields, [7]));
        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        var versionId = response.Headers.GetValues("x-amz-version-id").Single();
        var head = await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "v"));
        head.Headers.GetValues("x-cos-version-id").Should().Equal(versionId);
    }

    [Fact]
    public async Task PostObject_PolicyExpired_IsAccessDenied()
    {
        var fields = PostForms.S3(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow.AddHours(-2), Hour, [new object[] { "starts-with", "$key", "" }]);
        fields.Add(new("key", "late"));
        var error = await (await PostAsync(PostForms.Body(fields, [1]))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        error.Element("Message")!.Value.Should().Be("Invalid according to Policy: Policy expired.");
        await ShouldBeMissingAsync("late");
    }

    [Fact]
    public async Task PostObject_ConditionFailed_ExtraField_OrNoBucketCondition_IsAccessDenied()
    {
        var wrongKey = S3Fields(Cond("eq", "$key", "allowed"));
        wrongKey.Add(new("key", "other"));
        (await (await PostAsync(PostForms.Body(wrongKey, [1]))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3))
            .Element("Message")!.Value.Should().Be("Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\", \"allowed\"]");

        var extra = S3Fields(Cond("starts-with", "$key", ""));
        extra.AddRange([new("key", "x"), new("x-amz-meta-unnamed", "1"), new("x-ignore-this", "fine")]);
        (await (await PostAsync(PostForms.Body(extra, [1]))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3))
            .Element("Message")!.Value.Should().Be("Invalid according to Policy: Extra input fields: x-amz-meta-unnamed");

        var otherBucket = PostForms.S3(TestServer.BucketName("elsewhere"), TestAccounts.Owner, DateTimeOffset.UtcNow, Hour, [new object[] { "starts-with", "$key", "" }]);
        otherBucket.Add(new("key", "x"));
        await (await PostAsync(PostForms.Body(otherBucket, [1]))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await ShouldBeMissingAsync("x");
        await ShouldBeMissingAsync("other");
    }

    [Fact]
    public async Task PostObject_ContentLengthRange_RefusesTooLargeAndTooSmallFiles_AndStoresNeither()
    {
        var fields = S3Fields(Cond("starts-with", "$key", ""), new object[] { "content-length-range", 10, 100_000 });
        fields.Add(new("key", "sized"));
        await (await PostAsync(PostForms.Body(fields, new byte[100_001]))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "EntityTooLarge", Dialect.S3);
        await (await PostAsync(PostForms.Body(fields, new byte[9]))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "EntityTooSmall", Dialect.S3);
        await ShouldBeMissingAsync("sized");
        (await PostAsync(PostForms.Body(fields, new byte[100_000]))).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task PostObject_WithoutAFileOrAKey_OrWithABadPolicy_IsRefused()
    {
        var noFile = S3Fields(Cond("starts-with", "$key", ""));
        noFile.Add(new("key", "nofile"));
        await (await PostAsync(PostForms.Body(noFile, null))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "IncorrectNumberOfFilesInPostRequest", Dialect.S3);

        var noKey = S3Fields(Cond("starts-with", "$key", ""));
        await (await PostAsync(PostForms.Body(noKey, [1]))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);

        var noConditions = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"expiration\":\"2100-01-01T00:00:00Z\",\"CONDITIONS\":[]}"));
        await (await PostAsync(PostForms.Body([new("key", "k"), new("policy", noConditions)], [1]))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidPolicyDocument");

        var notAForm = await _browser.PostAsync(BucketUrl, new ByteArrayContent([1, 2]));
        await notAForm.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedPOSTRequest");
        await ShouldBeMissingAsync("nofile");
    }

    [Fact]
    public async Task PostObject_WithABadSignatureOrAnUnknownKey_IsRefused()
    {
        var fields = S3Fields(Cond("starts-with", "$key", ""));
        fields.Add(new("key", "forged"));
        var forged = fields.Select(f => f.Key == "x-amz-signature" ? new KeyValuePair<string, string>(f.Key, new string('0', 64)) : f).ToList();
        await (await PostAsync(PostForms.Body(forged, [1]))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", Dialect.S3);

        var stranger = new Coffer.Model.Accounts.Account("1250000009", "100000000009", "AKIDnobodyNobodyNobody000000000000", "nobodySecret", "nobody");
        var unknown = PostForms.S3(_bucket, stranger, DateTimeOffset.UtcNow, Hour, [new object[] { "starts-with", "$key", "" }]);
        unknown.Add(new("key", "forged"));
        await (await PostAsync(PostForms.Body(unknown, [1]))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "InvalidAccessKeyId", Dialect.S3);
        await ShouldBeMissingAsync("forged");
    }

    [Fact]
    public async Task PostObject_Anonymous_IsAllowedOnlyWhenTheBucketAllowsPublicWrites()
    {
        var form = () => PostForms.Body([new("key", "anon.txt"), new("x-amz-meta-by", "anyone")], "anyone"u8.ToArray());
        await (await PostAsync(form())).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await ShouldBeMissingAsync("anon.txt");

        (await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "acl", headers: [new("x-cos-acl", "public-read-write")])))
            .EnsureSuccessStatusCode();
        (await PostAsync(form())).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "anon.txt"));
        (await get.Content.ReadAsStringAsync()).Should().Be("anyone");
    }

    [Fact]
    public async Task PostObject_CosSignedForm_StoresTheFile_WithCosFields_AndAnswersThePostResponse()
    {
        var file = RandomNumberGenerator.GetBytes(70_000);
        var fields = PostForms.Cos(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow, Hour,
            [new object[] { "starts-with", "$key", "cos/" }, new object[] { "content-length-range", 1, 1_000_000 }]);
        fields.AddRange([new("key", "cos/${filename}"), new("x-cos-meta-origin", "form"), new("x-cos-storage-class", "STANDARD_IA"),
            new("success_action_status", "201")]);

        var response = await PostAsync(PostForms.Body(fields, file, "report.pdf"));

        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        response.Headers.GetValues("x-cos-request-id").Should().ContainSingle();
        XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Element("Key")!.Value.Should().Be("cos/report.pdf");
        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "cos/report.pdf"));
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(file);
        get.Headers.GetValues("x-cos-meta-origin").Should().Equal("form");
        get.Headers.GetValues("x-cos-storage-class").Should().Equal("STANDARD_IA");
    }

    [Fact]
    public async Task PostObject_S3FormSignedForAnotherServiceThanS3_IsRefused_AndStoresNothing()
    {
        var fields = PostForms.S3(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow, Hour, [new object[] { "starts-with", "$key", "" }], service: "sts");
        fields.Add(new("key", "other-service.txt"));

        await (await PostAsync(PostForms.Body(fields, "signed for sts"u8.ToArray()))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        (await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "other-service.txt"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PostObject_WithAMetadataNameOrARedirectNoHeaderCanCarry_IsInvalidArgument_AndStoresNothing()
    {
        var metadata = PostForms.S3(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow, Hour,
            [new object[] { "starts-with", "$key", "" }, new object[] { "starts-with", "$x-amz-meta-a b", "" }]);
        metadata.AddRange([new("key", "bad-meta.txt"), new("x-amz-meta-a b", "v")]);
        await (await PostAsync(PostForms.Body(metadata, "x"u8.ToArray()))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        (await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "bad-meta.txt"))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var redirect = PostForms.S3(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow, Hour,
            [new object[] { "starts-with", "$key", "" }, new object[] { "starts-with", "$success_action_redirect", "" }]);
        redirect.AddRange([new("key", "bad-redirect.txt"), new("success_action_redirect", "https://example.com/done\r\nSet-Cookie: a=b")]);
        await (await PostAsync(PostForms.Body(redirect, "x"u8.ToArray()))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        (await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, "bad-redirect.txt"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PostObject_WithAKeyXmlCannotCarry_IsInvalidArgument_AndStoresNothing()
    {
        // A NUL no request path can name: what a form stored under it could be neither read nor deleted.
        var fields = PostForms.S3(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow, Hour, [new object[] { "starts-with", "$key", "" }]);
        fields.Add(new("key", "nul\u0000key"));
        await (await PostAsync(PostForms.Body(fields, "x"u8.ToArray()))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        var listing = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "encoding-type=url"));
        (await listing.Content.ReadAsStringAsync()).Should().NotContain("nul%00key");
    }

    [Fact]
    public async Task PostObject_CosFormWithForbidOverwrite_IsFileAlreadyExists_OverAnObject_AndKeepsIt()
    {
        List<KeyValuePair<string, string>> Form(string key)
        {
            var fields = PostForms.Cos(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow, Hour, [new object[] { "starts-with", "$key", "" }]);
            fields.AddRange([new("key", key), new("x-cos-forbid-overwrite", "true")]);
            return fields;
        }

        (await PostAsync(PostForms.Body(Form("once.txt"), "first"u8.ToArray()))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await PostAsync(PostForms.Body(Form("once.txt"), "second"u8.ToArray()))).ShouldBeErrorAsync(HttpStatusCode.Conflict, "FileAlreadyExists");
        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "once.txt"));
        (await get.Content.ReadAsStringAsync()).Should().Be("first");
    }

    [Fact]
    public async Task PostObject_CosSignedForm_WithAnS3Field_IsStillACosForm()
    {
        // Its signature fields say the dialect; an x-amz- field once made it an S3 form whose COS signature went unread.
        var fields = PostForms.Cos(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow, Hour, [new object[] { "starts-with", "$key", "" }]);
        fields.AddRange([new("key", "mixed.txt"), new("x-amz-meta-origin", "s3-word")]);

        var response = await PostAsync(PostForms.Body(fields, "mixed"u8.ToArray()));

        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        response.Headers.Contains("x-amz-request-id").Should().BeFalse("a COS form is answered in COS's words");
        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "mixed.txt"));
        (await get.Content.ReadAsStringAsync()).Should().Be("mixed");
    }

    [Fact]
    public async Task PostObject_CosForm_WithABadSignature_AnExpiredKeyTime_OrAnExpiredPolicy_IsRefused()
    {
        var conditions = new object[] { new object[] { "starts-with", "$key", "" } };
        var forged = PostForms.Cos(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow, Hour, conditions)
            .Select(f => f.Key == "q-signature" ? new KeyValuePair<string, string>(f.Key, new string('a', 40)) : f).Append(new("key", "c")).ToList();
        await (await PostAsync(PostForms.Body(forged, [1]))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "SignatureDoesNotMatch");

        var keyExpired = PostForms.Cos(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow.AddHours(-3), TimeSpan.FromHours(4), conditions, keyLifetime: Hour);
        keyExpired.Add(new("key", "c"));
        (await (await PostAsync(PostForms.Body(keyExpired, [1]))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied"))
            .Element("Message")!.Value.Should().Be("Request has expired");

        var policyExpired = PostForms.Cos(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow.AddHours(-3), Hour, conditions, keyLifetime: TimeSpan.FromHours(4));
        policyExpired.Add(new("key", "c"));
        (await (await PostAsync(PostForms.Body(policyExpired, [1]))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied"))
            .Element("Message")!.Value.Should().Be("Invalid according to Policy: Policy expired.");
        await ShouldBeMissingAsync("c");
    }

    private string BucketUrl => $"{_server.BaseAddress.GetLeftPart(UriPartial.Authority)}/{_bucket}";

    private List<KeyValuePair<string, string>> S3Fields(params object[] conditions) =>
        PostForms.S3(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow, Hour, conditions);

    /// <summary>
    /// A form signed in the dialect of <paramref name="prefix"/> (<c>x-amz-</c>: S3's SigV4 policy, <c>x-cos-</c>: COS's),
    /// its policy allowing any key and requiring <paramref name="exact"/> as given.
    /// </summary>
    private List<KeyValuePair<string, string>> SignedFields(string prefix, IEnumerable<KeyValuePair<string, string>> exact)
    {
        var conditions = new object[] { Cond("starts-with", "$key", "") }.Concat(exact.Select(f => Cond("eq", "$" + f.Key, f.Value))).ToArray();
        return prefix == "x-amz-" ? S3Fields(conditions) : PostForms.Cos(_bucket, TestAccounts.Owner, DateTimeOffset.UtcNow, Hour, conditions);
    }

    /// <summary>The three SSE-C fields (or headers) under <paramref name="prefix"/>: algorithm, the key in base64, and the given MD5.</summary>
    private static KeyValuePair<string, string>[] CustomerKeyFields(string prefix, byte[] key, string md5) =>
        [new(prefix + "algorithm", "AES256"), new(prefix + "key", Convert.ToBase64String(key)), new(prefix + "key-MD5", md5)];

    // A condition typed as one object, so that a lone condition is not taken for the whole params array.
    private static object Cond(params string[] parts) => parts;

    private Task<HttpResponseMessage> PostAsync(HttpContent form) => _browser.PostAsync(BucketUrl, form);

    private async Task ShouldBeMissingAsync(string key) =>
        (await _server.SendAsync(_server.Request(HttpMethod.Head, _bucket, key))).StatusCode.Should().Be(HttpStatusCode.NotFound);
}
