using System.Net.Http.Headers;
using Coffer.Model.Notifications;
using Coffer.Server.Maintenance;
using Coffer.Storage;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Notifications;

/// <summary>
/// Delivers the outbox: leases a batch of due events (no other node takes them while the lease lasts), POSTs each to its
/// target's webhook (several at once), deletes those a webhook took (any 2xx) and puts the others back to be tried again
/// after a growing pause. A node that dies mid-batch leaves its events leased; they are delivered again once the lease
/// runs out, so delivery is at least once, and the event id (<c>X-Coffer-Event-Id</c>) lets a receiver drop repeats.
/// </summary>
internal sealed partial class NotificationDeliveryService(
    IMetadataStore metadata,
    ObjectEvents events,
    CofferServerOptions options,
    TimeProvider time,
    ILogger<NotificationDeliveryService> logger) : PollingService(logger)
{
    private const string EventIdHeader = "X-Coffer-Event-Id";

    private readonly string _owner = "deliverer-" + Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, NotificationTarget> _targets = events.Targets.ToDictionary(t => t.Id, StringComparer.Ordinal);

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = options.Notifications.Parallelism,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
    })
    {
        Timeout = options.Notifications.Timeout,
    };

    private DateTimeOffset _countedAt = DateTimeOffset.MinValue;
    private bool _busy;

    protected override string Name => "Notification delivery";

    protected override async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        var settings = options.Notifications;
        _busy = false;
        var now = time.GetUtcNow();
        // With no target there is no queue to count, and on PostgreSQL the count locks the outbox.
        if (_targets.Count > 0 && now - _countedAt >= settings.CountInterval)
        {
            await events.RecountAsync(cancellationToken);
            _countedAt = now;
        }

        var leased = await metadata.WriteAsync(w => w.Outbox.Lease(_owner, now, now + settings.Lease, settings.BatchSize), cancellationToken);
        await DeliverAsync(leased, cancellationToken);
        _busy = leased.Count == settings.BatchSize;
    }

    // A full batch means more are likely due: the next round starts at once. A round that failed waits like an idle one.
    protected override Task WaitAsync(CancellationToken cancellationToken) =>
        _busy ? Task.CompletedTask : Task.Delay(options.Notifications.PollInterval, time, cancellationToken);

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    private async Task DeliverAsync(IReadOnlyList<OutboxEvent> leased, CancellationToken cancellationToken)
    {
        if (leased.Count == 0)
        {
            return;
        }

        var delivered = new List<string>(leased.Count);
        var failed = new List<(OutboxEvent Event, string Error)>();
        await Parallel.ForEachAsync(leased, new ParallelOptions { MaxDegreeOfParallelism = options.Notifications.Parallelism, CancellationToken = cancellationToken },
            async (outboxEvent, token) =>
            {
                var error = await PostAsync(outboxEvent, token);
                lock (delivered)
                {
                    if (error is null)
                    {
                        delivered.Add(outboxEvent.Id);
                    }
                    else
                    {
                        failed.Add((outboxEvent, error));
                    }
                }
            });

        var now = time.GetUtcNow();
        await metadata.WriteAsync(w =>
        {
            w.Outbox.Complete(delivered);
            foreach (var (outboxEvent, error) in failed)
            {
                w.Outbox.Retry(outboxEvent.Id, _owner, now + Backoff(outboxEvent.Attempts), error);
            }

            return 0;
        }, CancellationToken.None);
        foreach (var (outboxEvent, error) in failed)
        {
            LogRetry(logger, outboxEvent.Id, outboxEvent.Target, outboxEvent.Attempts + 1, error);
        }
    }

    /// <summary>POSTs one event; null when the webhook took it, else why not.</summary>
    private async Task<string?> PostAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken)
    {
        if (!_targets.TryGetValue(outboxEvent.Target, out var target))
        {
            return $"the target '{outboxEvent.Target}' is not in the server's configuration";
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target.Endpoint)
            {
                Content = new ByteArrayContent(outboxEvent.Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            request.Headers.Add(EventIdHeader, outboxEvent.Id);
            if (target.Authorization is { } authorization)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await _http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return error.Message;
        }
    }

    /// <summary>The pause before the next attempt: doubling from the base up to the maximum, with up to a fifth more at random.</summary>
    private TimeSpan Backoff(int attempts)
    {
        var settings = options.Notifications;
        var pause = settings.RetryBase * Math.Pow(2, Math.Min(attempts, 20));
        var capped = pause < settings.RetryMax ? pause : settings.RetryMax;
        return capped + (capped * (Random.Shared.NextDouble() / 5));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {EventId} to {Target} not delivered (attempt {Attempt}): {Error}; trying again later")]
    private static partial void LogRetry(ILogger logger, string eventId, string target, int attempt, string error);
}
