using System.Net;
using Coffer.Inventory.Running;
using Coffer.Model;
using Coffer.Model.Accounts;
using Coffer.Model.Batch;
using Coffer.Model.Inventory;
using Coffer.Server;
using Coffer.Server.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Coffer.WebConsole;

/// <summary>
/// The web console on a port of its own: the page (built by the build from <c>web/</c> and embedded in this assembly,
/// so it works offline), its JSON API over the same model and authorizer the API port uses, and Prometheus metrics at
/// <c>/metrics</c> (requests, latency and bytes of the API, inventory runs, ASP.NET Core's own).
/// </summary>
public sealed class ConsoleServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ConsoleServer(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>A console over the running API server's services (<see cref="CofferServer.Services"/>), listening on <paramref name="listen"/>.</summary>
    public static ConsoleServer Create(string listen, IServiceProvider api, LogLevel logLevel = LogLevel.Warning)
    {
        var (host, port) = CofferServer.ParseListen(listen, "--console");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            console.UseUtcTimestamp = true;
        });
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 5L << 30;
            if (host == "localhost")
            {
                kestrel.ListenLocalhost(port);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(host), port);
            }
        });

        var services = builder.Services;
        services.AddRoutingCore();
        foreach (var shared in new[]
        {
            typeof(IObjectService), typeof(InventoryConfigurations), typeof(InventoryRuns), typeof(InventoryWakeup), typeof(IdentityDirectory),
            typeof(Authorizer), typeof(TimeProvider), typeof(BatchJobs),
        })
        {
            services.AddSingleton(shared, api.GetRequiredService(shared));
        }

        services.AddSingleton<ConsoleSessions>();
        services.AddSingleton<ConsoleEndpoints>();
        services.AddSingleton<ObjectEndpoints>();
        services.AddSingleton<InventoryEndpoints>();
        services.AddSingleton<BatchEndpoints>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(RequestMetricsMeter, InventoryMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));

        var app = builder.Build();
        app.Use(SecurityHeaders);
        app.UseOpenTelemetryPrometheusScrapingEndpoint();
        var site = new ManifestlessSite(typeof(ConsoleServer).Assembly);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = site });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = site });
        app.UseRouting();
        app.Services.GetRequiredService<ConsoleEndpoints>().MapSession(app);
        app.Services.GetRequiredService<ObjectEndpoints>().Map(app);
        app.Services.GetRequiredService<InventoryEndpoints>().Map(app);
        app.Services.GetRequiredService<BatchEndpoints>().Map(app);
        app.MapFallback("/api/{**rest}", http => ConsoleRequest.ErrorAsync(http, 404, "NotFound", "There is no such console API."));
        return new ConsoleServer(app);
    }

    /// <summary>The API's meter (see Coffer.Server's RequestMetrics).</summary>
    private const string RequestMetricsMeter = "Coffer.Server";

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>No framing, no sniffing, no referrer; scripts and styles only from the console itself.</summary>
    private static Task SecurityHeaders(HttpContext http, RequestDelegate next)
    {
        var headers = http.Response.Headers;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'";
        return next(http);
    }
}
