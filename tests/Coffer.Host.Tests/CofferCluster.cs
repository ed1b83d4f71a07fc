using Coffer.Testing;

namespace Coffer.Host.Tests;

/// <summary>
/// Several <c>coffer serve</c> processes sharing one PostgreSQL database and one data folder, each on its own loopback
/// port, as a cluster of nodes behind a load balancer would be.
/// </summary>
public sealed class CofferCluster : IAsyncDisposable
{
    private readonly TempDirectory _directory = new("cluster");
    private readonly List<CofferProcess> _nodes = [];

    private CofferCluster(string metadataUrl, string configuration)
    {
        MetadataUrl = metadataUrl;
        ConfigFile = _directory.Combine("coffer.json");
        File.WriteAllText(ConfigFile, configuration);
    }

    public string MetadataUrl { get; }

    public string DataDirectory => _directory.Combine("data");

    public string ConfigFile { get; }

    public IReadOnlyList<CofferProcess> Nodes => _nodes;

    /// <summary>Starts <paramref name="nodes"/> nodes on <paramref name="metadataUrl"/> (a fresh database when null).</summary>
    public static async Task<CofferCluster> StartAsync(int nodes, string configuration = "{}", string? metadataUrl = null)
    {
        var cluster = new CofferCluster(metadataUrl ?? PostgresTestCluster.CreateDatabase(), configuration);
        try
        {
            // The first node creates the schema; the others start together.
            await cluster.AddNodeAsync();
            await Task.WhenAll(Enumerable.Range(1, nodes - 1).Select(_ => cluster.AddNodeAsync()));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more node, with the cluster's configuration file or with a file of its own.</summary>
    public async Task<CofferProcess> AddNodeAsync(string? configFile = null)
    {
        var node = await CofferProcess.StartAsync(DataDirectory, true, "--metadata", MetadataUrl, "--config", configFile ?? ConfigFile);
        lock (_nodes)
        {
            _nodes.Add(node);
        }

        return node;
    }

    public CosTestClient Client(int node) => new(_nodes[node].BaseAddress, TimeProvider.System);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        _directory.Dispose();
    }
}
