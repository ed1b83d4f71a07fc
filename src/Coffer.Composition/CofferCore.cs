using Coffer.Batch;
using Coffer.Inventory.Running;
using Coffer.Inventory.Scheduling;
using Coffer.Model;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Model.Batch;
using Coffer.Model.Buckets;
using Coffer.Model.Inventory;
using Coffer.Model.Lifecycle;
using Coffer.Model.Notifications;
using Coffer.Storage;
using Coffer.Storage.Blobs;
using Coffer.Storage.Encryption;

namespace Coffer.Composition;

/// <summary>What a node is made of, wherever it runs (server, CLI, benchmark).</summary>
public sealed record CoreOptions
{
    /// <summary>The data folder: blob files, the master key, and the SQLite database when that is the metadata store.</summary>
    public required string DataDirectory { get; init; }

    public MetadataLocation Metadata { get; init; } = MetadataLocation.Embedded;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The key that wraps every blob's data key; null uses the one saved in the data folder (created on first start).</summary>
    public MasterKey? MasterKey { get; init; }

    public IReadOnlyList<Account> Accounts { get; init; } = [];

    /// <summary>The largest object kept in the metadata store instead of a blob file of its own; 0 keeps every object in files.</summary>
    public int InlineThreshold { get; init; } = BlobStore.DefaultInlineThreshold;

    /// <summary>Sub-accounts declared in configuration (those made at run time live in the metadata).</summary>
    public IReadOnlyList<SubAccount> SubAccounts { get; init; } = [];

    public InventoryRunnerOptions Runner { get; init; } = new();

    public ScheduleOptions Schedule { get; init; } = new();

    public LifecycleOptions Lifecycle { get; init; } = new();
    public BatchRunnerOptions Batch { get; init; } = new();

    /// <summary>The webhooks bucket notification rules may name.</summary>
    public IReadOnlyList<NotificationTarget> NotificationTargets { get; init; } = [];
}

/// <summary>
/// The storage engine and the services over it, wired once. The server registers these with its request pipeline, the
/// CLI and the benchmarks use them directly.
/// </summary>
public sealed class CofferCore : IDisposable
{
    private CofferCore(CoreOptions options, StorageEngine engine)
    {
        Options = options;
        Engine = engine;
        Events = new ObjectEvents(engine.Metadata, options.NotificationTargets, options.Time);
        Objects = new ObjectService(engine, options.Time, Events);
        Configurations = new InventoryConfigurations(engine.Metadata, options.Time);
        Runs = new InventoryRuns(engine.Metadata, options.Time, Events);
        Accounts = new AccountDirectory(options.Accounts);
        Identities = new IdentityDirectory(Accounts, engine.Metadata, options.Time, options.SubAccounts);
        Access = new AccessControl(engine.Metadata, options.Time, Accounts);
        Settings = new BucketSettings(engine.Metadata, options.Time);
        Runner = new InventoryRunner(Objects, Runs, Accounts, Access, options.Time, options.Runner with { Lifecycle = Settings.FindLifecycle });
        Scheduler = new InventoryScheduler(Runs, options.Time, options.Schedule);
        Lifecycle = new LifecycleWorker(engine, Settings, options.Time, options.Lifecycle);
        Jobs = new BatchJobs(engine.Metadata, options.Time);
        BatchRunner = new BatchRunner(Objects, Jobs, Access, Identities, options.Time, options.Batch);
    }

    public CoreOptions Options { get; }

    public StorageEngine Engine { get; }

    public ObjectService Objects { get; }

    /// <summary>Bucket notification configurations, and the events changes queue.</summary>
    public ObjectEvents Events { get; }

    public InventoryConfigurations Configurations { get; }

    public InventoryRuns Runs { get; }

    public AccountDirectory Accounts { get; }

    public IdentityDirectory Identities { get; }

    public AccessControl Access { get; }

    public InventoryRunner Runner { get; }

    public InventoryScheduler Scheduler { get; }

    /// <summary>Buckets' lifecycle, CORS, tagging and object lock configurations.</summary>
    public BucketSettings Settings { get; }

    public LifecycleWorker Lifecycle { get; }
    public BatchJobs Jobs { get; }

    public BatchRunner BatchRunner { get; }

    /// <summary>
    /// Opens the engine the options name and wires the services. Fails with <see cref="DataDirectoryInUseException"/> when
    /// another process has an embedded data folder, with <see cref="MetadataUnavailableException"/> when the database
    /// cannot be reached, and with <see cref="MetadataRefusedException"/> when its server refuses the node.
    /// </summary>
    public static CofferCore Open(CoreOptions options)
    {
        var engine = OpenEngine(options);
        try
        {
            return new(options, engine);
        }
        catch
        {
            // A service that refuses its options (a configured sub-account, say) must not leave the engine holding the data folder.
            engine.Dispose();
            throw;
        }
    }

    /// <summary>The storage engine alone.</summary>
    public static StorageEngine OpenEngine(CoreOptions options) =>
        StorageEngine.Open(options.DataDirectory, options.Metadata.IsShared, () => options.Metadata.Open(options.DataDirectory, options.Time),
            options.Time, options.MasterKey, options.InlineThreshold);

    /// <summary>
    /// The metadata alone, for a tool beside a running server (issuing a key, say): nothing here touches blob files or
    /// recovers anything, so it may open the store a server has open.
    /// </summary>
    public static IMetadataStore OpenMetadata(string dataDirectory, MetadataLocation location, TimeProvider time) =>
        location.Open(dataDirectory, time);

    public void Dispose() => Engine.Dispose();
}
