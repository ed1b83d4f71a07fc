using System.Net;
using Coffer.Model.Accounts;
using Coffer.Testing;

namespace Coffer.Server.Tests;

public sealed class AuthenticationTests : IAsyncLifetime
{
    private readonly string _bucket = TestServer.BucketName("auth");
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(_time);
        await _server.CreateBucketAsync(_bucket);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Request_ReturnsSignatureDoesNotMatch_WithWrongSecretKey()
    {
        var wrong = TestAccounts.Owner with { SecretKey = "not-the-key" };
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, account: wrong));
        await response.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Request_ReturnsInvalidAccessKeyId_ForUnknownSecretId()
    {
        var unknown = new Account("1250000000", "1", "AKIDunknown", "k", "x");
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, account: unknown));
        await response.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "InvalidAccessKeyId");
    }

    [Fact]
    public async Task Request_ReturnsRequestHasExpired_AfterTheSignatureWindow()
    {
        var request = _server.Request(HttpMethod.Get, _bucket, signedAt: _time.GetUtcNow().AddMinutes(-20), lifetime: TimeSpan.FromMinutes(10));
        var error = await (await _server.SendAsync(request)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        error.Element("Message")!.Value.Should().Be("Request has expired");
    }

    [Fact]
    public async Task Request_Succeeds_UntilTheLastSecondOfTheWindow()
    {
        var request = _server.Request(HttpMethod.Get, _bucket, signedAt: _time.GetUtcNow().AddSeconds(-599), lifetime: TimeSpan.FromMinutes(10));
        (await _server.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Request_ReturnsAccessDenied_WhenAnonymous()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _server.BaseAddress);
        request.Headers.Host = TestServer.VirtualHost(_bucket);
        await (await _server.SendRawAsync(request)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task Request_ReturnsSignatureDoesNotMatch_WhenASignedHeaderIsChanged()
    {
        var request = _server.Request(HttpMethod.Put, _bucket, "k", content: new ByteArrayContent([1]),
            headers: [new("x-cos-meta-a", "signed")]);
        request.Content!.Headers.Remove("x-cos-meta-a");
        request.Content.Headers.TryAddWithoutValidation("x-cos-meta-a", "tampered");
        await (await _server.SendAsync(request)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Request_Succeeds_WithSignatureInQueryParameters()
    {
        await _server.PutObjectAsync(_bucket, "presigned", [5]);
        var host = TestServer.VirtualHost(_bucket);
        var start = _time.GetUtcNow().AddSeconds(-1);
        var authorization = CosRequestSigner.Authorization(TestAccounts.Owner.SecretId, TestAccounts.Owner.SecretKey, "GET",
            "/presigned", [], [new("host", host)], start, TimeSpan.FromMinutes(5));
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseAddress, "/presigned?" + AsQuery(authorization)));
        request.Headers.Host = host;
        var response = await _server.SendRawAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(5);
    }

    [Fact]
    public async Task Request_Succeeds_WithTheWholeSignatureInASignQueryParameter_SignedWithItsOtherParameters()
    {
        // As cos-nodejs-sdk-v5's test suite builds it: ?sign=<the Authorization, URL-encoded>&<signed parameters>.
        await _server.PutObjectAsync(_bucket, "signed-url", [6]);
        var host = TestServer.VirtualHost(_bucket);
        var authorization = CosRequestSigner.Authorization(TestAccounts.Owner.SecretId, TestAccounts.Owner.SecretKey, "GET",
            "/signed-url", [new("response-cache-control", "no-cache")], [new("host", host)], _time.GetUtcNow().AddSeconds(-1), TimeSpan.FromMinutes(5));

        async Task<HttpResponseMessage> Get(string query)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseAddress, "/signed-url?" + query));
            request.Headers.Host = host;
            return await _server.SendRawAsync(request);
        }

        var response = await Get($"sign={Uri.EscapeDataString(authorization)}&response-cache-control=no-cache");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(6);
        await (await Get($"sign={Uri.EscapeDataString(authorization)}&response-cache-control=max-age%3D1"))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Request_ReturnsInvalidAccessKeyId_WhenTheSecretIdInTheSignatureHasASpaceAfterIt()
    {
        // cos-nodejs-sdk-v5's test "SecretId格式错误": a SecretId copied with a trailing space is not the key.
        var spaced = TestAccounts.Owner with { SecretId = TestAccounts.Owner.SecretId + " " };
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, account: spaced));
        await response.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "InvalidAccessKeyId");
    }

    [Theory]
    [InlineData("sign=eyJhIjoxfQ%3D%3D")]
    [InlineData("sign=")]
    public async Task Request_ReturnsAccessDenied_WhenTheSignParameterIsNotAQSignSignature(string query)
    {
        // The JSON API's V4 sign=<base64> (or an empty one) is not taken as an anonymous request.
        await _server.PutObjectAsync(_bucket, "k", [1]);
        var error = await (await GetAsync("/k?" + query)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        error.Element("Message")!.Value.Should().Be("The sign parameter is not a q-sign-algorithm=sha1 signature; other signature forms are not supported.");
    }

    [Fact]
    public async Task Request_VerifiesTheAuthorizationHeader_NotASignParameterBesideIt()
    {
        await _server.PutObjectAsync(_bucket, "k", [1]);
        (await GetAsync("/k?sign=eyJhIjoxfQ%3D%3D", Sign(TestAccounts.Owner))).StatusCode.Should().Be(HttpStatusCode.OK, "the header is the signature");
        await (await GetAsync("/k?sign=" + Uri.EscapeDataString(Sign(TestAccounts.Owner)), Sign(WrongKey)))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Request_VerifiesQParameters_NotASignParameterBesideThem()
    {
        await _server.PutObjectAsync(_bucket, "k", [1]);
        (await GetAsync($"/k?{AsQuery(Sign(TestAccounts.Owner))}&sign=eyJhIjoxfQ%3D%3D")).StatusCode.Should().Be(HttpStatusCode.OK, "the q-* parameters are the signature");
        await (await GetAsync($"/k?{AsQuery(Sign(WrongKey))}&sign={Uri.EscapeDataString(Sign(TestAccounts.Owner))}"))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    private static Account WrongKey => TestAccounts.Owner with { SecretKey = "not-the-key" };

    /// <summary>A q-sign signature of GET /k over its host header alone.</summary>
    private string Sign(Account account) =>
        CosRequestSigner.Authorization(account.SecretId, account.SecretKey, "GET", "/k", [], [new("host", TestServer.VirtualHost(_bucket))],
            _time.GetUtcNow().AddSeconds(-1), TimeSpan.FromMinutes(5));

    /// <summary>A signature's fields as q-* query parameters, each value URL-encoded.</summary>
    private static string AsQuery(string authorization) =>
        string.Join('&', authorization.Split('&').Select(p => p.Split('=', 2)).Select(p => $"{p[0]}={Uri.EscapeDataString(p[1])}"));

    private async Task<HttpResponseMessage> GetAsync(string pathAndQuery, string? authorization = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseAddress, pathAndQuery));
        request.Headers.Host = TestServer.VirtualHost(_bucket);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await _server.SendRawAsync(request);
    }
}
