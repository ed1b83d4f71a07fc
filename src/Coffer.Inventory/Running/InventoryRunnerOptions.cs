using Coffer.Common.Lifecycle;
using Coffer.Model.Inventory;

namespace Coffer.Inventory.Running;

public sealed record InventoryRunnerOptions
{
    /// <summary>A new part starts once a part holds this many bytes of rows before compression (1 GiB, as COS and S3).</summary>
    public long MaxPartBytes { get; init; } = 1L << 30;

    /// <summary>How long a claimed run stays this runner's without a renewal; a runner that dies loses it after this.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Who holds leases: unique per process.</summary>
    public string Owner { get; init; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Called after every row written, with the count so far; progress reports (and tests) hook in here.</summary>
    public Action<long>? RowWritten { get; init; }

    /// <summary>A bucket's lifecycle configuration, for the LifecycleExpirationDate column; null reports no expirations.</summary>
    public Func<string, LifecycleConfiguration?>? Lifecycle { get; init; }

    /// <summary>Called once a run has ended, succeeded or failed, with the run as stored (the server logs it).</summary>
    public Action<InventoryRun>? RunEnded { get; init; }
}
