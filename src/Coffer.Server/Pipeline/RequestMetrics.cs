using System.Diagnostics.Metrics;

namespace Coffer.Server.Pipeline;

/// <summary>
/// The API's instruments (meter <c>Coffer.Server</c>): requests by operation, dialect and status, their latency, and the
/// body bytes in and out (as their Content-Length announced them). The console's Prometheus exporter reads them.
/// </summary>
internal sealed class RequestMetrics
{
    public const string MeterName = "Coffer.Server";

    /// <summary>
    /// The servers of a process share one meter: OpenTelemetry merges the same-named instruments of several meters into
    /// one metric and drops it once any of them is disposed (open-telemetry/opentelemetry-dotnet#6412), so a meter per
    /// server would lose the metric whenever another server in the process (a test's, say) stops.
    /// </summary>
    public static RequestMetrics Shared { get; } = new(new Meter(MeterName));

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _bytesOut;

    private RequestMetrics(Meter meter)
    {
        _requests = meter.CreateCounter<long>("coffer.requests", "{request}", "API requests, by operation, dialect and status.");
        _duration = meter.CreateHistogram<double>("coffer.request.duration", "s", "API request latency, by operation and dialect.");
        _bytesIn = meter.CreateCounter<long>("coffer.request.body.size", "By", "Request body bytes received, by operation.");
        _bytesOut = meter.CreateCounter<long>("coffer.response.body.size", "By", "Response body bytes sent, by operation.");
    }

    /// <summary>Instruments of a meter of <paramref name="meters"/>' own (the request warm-up's server, whose factory renames it).</summary>
    public static RequestMetrics From(IMeterFactory meters) => new(meters.Create(MeterName));

    public void Record(string operation, string dialect, int status, double seconds, long? bytesIn, long? bytesOut)
    {
        var op = new KeyValuePair<string, object?>("operation", operation);
        var dia = new KeyValuePair<string, object?>("dialect", dialect);
        _requests.Add(1, op, dia, new KeyValuePair<string, object?>("status", status));
        _duration.Record(seconds, op, dia);
        if (bytesIn is > 0)
        {
            _bytesIn.Add(bytesIn.Value, op);
        }

        if (bytesOut is > 0)
        {
            _bytesOut.Add(bytesOut.Value, op);
        }
    }
}
