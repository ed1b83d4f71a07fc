using System.Globalization;
using System.Net;
using System.Xml;
using System.Xml.Linq;
using Coffer.Common;
using Coffer.Server.Tests.Fuzz;
using Coffer.Testing;
using Xunit.Abstractions;

namespace Coffer.Server.Tests;

/// <summary>
/// The randomized bad-input test: a seeded generator takes a valid request of every operation, in either dialect, and
/// spoils its headers, query, body, key or signature a few thousand times against a real server on loopback. No answer
/// may be a 5xx (but the deliberate 501 NotImplemented), none may hang, the server keeps serving throughout, and at the
/// end every object written is readable (HEAD, GET) and listable (v1, v2, versions, uploads). The seed is printed and
/// named in every failure: <c>COFFER_FUZZ_SEED=&lt;seed&gt;</c> replays a run, <c>COFFER_FUZZ_ITERATIONS</c> sets its length.
/// </summary>
public sealed class RandomizedBadInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int DefaultIterations = 5000;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

    private readonly string _main = TestServer.BucketName("fuzz");
    private readonly string _versioned = TestServer.BucketName("fuzzv");
    private readonly string _scratch = TestServer.BucketName("fuzzscratch");
    private readonly Dictionary<(string Bucket, string Key), bool> _written = [];
    private readonly Dictionary<(string Bucket, string Key), List<string>> _history = [];
    private TestServer _server = null!;
    private FuzzSender _sender = null!;
    private FuzzState _state = null!;
    private int _seed;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _sender = new FuzzSender(_server.BaseAddress, RequestTimeout);
        _state = new FuzzState(_main, _versioned, _scratch);
        await _server.CreateBucketAsync(_main);
        await _server.CreateBucketAsync(_versioned);
        (await _server.SendAsync(_server.Request(HttpMethod.Put, _versioned, query: "versioning",
            content: new StringContent("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")))).EnsureSuccessStatusCode();
        await _server.PutObjectAsync(_main, _state.StableKey, "copy me"u8.ToArray());
        foreach (var key in new[] { "a1", "dir/a2", "b/c/a3" })
        {
            foreach (var bucket in new[] { _main, _versioned })
            {
                await _server.PutObjectAsync(bucket, key, [1, 2, 3]);
                _written[(bucket, key)] = true;
            }

            _state.Keys.Add(key);
        }
    }

    public async Task DisposeAsync()
    {
        _sender.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Server_AnswersMutatedRequestsOfEveryOperation_WithoutFailing_AndKeepsEveryObjectReadable()
    {
        _seed = int.TryParse(Environment.GetEnvironmentVariable("COFFER_FUZZ_SEED"), CultureInfo.InvariantCulture, out var given) ? given : Random.Shared.Next();
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("COFFER_FUZZ_ITERATIONS"), CultureInfo.InvariantCulture, out var count)
            ? count
            : DefaultIterations;
        output.WriteLine($"randomized bad-input test: seed {_seed}, {iterations} requests (replay with COFFER_FUZZ_SEED={_seed})");
        var random = new Random(_seed);
        var templates = new RequestTemplates(random, _state);
        var mutator = new Mutator(random);
        var statuses = new SortedDictionary<int, int>();

        for (var i = 0; i < iterations; i++)
        {
            if (i % 250 == 0)
            {
                await CheckServingAsync(i);
                await OpenUploadAsync();
            }

            var request = templates.Next();
            mutator.Mutate(request);
            var status = await SendAndCheckAsync(request, i);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
        }

        output.WriteLine("statuses: " + string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")));
        statuses.Keys.Should().Contain(200, Because("some mutated requests are still valid"));
        statuses.Keys.Should().Contain(400, Because("most are not"));
        await CheckEverythingReadableAsync();
    }

    private string Because(string why) => $"{why} (seed {_seed}; replay with COFFER_FUZZ_SEED={_seed})";

    private async Task<int> SendAndCheckAsync(FuzzRequest request, int iteration)
    {
        HttpResponseMessage response;
        try
        {
            response = await _sender.SendAsync(request);
        }
        catch (TaskCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"No answer within {RequestTimeout.TotalSeconds} s to request {iteration}: {request} ({Because("a hang")})");
        }
        catch (Exception error) when (error is InvalidOperationException or FormatException or ArgumentException)
        {
            // HttpClient refused to send it at all (a header it cannot write): nothing reached the server.
            request.Mutations.Add("unsendable: " + error.Message);
            return 0;
        }
        catch (HttpRequestException error)
        {
            throw new Xunit.Sdk.XunitException($"The connection failed on request {iteration}: {request}: {error.Message} ({Because("a cut connection")})");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            if (status >= 500 && status != 501)
            {
                throw new Xunit.Sdk.XunitException($"Request {iteration} got {status}: {request}\n{body}\n({Because("no 5xx")})");
            }

            if (status >= 400 && body.Length > 0)
            {
                var code = ErrorCode(body) ?? throw new Xunit.Sdk.XunitException(
                    $"Request {iteration} got {status} without an <Error> document: {request}\n{body}\n({Because("errors speak XML")})");
                if (status == 501 && code != "NotImplemented")
                {
                    throw new Xunit.Sdk.XunitException($"Request {iteration} got 501 {code}: {request} ({Because("501 only for NotImplemented")})");
                }
            }

            Track(request, status, body, response.Headers.ETag is not null);
            return status;
        }
    }

    /// <summary>What the request did to the objects the final check reads: wrote one, or may have deleted some.</summary>
    private void Track(FuzzRequest request, int status, string body, bool hasETag)
    {
        if (request.Bucket is not { } bucket || (bucket != _main && bucket != _versioned))
        {
            return;
        }

        if (request.Key is { } touched)
        {
            _history.TryAdd((bucket, touched), []);
            _history[(bucket, touched)].Add($"{status} {request}");
        }

        var names = request.Query.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var onObject = request.Key is { Length: > 0 };
        var root = status == 200 && body.Length > 0 ? TryParse(body)?.Name.LocalName : null;
        var putObject = request.Method == "PUT" && hasETag && body.Length == 0 && !names.Overlaps(["tagging", "acl", "uploadId", "partNumber"]);
        if (status == 200 && onObject && (putObject || root is "CopyObjectResult" or "CompleteMultipartUploadResult"))
        {
            _written[(bucket, request.Key!)] = true;
        }
        else if (request.Method == "DELETE" && onObject && !names.Contains("uploadId") && !names.Contains("tagging"))
        {
            _written[(bucket, request.Key!)] = false;
        }
        else if (request.Method == "POST" && names.Contains("delete") && status == 200)
        {
            var deleted = TryParse(body)?.Descendants().Where(e => e.Name.LocalName == "Deleted").Select(d => d.Elements().First().Value).ToHashSet();
            foreach (var written in _written.Keys.Where(k => k.Bucket == bucket && (deleted is null || deleted.Contains(k.Key))).ToArray())
            {
                _written[written] = false;
            }
        }
        else if (request.Method == "DELETE" && !onObject && names.Count == 0 && status == 204)
        {
            foreach (var written in _written.Keys.Where(k => k.Bucket == bucket).ToArray())
            {
                _written[written] = false;
            }
        }
    }

    private async Task CheckServingAsync(int iteration)
    {
        var response = await _server.SendAsync(_server.Request(HttpMethod.Get, _main, query: "encoding-type=url&max-keys=1"));
        response.StatusCode.Should().Be(HttpStatusCode.OK, Because($"the server keeps serving (before request {iteration})"));
    }

    /// <summary>Opens an upload with one part, for the multipart templates to complete, abort and list.</summary>
    private async Task OpenUploadAsync()
    {
        var key = "mp/" + _state.Uploads.Count;
        var initiate = await _server.SendAsync(_server.Request(HttpMethod.Post, _main, key, "uploads"));
        var uploadId = XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!.Element("UploadId")!.Value;
        var part = await _server.SendAsync(_server.Request(HttpMethod.Put, _main, key, $"partNumber=1&uploadId={uploadId}", new ByteArrayContent([9, 9])));
        _state.Uploads.Add(new FuzzUpload(_main, key, uploadId, part.Headers.ETag!.Tag.Trim('"')));
    }

    /// <summary>
    /// Every listing answers (plain ones may refuse a key XML cannot carry, as documented), every object listed reads
    /// back whole, and every object a request wrote and none deleted is listed and reads back.
    /// </summary>
    private async Task CheckEverythingReadableAsync()
    {
        foreach (var bucket in new[] { _main, _versioned })
        {
            // A policy a mutated request left could deny reads; the owner's root can always remove it.
            (await _server.SendAsync(_server.Request(HttpMethod.Delete, bucket, query: "policy"))).StatusCode.Should().Be(HttpStatusCode.NoContent);

            foreach (var listing in new[] { "", "list-type=2", "versions", "uploads" })
            {
                var plain = await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, query: listing));
                ((int)plain.StatusCode).Should().BeOneOf([200, 400], Because($"listing '{listing}' of {bucket} answers"));
                if (plain.StatusCode == HttpStatusCode.BadRequest)
                {
                    ErrorCode(await plain.Content.ReadAsStringAsync()).Should().Be("InvalidArgument", Because("only a key XML cannot carry refuses a plain listing"));
                }
            }

            var listed = await ListAllAsync(bucket);
            foreach (var key in listed)
            {
                await CheckReadableAsync(bucket, key);
            }

            foreach (var key in _written.Where(w => w.Value && w.Key.Bucket == bucket).Select(w => w.Key.Key))
            {
                listed.Should().Contain(key, Because($"{bucket}/{key} was written and never deleted; its requests:\n" +
                    string.Join("\n", _history.GetValueOrDefault((bucket, key)) ?? [])));
            }

            var versions = XDocument.Parse(await (await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, query: "versions&encoding-type=url")))
                .Content.ReadAsStringAsync()).Root!;
            foreach (var version in versions.Elements("Version"))
            {
                var key = UrlEncoding.Decode(version.Element("Key")!.Value, plusIsSpace: false);
                var head = await _server.SendAsync(_server.Request(HttpMethod.Head, bucket, key, $"versionId={Uri.EscapeDataString(version.Element("VersionId")!.Value)}"));
                head.StatusCode.Should().Be(HttpStatusCode.OK, Because($"version {version.Element("VersionId")!.Value} of {bucket}/{key} reads back"));
            }
        }
    }

    private async Task<List<string>> ListAllAsync(string bucket)
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var query = "list-type=2&encoding-type=url" + (token is null ? "" : "&continuation-token=" + Uri.EscapeDataString(token));
            var response = await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, query: query));
            response.StatusCode.Should().Be(HttpStatusCode.OK, Because($"{bucket} lists with encoding-type=url"));
            var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
            keys.AddRange(root.Elements("Contents").Select(c => UrlEncoding.Decode(c.Element("Key")!.Value, plusIsSpace: false)));
            token = root.Element("NextContinuationToken")?.Value;
        }
        while (token is not null);

        return keys;
    }

    private async Task CheckReadableAsync(string bucket, string key)
    {
        var head = await _server.SendAsync(_server.Request(HttpMethod.Head, bucket, key));
        head.StatusCode.Should().Be(HttpStatusCode.OK, Because($"HEAD {bucket}/{key}"));
        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, bucket, key));
        get.StatusCode.Should().Be(HttpStatusCode.OK, Because($"GET {bucket}/{key}"));
        (await get.Content.ReadAsByteArrayAsync()).Length.Should().Be((int)head.Content.Headers.ContentLength!, Because($"{bucket}/{key} reads whole"));
    }

    private static string? ErrorCode(string body) => TryParse(body) is { Name.LocalName: "Error" } error ? error.Element("Code")?.Value : null;

    private static XElement? TryParse(string body)
    {
        try
        {
            return XDocument.Parse(body).Root;
        }
        catch (XmlException)
        {
            return null;
        }
    }
}
