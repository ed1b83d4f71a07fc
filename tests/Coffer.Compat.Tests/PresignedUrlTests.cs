using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Compat.Tests;

public sealed class PresignedUrlTests : S3TestBase
{
    // The server reads this clock, so a test can move past a URL's expiry without waiting.
    private readonly ManualTimeProvider _clock;
    private readonly HttpClient _http = new();

    public PresignedUrlTests()
        : this(new ManualTimeProvider(DateTimeOffset.UtcNow))
    {
    }

    private PresignedUrlTests(ManualTimeProvider clock)
        : base(clock) => _clock = clock;

    [Fact]
    public async Task GetPreSignedUrl_ForGet_ServesTheObjectToAPlainHttpClient()
    {
        var body = RandomBytes(2048, seed: 21);
        await PutAsync("shared.bin", body);
        var url = await PresignAsync("shared.bin", HttpVerb.GET, TimeSpan.FromMinutes(5));

        using var response = await _http.GetAsync(url);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(body);
        response.Headers.ETag!.Tag.Should().Be(ETagOf(body));
    }

    [Fact]
    public async Task GetPreSignedUrl_ForPut_AcceptsAnUploadFromAPlainHttpClient()
    {
        var body = RandomBytes(1000, seed: 22);
        var url = await PresignAsync("uploaded.bin", HttpVerb.PUT, TimeSpan.FromMinutes(5));

        using var response = await _http.PutAsync(url, new ByteArrayContent(body));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ReadAsync("uploaded.bin")).Should().Equal(body);
    }

    [Fact]
    public async Task PresignedUrl_Returns403AccessDenied_AfterItExpires()
    {
        await PutAsync("shared.bin", [1, 2, 3]);
        var url = await PresignAsync("shared.bin", HttpVerb.GET, TimeSpan.FromMinutes(1));

        _clock.Advance(TimeSpan.FromMinutes(2));
        using var response = await _http.GetAsync(url);

        var error = await response.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        error.Element("Message")!.Value.Should().Be("Request has expired");
    }

    [Fact]
    public async Task PresignedUrl_Returns403SignatureDoesNotMatch_WhenTheKeyIsChanged()
    {
        await PutAsync("shared.bin", [1, 2, 3]);
        await PutAsync("private.bin", [4, 5, 6]);
        var url = await PresignAsync("shared.bin", HttpVerb.GET, TimeSpan.FromMinutes(5));

        using var response = await _http.GetAsync(url.Replace("/shared.bin?", "/private.bin?", StringComparison.Ordinal));

        await response.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", Dialect.S3);
    }

    public override async Task DisposeAsync()
    {
        _http.Dispose();
        await base.DisposeAsync();
    }

    private Task<string> PresignAsync(string key, HttpVerb verb, TimeSpan lifetime) =>
        S3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = Bucket,
            Key = key,
            Verb = verb,
            Protocol = Amazon.S3.Protocol.HTTP,
            Expires = DateTime.UtcNow + lifetime,
        });
}
