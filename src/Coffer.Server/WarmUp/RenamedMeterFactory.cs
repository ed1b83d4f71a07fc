using System.Diagnostics.Metrics;

namespace Coffer.Server.WarmUp;

/// <summary>
/// Makes every meter of a host under its name with <paramref name="prefix"/> before it: the request warm-up's throw-away
/// server uses it, so that its requests (Coffer's meter, ASP.NET Core's and Kestrel's) are not counted with the node's,
/// whose exporter selects meters by name in the same process.
/// </summary>
internal sealed class RenamedMeterFactory(string prefix) : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(new MeterOptions(prefix + options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            _meters.ForEach(meter => meter.Dispose());
            _meters.Clear();
        }
    }
}
