using System.Net;
using System.Text;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// The embedded engine keeps each bucket's access rules between requests (AccessControl.Rules) until a committed change
/// to a bucket or its configurations moves the store's generation on: the request after an acknowledged change sees it.
/// </summary>
public sealed class BucketRulesCacheTests : IAsyncLifetime
{
    private readonly string _bucket = TestServer.BucketName("rulescache");
    private readonly HttpClient _anonymous = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        (await _server.CreateBucketAsync(_bucket)).EnsureSuccessStatusCode();
        (await _server.PutObjectAsync(_bucket, "k", [1, 2, 3])).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _anonymous.Dispose();
        await _server.DisposeAsync();
    }

    private string Resource => $"qcs::cos:ap-guangzhou:uid/1250000000:{_bucket}/*";

    [Fact]
    public async Task AnonymousGet_FollowsEachPolicyChange_OnTheNextRequest()
    {
        for (var round = 0; round < 3; round++)
        {
            (await Anonymous()).StatusCode.Should().Be(HttpStatusCode.Forbidden, "no policy allows it yet");
            (await Anonymous()).StatusCode.Should().Be(HttpStatusCode.Forbidden, "the kept rules still say so");

            var policy = $$"""{"version":"2.0","statement":[{"principal":{"qcs":["*"]},"effect":"allow","action":["name/cos:GetObject"],"resource":["{{Resource}}"]}]}""";
            (await Owner(HttpMethod.Put, "policy", policy)).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await Anonymous()).StatusCode.Should().Be(HttpStatusCode.OK, "the policy was acknowledged before this request");

            (await Owner(HttpMethod.Delete, "policy")).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await Anonymous()).StatusCode.Should().Be(HttpStatusCode.Forbidden, "the policy is gone");
        }
    }

    [Fact]
    public async Task AnonymousGet_FollowsEachBucketAclChange_OnTheNextRequest()
    {
        (await Anonymous()).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Owner(HttpMethod.Put, "acl", headers: [new("x-cos-acl", "public-read")])).EnsureSuccessStatusCode();
        (await Anonymous()).StatusCode.Should().Be(HttpStatusCode.OK, "the object follows its bucket's ACL");
        (await Owner(HttpMethod.Put, "acl", headers: [new("x-cos-acl", "private")])).EnsureSuccessStatusCode();
        (await Anonymous()).StatusCode.Should().Be(HttpStatusCode.Forbidden, "private again");
    }

    [Fact]
    public async Task CorsHeaders_FollowEachCorsChange_OnTheNextRequest()
    {
        const string Origin = "https://app.example.com";
        (await Cors()).Should().BeNull();
        var rules = $"<CORSConfiguration><CORSRule><AllowedOrigin>{Origin}</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
        (await Owner(HttpMethod.Put, "cors", rules)).EnsureSuccessStatusCode();
        (await Cors()).Should().Be(Origin);
        (await Owner(HttpMethod.Delete, "cors")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await Cors()).Should().BeNull();

        async Task<string?> Cors()
        {
            var request = _server.Request(HttpMethod.Get, _bucket, "k");
            request.Headers.Add("Origin", Origin);
            var response = await _server.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
        }
    }

    [Fact]
    public async Task PutObject_AnswersAVersionId_RightAfterVersioningIsEnabled()
    {
        (await _server.PutObjectAsync(_bucket, "v", [1])).Headers.Contains("x-cos-version-id").Should().BeFalse();
        var enable = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
        (await Owner(HttpMethod.Put, "versioning", enable)).EnsureSuccessStatusCode();
        (await _server.PutObjectAsync(_bucket, "v", [2])).Headers.Contains("x-cos-version-id").Should().BeTrue();
    }

    [Fact]
    public async Task GetAndHead_NameTheNullVersion_RightAfterVersioningIsEnabled()
    {
        // A GET or HEAD takes the bucket's versioning from the rules the pipeline holds, not from a read of its own.
        (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "k"))).Headers.Contains("x-cos-version-id").Should().BeFalse();
        var enable = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
        (await Owner(HttpMethod.Put, "versioning", enable)).EnsureSuccessStatusCode();
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            var response = await _server.SendAsync(_server.Request(method, _bucket, "k"));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            response.Headers.GetValues("x-cos-version-id").Should().Equal("null");
        }
    }

    [Fact]
    public async Task Requests_OnADeletedBucket_AreNoSuchBucket_AndOnItsNewNamesake_SeeItsOwnRules()
    {
        (await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, "k"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await Owner(HttpMethod.Put, "acl", headers: [new("x-cos-acl", "public-read")])).EnsureSuccessStatusCode();
        (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await (await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, "k"))).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchBucket");
        (await _server.CreateBucketAsync(_bucket)).EnsureSuccessStatusCode();
        (await _server.PutObjectAsync(_bucket, "k", [4])).EnsureSuccessStatusCode();
        (await Anonymous()).StatusCode.Should().Be(HttpStatusCode.Forbidden, "the new bucket is private, whatever the old one was");
    }

    [Fact]
    public async Task AnonymousPut_OverwritesInAPublicWriteBucket_AndIsRefusedRightAfterTheAclTurnsPrivate()
    {
        const string Key = "media/视频/report 4.mp4";
        (await Owner(HttpMethod.Put, "acl", headers: [new("x-cos-acl", "public-read-write")])).EnsureSuccessStatusCode();
        (await AnonymousPut(Key, [1, 2, 3])).StatusCode.Should().Be(HttpStatusCode.OK);
        (await AnonymousPut(Key, [4, 5, 6, 7])).StatusCode.Should().Be(HttpStatusCode.OK, "an overwrite of the null version");
        await ShouldReadAsync([4, 5, 6, 7]);

        (await Owner(HttpMethod.Put, "acl", headers: [new("x-cos-acl", "private")])).EnsureSuccessStatusCode();
        (await AnonymousPut(Key, [8])).StatusCode.Should().Be(HttpStatusCode.Forbidden, "the private ACL was acknowledged before this request");
        await ShouldReadAsync([4, 5, 6, 7]);

        async Task ShouldReadAsync(byte[] body)
        {
            var read = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, Key));
            read.StatusCode.Should().Be(HttpStatusCode.OK);
            (await read.Content.ReadAsByteArrayAsync()).Should().Equal(body);
            var versions = await (await Owner(HttpMethod.Get, "versions")).Content.ReadAsStringAsync();
            versions.Split("<Version>").Length.Should().Be(3, "the overwritten object and k, one null version each: {0}", versions);
            versions.Should().Contain($"<Size>{body.Length}</Size>");
        }
    }

    private Task<HttpResponseMessage> AnonymousPut(string key, byte[] body)
    {
        var request = _server.Request(HttpMethod.Put, _bucket, key, content: new ByteArrayContent(body));
        request.Headers.Remove("Authorization");
        return _server.SendRawAsync(request);
    }

    private Task<HttpResponseMessage> Owner(HttpMethod method, string query, string? body = null, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        _server.SendAsync(_server.Request(method, _bucket, query: query, content: body is null ? null : new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
            headers: headers));

    private Task<HttpResponseMessage> Anonymous()
    {
        var request = _server.Request(HttpMethod.Get, _bucket, "k");
        request.Headers.Remove("Authorization");
        return _server.SendRawAsync(request);
    }
}
