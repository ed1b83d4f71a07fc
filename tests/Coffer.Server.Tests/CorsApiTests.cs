using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>Bucket CORS on the wire: the configuration in both dialects, unauthenticated preflights, and the headers browsers read.</summary>
public sealed class CorsApiTests() : ServerTestBase("cors")
{
    private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
    private const string Rules =
        "<CORSRule><ID>app</ID><AllowedOrigin>https://app.example.com</AllowedOrigin><AllowedOrigin>https://*.example.org</AllowedOrigin>" +
        "<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-cos-meta-*</AllowedHeader><AllowedHeader>Content-Type</AllowedHeader>" +
        "<ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule>" +
        "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule>";

    private readonly HttpClient _anonymous = new();

    protected override async Task SeedAsync()
    {
        (await Server.PutObjectAsync(Bucket, "k", [1, 2, 3])).EnsureSuccessStatusCode();
    }

    public override async Task DisposeAsync()
    {
        _anonymous.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Cors_ReadsBackAsPut_InBothDialects_AndDeleteLeavesNoSuchCorsConfiguration()
    {
        (await Cos(HttpMethod.Put, $"<CORSConfiguration>{Rules}<ResponseVary>true</ResponseVary></CORSConfiguration>")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await Cos(HttpMethod.Get)).Content.ReadAsStringAsync())
            .Should().Be($"<?xml version=\"1.0\" encoding=\"utf-8\"?><CORSConfiguration>{Rules}<ResponseVary>true</ResponseVary></CORSConfiguration>");

        var s3 = XDocument.Parse(await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "cors")).Content.ReadAsStringAsync()).Root!;
        XNamespace ns = S3Namespace;
        s3.Elements(ns + "CORSRule").Should().HaveCount(2);
        s3.Element(ns + "ResponseVary").Should().BeNull("S3 has no ResponseVary");

        (await S3.SendAsync(HttpMethod.Delete, Bucket, query: "cors")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await Cos(HttpMethod.Get)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchCORSConfiguration");
    }

    [Theory]
    [InlineData("<CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>", "MalformedXML")]
    [InlineData("<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule>", "InvalidRequest")]
    [InlineData("<CORSRule><AllowedOrigin>https://*.*.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>", "InvalidRequest")]
    [InlineData("<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><ExposeHeader>x&#127;y</ExposeHeader></CORSRule>", "InvalidRequest")]
    public async Task Cors_RefusesWhatS3Refuses(string rules, string code)
    {
        await (await Cos(HttpMethod.Put, $"<CORSConfiguration>{rules}</CORSConfiguration>")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Preflight_IsAllowedByTheFirstMatchingRule_WithoutCredentials()
    {
        await ConfigureAsync();
        var allowed = await PreflightAsync("https://app.example.com", "PUT", "Content-Type, x-cos-meta-color");
        allowed.StatusCode.Should().Be(HttpStatusCode.OK);
        Header(allowed, "Access-Control-Allow-Origin").Should().Be("https://app.example.com");
        Header(allowed, "Access-Control-Allow-Credentials").Should().Be("true");
        Header(allowed, "Access-Control-Allow-Methods").Should().Be("GET, PUT");
        Header(allowed, "Access-Control-Allow-Headers").Should().Be("Content-Type, x-cos-meta-color");
        Header(allowed, "Access-Control-Expose-Headers").Should().Be("ETag");
        Header(allowed, "Access-Control-Max-Age").Should().Be("600");
        Header(allowed, "Vary").Should().Be("Origin, Access-Control-Request-Headers, Access-Control-Request-Method");

        var wildcard = await PreflightAsync("https://shop.example.org", "GET", null);
        Header(wildcard, "Access-Control-Allow-Origin").Should().Be("https://shop.example.org");
        var anyone = await PreflightAsync("https://elsewhere.test", "HEAD", null);
        anyone.StatusCode.Should().Be(HttpStatusCode.OK);
        Header(anyone, "Access-Control-Allow-Origin").Should().Be("*");
        Header(anyone, "Access-Control-Allow-Credentials").Should().BeNull();
    }

    [Theory]
    [InlineData("https://evil.test", "GET", null)]
    [InlineData("https://app.example.com", "DELETE", null)]
    [InlineData("https://app.example.com", "PUT", "Authorization")]
    public async Task Preflight_ThatNoRuleAllows_IsAccessForbidden(string origin, string method, string? headers)
    {
        await ConfigureAsync();
        var refused = await PreflightAsync(origin, method, headers);
        await refused.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessForbidden");
        Header(refused, "Access-Control-Allow-Origin").Should().BeNull();
    }

    [Fact]
    public async Task Requests_WhoseOriginOrAskedHeadersNoAnswerCouldEcho_MatchNoRule()
    {
        (await Cos(HttpMethod.Put, "<CORSConfiguration><CORSRule><AllowedOrigin>https://*.example.org</AllowedOrigin><AllowedMethod>GET</AllowedMethod>" +
            "<AllowedHeader>*</AllowedHeader></CORSRule></CORSConfiguration>")).EnsureSuccessStatusCode();
        var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri(Server.BaseAddress, "/k"));
        preflight.Headers.Host = TestServer.VirtualHost(Bucket);
        preflight.Headers.TryAddWithoutValidation("Origin", "https://a.example.org");
        preflight.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "GET");
        preflight.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", "x-a\u007fb");
        await (await _anonymous.SendAsync(preflight)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessForbidden");

        var get = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k", headers: [new("Origin", "https://a\u007f.example.org")]));
        get.StatusCode.Should().Be(HttpStatusCode.OK);
        Header(get, "Access-Control-Allow-Origin").Should().BeNull();
    }

    [Fact]
    public async Task Preflight_WithoutAConfiguration_IsAccessForbidden_AndWithoutAnOrigin_IsInvalidRequest()
    {
        await (await PreflightAsync("https://app.example.com", "GET", null)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessForbidden");
        await ConfigureAsync();
        await (await PreflightAsync(null, "GET", null)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest");
    }

    [Fact]
    public async Task ActualRequests_FromAnAllowedOrigin_CarryTheRulesHeaders_AndOthersDoNot()
    {
        await ConfigureAsync();
        var allowed = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k", headers: [new("Origin", "https://app.example.com")]));
        allowed.StatusCode.Should().Be(HttpStatusCode.OK);
        Header(allowed, "Access-Control-Allow-Origin").Should().Be("https://app.example.com");
        Header(allowed, "Access-Control-Expose-Headers").Should().Be("ETag");

        var s3 = await S3.SendAsync(HttpMethod.Head, Bucket, "k", headers: [new("Origin", "https://anywhere.test")]);
        Header(s3, "Access-Control-Allow-Origin").Should().Be("*");

        var otherOrigin = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k", headers: [new("Origin", "https://evil.test")]));
        otherOrigin.StatusCode.Should().Be(HttpStatusCode.OK, "CORS only tells the browser; the request itself is authorized as usual");
        Header(otherOrigin, "Access-Control-Allow-Origin").Should().BeNull();
        Header(await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k")), "Access-Control-Allow-Origin").Should().BeNull();
    }

    [Fact]
    public async Task ErrorAnswers_ToAnAllowedOrigin_CarryTheRulesHeaders_AsS3Does()
    {
        await ConfigureAsync();
        var missing = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "missing", headers: [new("Origin", "https://app.example.com")]));
        await missing.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey");
        Header(missing, "Access-Control-Allow-Origin").Should().Be("https://app.example.com");
        Header(missing, "Access-Control-Expose-Headers").Should().Be("ETag");

        var unsigned = new HttpRequestMessage(HttpMethod.Put, new Uri(Server.BaseAddress, "/k")) { Content = new ByteArrayContent([1]) };
        unsigned.Headers.Host = TestServer.VirtualHost(Bucket);
        unsigned.Headers.Add("Origin", "https://app.example.com");
        var denied = await _anonymous.SendAsync(unsigned);
        await denied.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        Header(denied, "Access-Control-Allow-Origin").Should().Be("https://app.example.com", "the page may read why it was refused");

        var other = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "missing", headers: [new("Origin", "https://evil.test")]));
        Header(other, "Access-Control-Allow-Origin").Should().BeNull();
    }

    private async Task ConfigureAsync() =>
        (await Cos(HttpMethod.Put, $"<CORSConfiguration>{Rules}</CORSConfiguration>")).EnsureSuccessStatusCode();

    private Task<HttpResponseMessage> Cos(HttpMethod method, string? body = null) =>
        Server.SendAsync(Server.Request(method, Bucket, query: "cors", content: body is null ? null : new ByteArrayContent(Encoding.UTF8.GetBytes(body))));

    private Task<HttpResponseMessage> PreflightAsync(string? origin, string method, string? headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, new Uri(Server.BaseAddress, "/k"));
        request.Headers.Host = TestServer.VirtualHost(Bucket);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        request.Headers.Add("Access-Control-Request-Method", method);
        if (headers is not null)
        {
            request.Headers.Add("Access-Control-Request-Headers", headers);
        }

        return _anonymous.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;
}
