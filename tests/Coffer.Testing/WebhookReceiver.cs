using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Testing;

/// <summary>
/// One POST a webhook received: the event id header, the Authorization header, the body, what it answered (0 while it
/// is held) and when it arrived.
/// </summary>
public sealed record ReceivedEvent(string? EventId, string? Authorization, byte[] Body, int Status, DateTimeOffset ArrivedAt);

/// <summary>
/// A real HTTP listener (Kestrel on a loopback port, or a given port to come back on after a restart) that takes event
/// notifications: it records every POST and answers with <see cref="Status"/>, which a test may change at any time.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedEvent> _received = new();
    private readonly ConcurrentQueue<ReceivedEvent> _held = new();
    private TaskCompletionSource _gate = Open();

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
    }

    /// <summary>What the listener answers every POST with (200 unless told otherwise).</summary>
    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every POST so far, in the order they arrived, answered or not.</summary>
    public IReadOnlyList<ReceivedEvent> Received => [.. _received];

    /// <summary>The POSTs answered with a 2xx.</summary>
    public IReadOnlyList<ReceivedEvent> Accepted => [.. _received.Where(e => e.Status is >= 200 and < 300)];

    /// <summary>Every POST that arrived while answers were held, as it arrived (those answered since included).</summary>
    public IReadOnlyList<ReceivedEvent> Held => [.. _held];

    /// <summary>From now on POSTs get no answer until <see cref="Release"/> (a sender killed meanwhile gets none at all).</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Answers the held POSTs (with <see cref="Status"/>) and every later one at once.</summary>
    public void Release() => _gate.TrySetResult();

    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(async http =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var arrived = new ReceivedEvent(
                http.Request.Headers["X-Coffer-Event-Id"].FirstOrDefault(), http.Request.Headers.Authorization.FirstOrDefault(), body.ToArray(), 0, DateTimeOffset.UtcNow);
            var gate = receiver._gate.Task;
            if (!gate.IsCompleted)
            {
                receiver._held.Enqueue(arrived);
                try
                {
                    await gate.WaitAsync(http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The sender went away before it was answered: the POST was never taken.
                    return;
                }
            }

            var status = (int)receiver.Status;
            receiver._received.Enqueue(arrived with { Status = status });
            http.Response.StatusCode = status;
        });
        await app.StartAsync();
        var address = app.Urls.Single();
        receiver.Endpoint = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/events");
        return receiver;
    }

    /// <summary>Waits until <paramref name="count"/> POSTs were accepted; them, in arrival order.</summary>
    public async Task<IReadOnlyList<ReceivedEvent>> WaitForAcceptedAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (Accepted.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Accepted.Count} of {count} events accepted; {Received.Count} POSTs received.");
            }

            await Task.Delay(20);
        }

        return Accepted;
    }

    /// <summary>
    /// Waits until POSTs of at least <paramref name="count"/> different events arrived, whatever they were answered: a
    /// retry of an event offered earlier does not count again.
    /// </summary>
    public async Task WaitForDistinctEventsAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (Received.Select(r => r.EventId).Distinct().Count() < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Received.Select(r => r.EventId).Distinct().Count()} of {count} events offered.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> POSTs arrived, whatever they were answered.</summary>
    public async Task WaitForReceivedAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (Received.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Received.Count} of {count} POSTs received.");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource();
        open.SetResult();
        return open;
    }
}
