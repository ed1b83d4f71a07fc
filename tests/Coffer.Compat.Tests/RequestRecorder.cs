using Amazon.Runtime;

namespace Coffer.Compat.Tests;

/// <summary>A request as it left the AWS SDK: after checksums, aws-chunked encoding and signing.</summary>
public sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// Hands the AWS SDK HttpClients whose handler notes every request's headers, so a test can prove which payload
/// signing mode (x-amz-content-sha256) the SDK chose, not just that the call worked. The requests go out through
/// <paramref name="transport"/> when given, else through a plain <see cref="HttpClientHandler"/>.
/// </summary>
public sealed class RequestRecorder(Func<HttpMessageHandler>? transport = null) : HttpClientFactory
{
    private readonly List<RecordedRequest> _requests = [];

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new RecordingHandler(this, transport?.Invoke() ?? new HttpClientHandler()));

    // Null caches the clients per SDK client, so each recorder sees only its own client's requests.
    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;

    private void Add(HttpRequestMessage request)
    {
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        lock (_requests)
        {
            _requests.Add(new RecordedRequest(request.Method, request.RequestUri!, headers));
        }
    }

    private sealed class RecordingHandler(RequestRecorder recorder, HttpMessageHandler transport) : DelegatingHandler(transport)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            recorder.Add(request);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
