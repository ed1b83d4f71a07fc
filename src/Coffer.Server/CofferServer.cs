using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Coffer.Batch;
using Coffer.Composition;
using Coffer.Inventory.Running;
using Coffer.Inventory.Scheduling;
using Coffer.Model;
using Coffer.Model.Lifecycle;
using Coffer.Protocol.Routing;
using Coffer.Server.AccessLogs;
using Coffer.Server.Batch;
using Coffer.Server.Handlers;
using Coffer.Server.Inventory;
using Coffer.Server.Lifecycle;
using Coffer.Server.Maintenance;
using Coffer.Server.Notifications;
using Coffer.Server.Pipeline;
using Coffer.Server.Transport;
using Coffer.Server.WarmUp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
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
    private readonly CofferCore _core;

    private CofferServer(WebApplication app, CofferCore core)
    {
        _app = app;
        _core = core;
    }

    /// <summary>The address the server listens on, e.g. <c>http://127.0.0.1:9000</c>.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public IServiceProvider Services => _app.Services;

    /// <summary>The id (a fingerprint) of the master key blobs are encrypted under.</summary>
    public string MasterKeyId => _core.Engine.Blobs.MasterKeyId;

    /// <summary>The metadata engine and where it is (no password), for the start-up summary.</summary>
    public string MetadataDescription => _core.Engine.Metadata.Description;

    /// <summary>The logging category of ASP.NET Core's per-request diagnostics (see <see cref="Create"/>).</summary>
    private const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static CofferServer Create(CofferServerOptions options)
    {
        var (host, port) = ParseListen(options.Listen);
        // The host reads appsettings.json from the working directory once. Watching it for changes (the default) puts a
        // recursive file watcher on the whole working directory, which then wakes for every write of a data folder inside it.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        // None writes nothing at all (the request warm-up's throw-away server): the filter below would still let
        // Microsoft's warnings through to the console.
        if (options.LogLevel != LogLevel.None)
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
                console.UseUtcTimestamp = true;
            });
        }
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // ASP.NET Core's hosting layer starts an Activity (fresh W3C ids) and a log scope for every request whenever this
        // category is enabled at any level; its per-request lines are Information, which the filter above never let through,
        // and no provider here writes scopes. Off, a request costs neither. Its one other line, a start-up exception, is
        // still reported: the exception ends `serve`, and the generic host logs "Hosting failed to start" under its own name.
        builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Object size limits are ours to enforce (5 GiB per PUT), with the right error code.
            kestrel.Limits.MaxRequestBodySize = null;
            // Pinned because docs/compatibility.md promises them: a longer request line is 414, more header bytes or fields
            // 431. Keys (1,024 bytes, 3 KiB escaped) and presigned queries fit; user metadata stops at 2 KiB, which may be
            // hundreds of short entries, so the field count is ten times Kestrel's default of 100.
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 1000;
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

        // Kestrel's socket transport takes its memory from the host's pool factory: blocks of 16 KiB instead of 4 KiB, so a
        // large body arrives in a quarter of the socket receives (docs/performance.md, "Large objects"). The last
        // registration of a service is the one resolved, so this one, added after Kestrel's own, is the one it uses.
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(new TransportMemoryPoolFactory());
        if (options.MeterNamePrefix is { } prefix)
        {
            // Last registration wins, as above: Kestrel's, ASP.NET Core's and our own meters are all made by it (made by
            // the container, so the container disposes it and its meters with the host).
            builder.Services.AddSingleton<IMeterFactory>(_ => new RenamedMeterFactory(prefix));
            builder.Services.AddSingleton(provider => RequestMetrics.From(provider.GetRequiredService<IMeterFactory>()));
        }
        else
        {
            builder.Services.AddSingleton(RequestMetrics.Shared);
        }

        InventoryRunLog? runLog = null;
        BatchJobLog? jobLog = null;
        var core = CofferCore.Open(new CoreOptions
        {
            DataDirectory = options.DataDirectory,
            Metadata = options.Metadata,
            Time = options.Time,
            MasterKey = options.MasterKey,
            Accounts = options.Accounts,
            SubAccounts = options.SubAccounts,
            Runner = new InventoryRunnerOptions
            {
                MaxPartBytes = options.Inventory.MaxPartBytes,
                Lease = options.Inventory.Lease,
                Workers = options.Inventory.Workers,
                PartitionRows = options.Inventory.PartitionRows,
                MinPartitionRows = options.Inventory.MinPartitionRows,
                PollInterval = options.Inventory.PollInterval,
                // The log is made with the rest of the services below; runs end long after.
                RunEnded = run => runLog?.Ended(run),
                PartitionDone = (jobId, partition) => runLog?.PartitionDone(jobId, partition),
            },
            Schedule = new ScheduleOptions { TimeOfDay = options.Inventory.TimeOfDay, WeeklyDay = options.Inventory.WeeklyDay },
            Lifecycle = new LifecycleOptions { Lease = options.Lifecycle.Lease },
            Batch = new BatchRunnerOptions
            {
                Lease = options.Batch.Lease,
                ChunkSize = options.Batch.ChunkSize,
                Parallelism = options.Batch.Parallelism,
                DescribeError = BatchErrors.Describe,
                JobEnded = job => jobLog?.Ended(job),
            },
            NotificationTargets = options.Notifications.Targets,
        });
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(options.Time);
        services.AddSingleton(core.Engine);
        services.AddSingleton(core.Engine.Metadata);
        services.AddSingleton<IObjectService>(core.Objects);
        services.AddSingleton(core.Configurations);
        services.AddSingleton(core.Runs);
        services.AddSingleton<InventoryWakeup>();
        services.AddSingleton(core.Scheduler);
        services.AddSingleton(core.Runner);
        services.AddSingleton<InventoryRunLog>();
        if (options.Inventory.RunWorker)
        {
            services.AddHostedService<InventoryBackgroundService>();
        }

        services.AddSingleton<WarmUpOutcome>();
        if (options.WarmUpRequests || options.Inventory.WarmUp)
        {
            services.AddHostedService<WarmUpService>();
        }

        services.AddSingleton(core.Jobs);
        services.AddSingleton(core.BatchRunner);
        services.AddSingleton<BatchWakeup>();
        services.AddSingleton<BatchJobLog>();
        if (options.Batch.RunWorker)
        {
            services.AddHostedService<BatchBackgroundService>();
        }

        services.AddHostedService<BlobSweepService>();
        services.AddSingleton(core.Settings);
        services.AddSingleton(core.Lifecycle);
        if (options.Lifecycle.RunWorker)
        {
            services.AddHostedService<LifecycleBackgroundService>();
        }

        services.AddSingleton(core.Events);
        services.AddHostedService<NotificationDeliveryService>();
        services.AddHostedService<JournalPurgeService>();
        services.AddSingleton<AccessLogBuffer>();
        services.AddSingleton<AccessLogRecorder>();
        services.AddHostedService<AccessLogDeliveryService>();

        services.AddSingleton(core.Accounts);
        var hosts = new HostResolver(options.DomainSuffixes);
        services.AddSingleton(new Router(hosts));
        services.AddSingleton(provider => new HealthEndpoints(hosts, core.Engine.Metadata, options));
        services.AddSingleton(core.Identities);
        services.AddSingleton(core.Access);
        services.AddSingleton(provider => new Authorizer(core.Access, options.Region));
        services.AddSingleton<Authenticator>();
        services.AddSingleton<ServiceHandlers>();
        services.AddSingleton<BucketHandlers>();
        services.AddSingleton<ObjectHandlers>();
        services.AddSingleton<ObjectLockHandlers>();
        services.AddSingleton<PostObjectHandlers>();
        services.AddSingleton<MultipartHandlers>();
        services.AddSingleton<InventoryHandlers>();
        services.AddSingleton<AccessHandlers>();
        services.AddSingleton<SettingsHandlers>();
        services.AddSingleton<CorsResponder>();
        services.AddSingleton<BatchHandlers>();
        services.AddSingleton<NotificationHandlers>();
        services.AddSingleton<LoggingHandlers>();
        services.AddSingleton<OperationHandlers>();
        services.AddSingleton<RequestPipeline>();

        var app = builder.Build();
        runLog = app.Services.GetRequiredService<InventoryRunLog>();
        jobLog = app.Services.GetRequiredService<BatchJobLog>();
        var pipeline = app.Services.GetRequiredService<RequestPipeline>();
        var health = app.Services.GetRequiredService<HealthEndpoints>();
        app.Use((http, next) => health.Matches(http) ? health.WriteAsync(http) : next(http));
        app.Run(pipeline.InvokeAsync);
        return new CofferServer(app, core);
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
        _core.Dispose();
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
