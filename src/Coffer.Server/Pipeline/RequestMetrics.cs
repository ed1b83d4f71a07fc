using System.Diagnostics.Metrics;

namespace Coffer.Server.Pipeline;

/// <summary>
/// The API's instruments (meter <c>Coffer.Server</c>): requests by operation, dialect and status, their latency, and the
/// body bytes in and out (as their Content-Length announced them). The console's Prometheus exporter reads them.
/// </summary>
internal static class RequestMetrics
{
    public const string MeterName = "Coffer.Server";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("coffer.requests", "{request}", "API requests, by operation, dialect and status.");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("coffer.request.duration", "s", "API request latency, by operation and dialect.");
    private static readonly Counter<long> BytesIn = Meter.CreateCounter<long>("coffer.request.body.size", "By", "Request body bytes received, by operation.");
    private static readonly Counter<long> BytesOut = Meter.CreateCounter<long>("coffer.response.body.size", "By", "Response body bytes sent, by operation.");

    public static void Record(string operation, string dialect, int status, double seconds, long? bytesIn, long? bytesOut)
    {
        var op = new KeyValuePair<string, object?>("operation", operation);
        var dia = new KeyValuePair<string, object?>("dialect", dialect);
        Requests.Add(1, op, dia, new KeyValuePair<string, object?>("status", status));
        Duration.Record(seconds, op, dia);
        if (bytesIn is > 0)
        {
            BytesIn.Add(bytesIn.Value, op);
        }

        if (bytesOut is > 0)
        {
            BytesOut.Add(bytesOut.Value, op);
        }
    }
}
