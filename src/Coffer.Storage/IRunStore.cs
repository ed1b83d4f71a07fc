using Coffer.Storage.Records;

namespace Coffer.Storage;

/// <summary>The inventory run queue: runs with their state, progress and lease.</summary>
public interface IRunReader
{
    InventoryRunRecord? Get(string jobId);

    /// <summary>Runs of a bucket (or of one configuration), most recently queued first, after <paramref name="after"/>.</summary>
    IReadOnlyList<InventoryRunRecord> List(long bucketId, string? configId, int limit, InventoryRunRecord? after = null);

    /// <summary>
    /// Runs in a given state, oldest first (the runners' queue). In a write transaction the runs returned are held until the
    /// commit, and runs another transaction holds are skipped, so two runners never take the same run.
    /// </summary>
    IReadOnlyList<InventoryRunRecord> ListInState(string state, int limit);

    /// <summary>The summary stored with a run (encoded by its writer), or null; kept apart from the run so lists stay small.</summary>
    byte[]? GetSummary(string jobId);
}

public interface IRunWriter : IRunReader
{
    void Insert(InventoryRunRecord run);

    /// <summary>Replaces the stored run with the same job id.</summary>
    void Update(InventoryRunRecord run);

    /// <summary>Stores the summary of a run (see <see cref="IRunReader.GetSummary"/>).</summary>
    void SetSummary(string jobId, byte[] summary);
}
