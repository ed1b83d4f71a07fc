using Coffer.Composition;
using Coffer.Model.Accounts;
using Coffer.Protocol.Routing;
using Coffer.Storage.Encryption;
using Microsoft.Extensions.Logging;

namespace Coffer.Server;

public sealed class CofferServerOptions
{
    public const string DefaultListen = "127.0.0.1:9000";
    public const string DefaultRegion = "ap-guangzhou";

    /// <summary>Where the blob files (and the embedded metadata database) live.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The metadata store: SQLite in the data folder, or a PostgreSQL database shared by several nodes.</summary>
    public MetadataLocation Metadata { get; init; } = MetadataLocation.Embedded;

    /// <summary><c>host:port</c>; port 0 picks a free port (see <see cref="CofferServer.BaseAddress"/>).</summary>
    public string Listen { get; init; } = DefaultListen;

    /// <summary>The region of buckets created through a host name that names none (path style, IP addresses).</summary>
    public string Region { get; init; } = DefaultRegion;

    /// <summary>Virtual-host suffixes; see <see cref="HostResolver"/>.</summary>
    public IReadOnlyList<string> DomainSuffixes { get; init; } = HostResolver.DefaultSuffixes;

    public required IReadOnlyList<Account> Accounts { get; init; }

    /// <summary>Sub-accounts declared in configuration (those made by <c>coffer admin</c> live in the metadata).</summary>
    public IReadOnlyList<SubAccount> SubAccounts { get; init; } = [];

    /// <summary>The key that wraps every blob's data key; null uses the one saved in the data folder (created on first start).</summary>
    public MasterKey? MasterKey { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public InventoryServiceOptions Inventory { get; init; } = new();

    public LifecycleServiceOptions Lifecycle { get; init; } = new();

    public BatchServiceOptions Batch { get; init; } = new();
    /// <summary>Webhook targets of event notifications and how events are delivered to them.</summary>
    public NotificationServiceOptions Notifications { get; init; } = new();

    /// <summary>How buckets' server access logs are delivered.</summary>
    public AccessLogServiceOptions AccessLogs { get; init; } = new();

    /// <summary>How long the change journal keeps a change (incremental and diff reports reach back this far).</summary>
    public TimeSpan JournalRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Whether to serve requests to a throw-away server right after start, until the request path's code is optimised
    /// (<see cref="WarmUp.RequestWarmUp"/>). Off unless asked for (tests start many servers); <c>coffer serve</c> asks
    /// for it unless the configuration file's <c>requestWarmUp</c> is false.
    /// </summary>
    public bool WarmUpRequests { get; init; }

    /// <summary>
    /// When set, every meter of this server (Coffer's, ASP.NET Core's, Kestrel's) is named with this before its name, so
    /// that an exporter of the process's real server, which selects meters by name, does not count its requests: the
    /// request warm-up's throw-away server sets it.
    /// </summary>
    public string? MeterNamePrefix { get; init; }
}

/// <summary>How server access logs are delivered: the records buffered in memory are written every <see cref="FlushInterval"/>.</summary>
public sealed record AccessLogServiceOptions
{
    /// <summary>Best effort, as S3's are: a minute by default; records not yet written are lost with the process.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The records waiting for delivery may hold this many bytes (UTF-8, as written); past it new ones are dropped and counted.</summary>
    public long MaxBufferedBytes { get; init; } = 64L * 1024 * 1024;
}

/// <summary>How the server executes lifecycle rules: how often it looks for buckets whose daily pass is due, and the pass's lease.</summary>
public sealed record LifecycleServiceOptions
{
    /// <summary>False leaves lifecycle to other nodes.</summary>
    public bool RunWorker { get; init; } = true;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>How the server runs batch jobs: leases, chunks, how many chunks at once, how often it looks.</summary>
public sealed record BatchServiceOptions
{
    /// <summary>False leaves jobs alone (another node works them).</summary>
    public bool RunWorker { get; init; } = true;

    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    public int ChunkSize { get; init; } = 1000;

    public int Parallelism { get; init; } = 4;

    /// <summary>How often the worker looks for jobs it was not woken for (confirmed elsewhere, abandoned by a dead node).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>Where event notifications go and how they are delivered: leases, batches, retries with back-off.</summary>
public sealed record NotificationServiceOptions
{
    public IReadOnlyList<Model.Notifications.NotificationTarget> Targets { get; init; } = [];

    /// <summary>How long a node holds the events it took before another node may deliver them instead.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);

    public int BatchSize { get; init; } = 512;

    /// <summary>Deliveries in flight at once.</summary>
    public int Parallelism { get; init; } = 64;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The pause after a first failure; each further failure doubles it, up to <see cref="RetryMax"/>.</summary>
    public TimeSpan RetryBase { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the deliverer looks for events when it found none.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the queues' lengths are counted for their limits.</summary>
    public TimeSpan CountInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>How the server runs inventory: part sizes, leases, when periodic runs come due, how often it looks.</summary>
public sealed record InventoryServiceOptions
{
    /// <summary>False leaves queued runs alone (another node, or `coffer inventory run`, works them).</summary>
    public bool RunWorker { get; init; } = true;

    public long MaxPartBytes { get; init; } = 1L << 30;

    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How many partitions this node scans at once (one per core by default).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>The most rows of a partition (see InventoryRunnerOptions.PartitionRows).</summary>
    public long PartitionRows { get; init; } = 1_000_000;

    /// <summary>The fewest rows worth a partition of their own (see InventoryRunnerOptions.MinPartitionRows).</summary>
    public long MinPartitionRows { get; init; } = 250_000;

    public TimeOnly TimeOfDay { get; init; } = TimeOnly.MinValue;

    public DayOfWeek WeeklyDay { get; init; } = DayOfWeek.Sunday;

    /// <summary>How often the worker looks for runs it was not woken for (scheduled ones, abandoned ones).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// True runs a small inventory of each format in a temporary folder right after start, in the background, so the
    /// first real run does not pay for compiling the pipeline (<c>coffer serve</c> does; off unless asked for).
    /// </summary>
    public bool WarmUp { get; init; }
}
