using System.Net;
using System.Text;
using Coffer.Inventory.Running;
using Coffer.Inventory.Scheduling;
using Coffer.Model;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Model.Inventory;
using Coffer.Protocol.Routing;
using Coffer.Server.Handlers;
using Coffer.Server.Inventory;
using Coffer.Server.Pipeline;
using Coffer.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server;

/// <summary>The Coffer server: Kestrel on the configured address, over the embedded storage engine.</summary>
public sealed class CofferServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StorageEngine _engine;

    private CofferServer(WebApplication app, StorageEngine engine)
    {
        _app = app;
        _engine = engine;
    }

    /// <summary>The address the server listens on, e.g. <c>http://127.0.0.1:9000</c>.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public IServiceProvider Services => _app.Services;

    /// <summary>The id (a fingerprint) of the master key blobs are encrypted under.</summary>
    public string MasterKeyId => _engine.Blobs.MasterKeyId;

    public static CofferServer Create(CofferServerOptions options)
    {
        var (host, port) = ParseListen(options.Listen);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            console.UseUtcTimestamp = true;
        });
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Object size limits are ours to enforce (5 GiB per PUT), with the right error code.
            kestrel.Limits.MaxRequestBodySize = null;
            // Kestrel's defaults, pinned because docs/compatibility.md promises them: a longer request line is 414, more
            // header bytes 431. Keys (1,024 bytes, 3 KiB escaped) and presigned queries fit; user metadata stops at 2 KiB.
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 100;
            kestrel.RequestHeaderEncodingSelector = _ => Encoding.UTF8;
            kestrel.ResponseHeaderEncodingSelector = _ => Encoding.UTF8;
            if (host == "localhost")
            {
                kestrel.ListenLocalhost(port);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(host), port);
            }
        });

        var engine = StorageEngine.Open(options.DataDirectory, options.Time, options.MasterKey);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(options.Time);
        services.AddSingleton(engine);
        services.AddSingleton(engine.Metadata);
        services.AddSingleton<IObjectService, ObjectService>();
        services.AddSingleton<InventoryConfigurations>();
        services.AddSingleton<InventoryRuns>();
        services.AddSingleton<InventoryWakeup>();
        services.AddSingleton(new ScheduleOptions { TimeOfDay = options.Inventory.TimeOfDay, WeeklyDay = options.Inventory.WeeklyDay });
        services.AddSingleton<InventoryRunLog>();
        services.AddSingleton(provider => new InventoryRunnerOptions
        {
            MaxPartBytes = options.Inventory.MaxPartBytes,
            Lease = options.Inventory.Lease,
            RunEnded = provider.GetRequiredService<InventoryRunLog>().Ended,
        });
        services.AddSingleton<InventoryScheduler>();
        services.AddSingleton<InventoryRunner>();
        if (options.Inventory.RunWorker)
        {
            services.AddHostedService<InventoryBackgroundService>();
        }
        var accounts = new AccountDirectory(options.Accounts);
        services.AddSingleton(accounts);
        var hosts = new HostResolver(options.DomainSuffixes);
        services.AddSingleton(new Router(hosts));
        services.AddSingleton(provider => new HealthEndpoints(hosts, engine.Metadata, options));
        services.AddSingleton(provider => new IdentityDirectory(accounts, engine.Metadata, options.Time, options.SubAccounts));
        services.AddSingleton<AccessControl>();
        services.AddSingleton(provider => new Authorizer(provider.GetRequiredService<AccessControl>(), options.Region));
        services.AddSingleton<Authenticator>();
        services.AddSingleton<ServiceHandlers>();
        services.AddSingleton<BucketHandlers>();
        services.AddSingleton<ObjectHandlers>();
        services.AddSingleton<MultipartHandlers>();
        services.AddSingleton<InventoryHandlers>();
        services.AddSingleton<AccessHandlers>();
        services.AddSingleton<OperationHandlers>();
        services.AddSingleton<RequestPipeline>();

        var app = builder.Build();
        var pipeline = app.Services.GetRequiredService<RequestPipeline>();
        var health = app.Services.GetRequiredService<HealthEndpoints>();
        app.Use((http, next) => health.Matches(http) ? health.WriteAsync(http) : next(http));
        app.Run(pipeline.InvokeAsync);
        return new CofferServer(app, engine);
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires (Ctrl-C in the executable).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _engine.Dispose();
    }

    /// <summary>Reads <c>HOST:PORT</c> (an IP address or localhost); ArgumentException naming <paramref name="option"/> otherwise.</summary>
    public static (string Host, int Port) ParseListen(string listen, string option = "--listen")
    {
        var colon = listen.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(listen[(colon + 1)..], out var port) || port is < 0 or > 65535)
        {
            throw new ArgumentException($"{option} must be HOST:PORT, got '{listen}'.");
        }

        var host = listen[..colon].Trim('[', ']');
        return host == "localhost" || IPAddress.TryParse(host, out _)
            ? (host, port)
            : throw new ArgumentException($"{option} needs an IP address or 'localhost', got '{host}'.");
    }
}
