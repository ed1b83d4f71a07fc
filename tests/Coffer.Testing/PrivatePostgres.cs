namespace Coffer.Testing;

/// <summary>
/// A PostgreSQL cluster of one test's own, which it may stop and start again (the shared test server must stay up):
/// started in a folder of its own, stopped, and the folder removed, when disposed.
/// </summary>
public sealed class PrivatePostgres : IDisposable
{
    private readonly TempDirectory _folder = new("pg-private");
    private readonly string _cluster;

    public PrivatePostgres()
    {
        _cluster = _folder.Combine("cluster");
        AdminUrl = PostgresTestCluster.StartPrivate(_cluster);
    }

    /// <summary>An admin URL of the cluster, for <see cref="PostgresTestCluster.CreateDatabase"/>.</summary>
    public string AdminUrl { get; }

    public void Stop() => PostgresTestCluster.Stop(_cluster);

    public void Resume() => PostgresTestCluster.Resume(_cluster);

    public void Dispose()
    {
        try
        {
            Stop();
        }
        finally
        {
            _folder.Dispose();
        }
    }
}
