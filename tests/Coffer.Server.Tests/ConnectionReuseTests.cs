using System.Net;
using System.Net.Sockets;
using System.Text;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// An early answer to a request with a body, on a raw socket, the way botocore and awscli send PutObject and UploadPart:
/// with <c>Expect: 100-continue</c>, the body sent only after <c>100 Continue</c> and skipped when a final status comes
/// first. Whatever the error, the next request on the same socket must get its own answer, or the socket must close.
/// </summary>
public sealed class ConnectionReuseTests() : ServerTestBase("reuse")
{
    public static TheoryData<string, string, string> EarlyErrors => new()
    {
        // A signature that does not match: refused by authentication, before any handler.
        { "bad-signature", "403", "SignatureDoesNotMatch" },
        // A bucket that does not exist: refused by authorization.
        { "no-bucket", "404", "NoSuchBucket" },
        // If-None-Match on an existing object: refused by the handler before it reads the body.
        { "precondition", "412", "PreconditionFailed" },
        // A storage class that does not exist: refused while reading the headers.
        { "storage-class", "400", "InvalidArgument" },
    };

    protected override async Task SeedAsync()
    {
        await Server.PutObjectAsync(Bucket, "exists", [1]);
    }

    [Theory]
    [MemberData(nameof(EarlyErrors))]
    public async Task EarlyError_WithExpectContinue_IsAnsweredBeforeAny100Continue_AndClosesTheConnection(string error, string status, string code)
    {
        using var connection = await RawConnection.OpenAsync(Server.BaseAddress);
        await connection.SendHeadAsync(PutHead(error, "abc"u8.ToArray(), expectContinue: true));
        var first = await connection.ReadResponseAsync();
        first.Status.Should().Be(status, "a refused request gets its final status instead of 100 Continue (RFC 9110 §10.1.1)");
        first.Body.Should().Contain($"<Code>{code}</Code>");
        first.Headers["connection"].Should().Be("close", "the client may or may not send the body it held back");
        (await connection.IsClosedAsync()).Should().BeTrue("the server does not read the next request as the skipped body");
    }

    [Fact]
    public async Task Put_WithExpectContinue_Gets100Continue_AndKeepsTheConnection_WhenAllowed()
    {
        using var connection = await RawConnection.OpenAsync(Server.BaseAddress);
        await connection.SendHeadAsync(PutHead("none", "abc"u8.ToArray(), expectContinue: true));
        (await connection.ReadResponseAsync()).Status.Should().Be("100");
        await connection.SendBodyAsync("abc"u8.ToArray());
        (await connection.ReadResponseAsync()).Status.Should().Be("200");
        await connection.SendHeadAsync(SignedHead(HttpMethod.Get, "new-object"));
        (await connection.ReadResponseAsync()).Status.Should().Be("200");
    }

    [Fact]
    public async Task EarlyError_WithExpectContinue_ClosesTheConnection_WhenTheBodyIsTooBigToDrain()
    {
        using var connection = await RawConnection.OpenAsync(Server.BaseAddress);
        var length = 10 * 1024 * 1024;
        await connection.SendHeadAsync(PutHead("bad-signature", new byte[length], expectContinue: true));
        var response = await connection.ReadResponseAsync();
        response.Status.Should().Be("403", "a body that large is not asked for: no 100 Continue");
        response.Headers["connection"].Should().Be("close");
        (await connection.IsClosedAsync()).Should().BeTrue("the server closes the socket instead of reading the next request as the body");
    }

    [Theory]
    [MemberData(nameof(EarlyErrors))]
    public async Task EarlyError_WithTheBodySent_LeavesTheConnectionServingTheNextRequest(string error, string status, string code)
    {
        using var connection = await RawConnection.OpenAsync(Server.BaseAddress);
        var body = new byte[20_000];
        await connection.SendHeadAsync(PutHead(error, body, expectContinue: false));
        await connection.SendBodyAsync(body);
        var first = await connection.ReadResponseAsync();
        first.Status.Should().Be(status);
        first.Body.Should().Contain($"<Code>{code}</Code>");
        await connection.SendHeadAsync(SignedHead(HttpMethod.Get, "exists"));
        (await connection.ReadResponseAsync()).Status.Should().Be("200");
    }

    [Theory]
    [InlineData(16 * 1024)]
    [InlineData(1024 * 1024)]
    public async Task SlowBody_InFlight_LeavesSmallGetsOnOtherConnectionsPrompt(int length)
    {
        // A PUT whose client stops half-way through its body (inline-sized, and staged to a blob file) holds its own
        // request open; nothing it waits on may hold up requests on other connections (socket completions, the thread pool).
        using var slow = await RawConnection.OpenAsync(Server.BaseAddress);
        var body = new byte[length];
        Random.Shared.NextBytes(body);
        await slow.SendHeadAsync(PutHead("slow", body, expectContinue: false));
        await slow.SendBodyAsync(body[..(length / 2)]);

        // The rest of the body is sent only after the GETs answer: a server that held them up behind the slow body would
        // never answer them, and the wait below (generous, for a loaded machine) ends the test instead of hanging it.
        var gets = await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            using var response = await Server.Client.SendRawAsync(Server.Request(HttpMethod.Get, Bucket, "exists"));
            return response.StatusCode;
        })).WaitAsync(TimeSpan.FromSeconds(60));

        gets.Should().AllBeEquivalentTo(HttpStatusCode.OK, "the slow body stalls only its own request");
        await slow.SendBodyAsync(body[(length / 2)..]);
        (await slow.ReadResponseAsync()).Status.Should().Be("200", "the slow PUT completes once its body arrives");
        using var stored = await Server.Client.SendRawAsync(Server.Request(HttpMethod.Get, Bucket, "new-object"));
        (await stored.Content.ReadAsByteArrayAsync()).Should().Equal(body);
    }

    [Theory]
    [InlineData("object")]
    [InlineData("part")]
    public async Task Put_WithNoLengthOnTheWire_IsMissingContentLength_StoresNothing_AndServesTheNextRequest(string what)
    {
        var query = what == "part" ? $"partNumber=1&uploadId={await InitiateAsync("unframed")}" : "";
        using var connection = await RawConnection.OpenAsync(Server.BaseAddress);
        // Neither Content-Length nor Transfer-Encoding: HTTP/1.1 reads that as a request without a body.
        await connection.SendHeadAsync(Head(Server.Request(HttpMethod.Put, Bucket, "unframed", query), null, expectContinue: false));

        var refused = await connection.ReadResponseAsync();
        refused.Status.Should().Be("411");
        refused.Body.Should().Contain("<Code>MissingContentLength</Code>").And.Contain("<Message>You must provide the Content-Length HTTP header.</Message>");
        await connection.SendHeadAsync(SignedHead(HttpMethod.Get, "exists"));
        (await connection.ReadResponseAsync()).Status.Should().Be("200", "the connection goes on serving");

        using var stored = await Server.Client.SendRawAsync(Server.Request(HttpMethod.Get, Bucket, "unframed"));
        stored.StatusCode.Should().Be(HttpStatusCode.NotFound);
        if (what == "part")
        {
            using var parts = await Server.Client.SendRawAsync(Server.Request(HttpMethod.Get, Bucket, "unframed", query["partNumber=1&".Length..]));
            parts.StatusCode.Should().Be(HttpStatusCode.OK);
            (await parts.Content.ReadAsStringAsync()).Should().Contain("<ListPartsResult").And.NotContain("<Part>", "no empty part was stored");
        }
    }

    [Fact]
    public async Task Put_InChunks_WithoutContentLength_StoresTheBody()
    {
        using var connection = await RawConnection.OpenAsync(Server.BaseAddress);
        var head = Head(Server.Request(HttpMethod.Put, Bucket, "chunked"), null, expectContinue: false);
        await connection.SendHeadAsync(head[..^2] + "Transfer-Encoding: chunked\r\n\r\n");
        await connection.SendBodyAsync("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"u8.ToArray());
        (await connection.ReadResponseAsync()).Status.Should().Be("200");

        using var stored = await Server.Client.SendRawAsync(Server.Request(HttpMethod.Get, Bucket, "chunked"));
        (await stored.Content.ReadAsStringAsync()).Should().Be("abcde");
    }

    private async Task<string> InitiateAsync(string key)
    {
        using var initiate = await Server.Client.SendRawAsync(Server.Request(HttpMethod.Post, Bucket, key, "uploads"));
        initiate.EnsureSuccessStatusCode();
        return System.Xml.Linq.XDocument.Parse(await initiate.Content.ReadAsStringAsync()).Root!.Element("UploadId")!.Value;
    }

    private string PutHead(string error, byte[] body, bool expectContinue)
    {
        var bucket = error == "no-bucket" ? TestServer.BucketName("missing") : Bucket;
        var key = error == "precondition" ? "exists" : "new-object";
        var headers = new List<KeyValuePair<string, string>>();
        if (error == "precondition")
        {
            headers.Add(new("If-None-Match", "*"));
        }

        if (error == "storage-class")
        {
            headers.Add(new("x-cos-storage-class", "NO_SUCH_CLASS"));
        }

        var request = Server.Request(HttpMethod.Put, bucket, key, headers: headers, content: new ByteArrayContent(body));
        var head = Head(request, body.Length, expectContinue);
        return error == "bad-signature" ? head.Replace("q-signature=", "q-signature=0", StringComparison.Ordinal) : head;
    }

    private string SignedHead(HttpMethod method, string key) => Head(Server.Request(method, Bucket, key), null, expectContinue: false);

    /// <summary>The request line and headers of a signed request, as they go on the wire.</summary>
    private static string Head(HttpRequestMessage request, int? contentLength, bool expectContinue)
    {
        var head = new StringBuilder($"{request.Method} {request.RequestUri!.PathAndQuery} HTTP/1.1\r\nHost: {request.Headers.Host}\r\n");
        foreach (var (name, values) in request.Headers.Where(h => h.Key != "Host"))
        {
            head.Append($"{name}: {string.Join(",", values)}\r\n");
        }

        foreach (var (name, values) in request.Content?.Headers.Where(h => h.Key != "Content-Length") ?? [])
        {
            head.Append($"{name}: {string.Join(",", values)}\r\n");
        }

        if (contentLength is { } length)
        {
            head.Append($"Content-Length: {length}\r\n");
        }

        if (expectContinue)
        {
            head.Append("Expect: 100-continue\r\n");
        }

        return head.Append("\r\n").ToString();
    }

    private sealed record RawResponse(string Status, Dictionary<string, string> Headers, string Body);

    /// <summary>One HTTP/1.1 connection, read and written by hand.</summary>
    private sealed class RawConnection : IDisposable
    {
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private readonly MemoryStream _pending = new();

        private RawConnection(TcpClient client)
        {
            _client = client;
            _stream = client.GetStream();
            _stream.ReadTimeout = 10_000;
        }

        public static async Task<RawConnection> OpenAsync(Uri address)
        {
            var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, address.Port);
            return new RawConnection(client);
        }

        public Task SendHeadAsync(string head) => _stream.WriteAsync(Encoding.ASCII.GetBytes(head)).AsTask();

        public Task SendBodyAsync(byte[] body) => _stream.WriteAsync(body).AsTask();

        public async Task<RawResponse> ReadResponseAsync()
        {
            var head = Encoding.ASCII.GetString(await ReadUntilAsync("\r\n\r\n"u8.ToArray()));
            var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
            var length = headers.TryGetValue("content-length", out var text) ? int.Parse(text) : 0;
            var body = Encoding.UTF8.GetString(await ReadExactlyAsync(length));
            return new RawResponse(lines[0].Split(' ')[1], headers, body);
        }

        /// <summary>
        /// True when the server closes the socket without sending anything more: a clean close, or (after Kestrel's
        /// five-second wait for a body that never comes) a reset.
        /// </summary>
        public async Task<bool> IsClosedAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                return _pending.Length == 0 && await _stream.ReadAsync(new byte[1], timeout.Token) == 0;
            }
            catch (IOException error) when (error.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
            {
                return true;
            }
        }

        public void Dispose()
        {
            _stream.Dispose();
            _client.Dispose();
        }

        private async Task<byte[]> ReadUntilAsync(byte[] terminator)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var buffer = new byte[1];
            while (_pending.GetBuffer().AsSpan(0, (int)_pending.Length).IndexOf(terminator) < 0)
            {
                if (await _stream.ReadAsync(buffer, timeout.Token) == 0)
                {
                    throw new IOException("The server closed the connection.");
                }

                _pending.Write(buffer);
            }

            var all = _pending.ToArray();
            var end = all.AsSpan().IndexOf(terminator) + terminator.Length;
            _pending.SetLength(0);
            _pending.Write(all, end, all.Length - end);
            return all[..end];
        }

        private async Task<byte[]> ReadExactlyAsync(int length)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (_pending.Length < length)
            {
                var buffer = new byte[length - _pending.Length];
                var read = await _stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    throw new IOException("The server closed the connection.");
                }

                _pending.Write(buffer, 0, read);
            }

            var all = _pending.ToArray();
            _pending.SetLength(0);
            _pending.Write(all, length, all.Length - length);
            return all[..length];
        }
    }
}
