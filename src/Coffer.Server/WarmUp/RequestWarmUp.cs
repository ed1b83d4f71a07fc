using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using Coffer.Common;
using Coffer.Composition;
using Coffer.Model.Accounts;
using Coffer.Protocol.Auth;
using Coffer.Protocol.Http;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.WarmUp;

/// <summary>
/// Serves requests to a throw-away server right after a node starts, so that its first clients find the request path
/// compiled and optimised: without it the first twenty thousand small PUTs of a fresh node cost half as much again to
/// twice the server CPU of later ones (docs/performance.md). The throw-away server is this build's own (Kestrel,
/// router, signatures, handlers, the commit queue) on the embedded engine in a temporary folder, listening on a free
/// loopback port; it gets what clients send, over HTTP/1.1 keep-alive connections: anonymous, SigV4-signed (also
/// aws-chunked with a CRC-32 trailer, the AWS SDKs' default) and COS-signed PUTs, GETs and HEADs of small (inline)
/// objects, listings, DELETEs, and PUTs and GETs of file-backed ones; in rounds, until tiering has settled
/// (<see cref="WarmUpSupport.RepeatUntilSettledAsync(int, Func{int, Task}, CancellationToken)"/>). Nothing touches the node's own data, and the folder is
/// deleted at the end.
/// </summary>
public static class RequestWarmUp
{
    /// <summary>Requests in flight, as a busy client keeps them.</summary>
    private const int Connections = 16;

    /// <summary>How many times each connection runs its sequence of requests in a round (4,176 requests a round).</summary>
    private const int SequencesPerRound = 30;

    /// <summary>The most rounds a warm-up runs, settled or not.</summary>
    public const int MaxRounds = 8;

    private const string Bucket = "warm-up-1250000000";

    private static readonly byte[] Small = RandomNumberGenerator.GetBytes(1024);

    /// <summary>Above the largest size kept inline in the metadata, so it lives in a blob file.</summary>
    private static readonly byte[] Large = RandomNumberGenerator.GetBytes(256 * 1024);

    /// <summary>
    /// Runs the warm-up against a throw-away server answering in <paramref name="region"/> for
    /// <paramref name="domainSuffixes"/> (as the node does), at most <paramref name="maxRounds"/> rounds, and returns
    /// what it did; the temporary folder is gone when it returns, whatever happened.
    /// </summary>
    public static async Task<RequestWarmUpResult> RunAsync(string region, IReadOnlyList<string> domainSuffixes, int maxRounds = MaxRounds,
        CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var directory = WarmUpSupport.NewFolder();
        try
        {
            // A key of its own each time: the bucket is on a loopback port anyone on the machine can reach meanwhile.
            var owner = new Account("1250000000", "100000000001", "AKIDwarmup" + RandomNumberGenerator.GetHexString(16), RandomNumberGenerator.GetHexString(40),
                "warm-up");
            await using var server = CofferServer.Create(new CofferServerOptions
            {
                DataDirectory = directory,
                Listen = "127.0.0.1:0",
                Region = region,
                DomainSuffixes = domainSuffixes,
                Accounts = [owner],
                LogLevel = LogLevel.None,
                MeterNamePrefix = "coffer.warm-up.",
                Inventory = new InventoryServiceOptions { RunWorker = false },
                Batch = new BatchServiceOptions { RunWorker = false },
                Lifecycle = new LifecycleServiceOptions { RunWorker = false },
            });
            await server.StartAsync(cancellationToken);
            using var client = new Client(server.BaseAddress, region, owner);
            await client.SendAsync(HttpMethod.Put, "", Signing.Cos, null, HttpStatusCode.OK, cancellationToken, ("x-cos-acl", "public-read-write"));

            var requests = 0L;
            var rounds = await WarmUpSupport.RepeatUntilSettledAsync(maxRounds, async round =>
            {
                // The first refused request stops the round's other connections too.
                using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var sent = Task.WhenAll(Enumerable.Range(0, Connections).Select(connection => Task.Run(async () =>
                {
                    try
                    {
                        return await RunSequencesAsync(client, connection, round, failed.Token);
                    }
                    catch (Exception error) when (!failed.IsCancellationRequested)
                    {
                        await failed.CancelAsync();
                        if (error is OperationCanceledException)
                        {
                            // HttpClient's time limit ends a request as cancelled: said as what it is.
                            throw new TimeoutException("A request of the warm-up was not answered in time.", error);
                        }

                        throw;
                    }
                }, failed.Token)));
                try
                {
                    requests += (await sent).Sum();
                }
                catch when (sent.Exception?.InnerExceptions.FirstOrDefault(error => error is not OperationCanceledException) is { } cause)
                {
                    // The refusal itself, not the cancellations it caused in the other connections.
                    ExceptionDispatchInfo.Throw(cause);
                }
            }, cancellationToken);

            return new RequestWarmUpResult(Stopwatch.GetElapsedTime(started), rounds, requests);
        }
        finally
        {
            WarmUpSupport.DeleteFolder(directory);
        }
    }

    /// <summary>One connection's share of a round: its own keys, each written, read and listed as clients do; returns the requests sent.</summary>
    private static async Task<int> RunSequencesAsync(Client client, int connection, int round, CancellationToken cancellationToken)
    {
        var sent = 0;
        for (var sequence = 0; sequence < SequencesPerRound; sequence++)
        {
            var key = $"{connection:D2}/object-{sequence:D3}.bin";
            var ok = HttpStatusCode.OK;
            // The lean client: unsigned PUTs and GETs to a public-read-write bucket.
            await client.SendAsync(HttpMethod.Put, key, Signing.None, Small, ok, cancellationToken);
            await client.SendAsync(HttpMethod.Get, key, Signing.None, null, ok, cancellationToken);
            // The AWS SDKs (the payload's SHA-256 signed) and the COS SDKs.
            await client.SendAsync(HttpMethod.Put, key, Signing.SigV4, Small, ok, cancellationToken);
            await client.SendAsync(HttpMethod.Put, key, Signing.Cos, Small, ok, cancellationToken);
            await client.SendAsync(HttpMethod.Get, key, Signing.SigV4, null, ok, cancellationToken);
            await client.SendAsync(HttpMethod.Get, key, Signing.Cos, null, ok, cancellationToken);
            await client.SendAsync(HttpMethod.Head, key, Signing.SigV4, null, ok, cancellationToken);
            await client.SendAsync(HttpMethod.Head, key, Signing.Cos, null, ok, cancellationToken);
            sent += 8;
            if (sequence % 10 == round % 10)
            {
                var large = $"{connection:D2}/large-{sequence:D3}.bin";
                await client.SendAsync(HttpMethod.Put, large, Signing.SigV4, Large, ok, cancellationToken);
                // The AWS SDKs' default since 2025 (aws-chunked, its CRC-32 in a trailer), in these few sequences only: the
                // JIT optimises the code all PUTs share for what it saw while it was instrumented. With one PUT in four of
                // the warm-up chunked, plain PUTs afterwards ran at 0.70-0.83 of fauxqs's rate instead of 0.85-1.04
                // (the reference program, docs/performance-history.md).
                await client.SendAsync(HttpMethod.Put, key, Signing.SigV4Trailer, Small, ok, cancellationToken);
                await client.SendAsync(HttpMethod.Get, large, Signing.Cos, null, ok, cancellationToken);
                await client.SendAsync(HttpMethod.Get, $"?list-type=2&prefix={connection:D2}%2F&max-keys=100", Signing.SigV4, null, ok, cancellationToken);
                await client.SendAsync(HttpMethod.Get, $"?prefix={connection:D2}%2F&max-keys=100", Signing.Cos, null, ok, cancellationToken);
                await client.SendAsync(HttpMethod.Delete, large, Signing.SigV4, null, HttpStatusCode.NoContent, cancellationToken);
                await client.SendAsync(HttpMethod.Delete, key, Signing.Cos, null, HttpStatusCode.NoContent, cancellationToken);
                sent += 7;
            }
        }

        return sent;
    }

    private enum Signing
    {
        None,
        SigV4,

        /// <summary>SigV4 with an unsigned aws-chunked body and its CRC-32 in a trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER).</summary>
        SigV4Trailer,
        Cos,
    }

    /// <summary>Path-style requests to the warm-up bucket over a few keep-alive connections, signed as each kind of client signs them.</summary>
    private sealed class Client(Uri baseAddress, string region, Account owner) : IDisposable
    {
        /// <summary>The checksum a chunked PUT sends in its trailer, as the AWS SDKs do by default.</summary>
        private const string TrailerHeader = "x-amz-checksum-crc32";

        private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = Connections, UseProxy = false, UseCookies = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };

        private readonly string _host = baseAddress.Authority;

        /// <summary>
        /// Sends a request for <paramref name="target"/> (a key, or <c>?query</c> for the bucket) and throws unless it is
        /// answered <paramref name="expected"/>: a warm-up that is refused compiles the wrong path.
        /// </summary>
        public async Task SendAsync(HttpMethod method, string target, Signing signing, byte[]? body, HttpStatusCode expected,
            CancellationToken cancellationToken, params (string Name, string Value)[] headers)
        {
            var (key, query) = target.StartsWith('?') ? ("", target[1..]) : (target, "");
            var path = $"/{Bucket}/{key}";
            using var request = new HttpRequestMessage(method, new Uri(baseAddress, UrlEncoding.EncodePath(path) + (query.Length > 0 ? "?" + query : "")));
            if (body is not null)
            {
                request.Content = new ByteArrayContent(signing == Signing.SigV4Trailer ? AwsChunked(body) : body);
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            }

            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            if (signing == Signing.Cos)
            {
                var parameters = Protocol.Http.RequestTarget.Parse("/?" + query).Query;
                request.Headers.TryAddWithoutValidation("Authorization", CosRequestSigner.Authorization(owner.SecretId, owner.SecretKey, method.Method, path,
                    [.. parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value))], [new("host", _host)],
                    DateTimeOffset.UtcNow.AddSeconds(-5), TimeSpan.FromMinutes(15)));
            }
            else if (signing is Signing.SigV4 or Signing.SigV4Trailer)
            {
                var trailer = signing == Signing.SigV4Trailer && body is not null;
                if (trailer)
                {
                    // As the AWS SDKs send it; the signer signs these headers with the rest.
                    request.Content!.Headers.ContentEncoding.Add("aws-chunked");
                    request.Headers.TryAddWithoutValidation("x-amz-decoded-content-length", body!.Length.ToString(CultureInfo.InvariantCulture));
                    request.Headers.TryAddWithoutValidation("x-amz-sdk-checksum-algorithm", "CRC32");
                    request.Headers.TryAddWithoutValidation("x-amz-trailer", TrailerHeader);
                }

                var payloadHash = trailer ? SigV4.StreamingUnsignedTrailer : body is null ? SigV4.EmptySha256 : SigV4.Sha256Hex(body);
                SigV4RequestSigner.Sign(request, owner.SecretId, owner.SecretKey, DateTimeOffset.UtcNow, payloadHash, region);
            }

            // The body read as it arrives, not buffered, as a client streaming it to a file reads it.
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await response.Content.CopyToAsync(Stream.Null, cancellationToken);
            if (response.StatusCode != expected)
            {
                throw new InvalidOperationException($"The request warm-up's {method} {path}?{query} was answered {(int)response.StatusCode}, not {(int)expected}.");
            }
        }

        public void Dispose() => _http.Dispose();

        /// <summary><paramref name="data"/> as one aws-chunked chunk, then the last (empty) chunk and its CRC-32 trailer.</summary>
        private static byte[] AwsChunked(byte[] data)
        {
            var checksum = FlexibleChecksum.ForHeader(TrailerHeader);
            checksum.Append(data);
            var head = Encoding.ASCII.GetBytes($"{data.Length:x}\r\n");
            var tail = Encoding.ASCII.GetBytes($"\r\n0\r\n{checksum.HeaderName}:{checksum.ValueBase64()}\r\n\r\n");
            return [.. head, .. data, .. tail];
        }
    }
}

/// <summary>What <see cref="RequestWarmUp.RunAsync"/> did: how long it took, its rounds and the requests it sent.</summary>
public readonly record struct RequestWarmUpResult(TimeSpan Took, int Rounds, long Requests);
