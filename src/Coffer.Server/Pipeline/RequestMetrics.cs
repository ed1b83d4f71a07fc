using System.Diagnostics.Metrics;

namespace Coffer.Server.Pipeline;

/// <summary>
/// The API's instruments (meter <c>Coffer.Server</c>, made by the host's <see cref="IMeterFactory"/>): requests by
/// operation, dialect and status, their latency, and the body bytes in and out (as their Content-Length announced them).
/// The console's Prometheus exporter reads them.
/// </summary>
internal sealed class RequestMetrics
{
    public const string MeterName = "Coffer.Server";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _bytesOut;

    public RequestMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("coffer.requests", "{request}", "API requests, by operation, dialect and status.");
        _duration = meter.CreateHistogram<double>("coffer.request.duration", "s", "API request latency, by operation and dialect.");
        _bytesIn = meter.CreateCounter<long>("coffer.request.body.size", "By", "Request body bytes received, by operation.");
        _bytesOut = meter.CreateCounter<long>("coffer.response.body.size", "By", "Response body bytes sent, by operation.");
    }

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
