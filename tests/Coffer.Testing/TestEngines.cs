using Coffer.Composition;
using Coffer.Storage;

namespace Coffer.Testing;

/// <summary>A metadata engine a test runs against, with a place of its own: a fresh SQLite file or a fresh PostgreSQL database.</summary>
public interface ITestEngine : IDisposable
{
    /// <summary>What <c>--metadata</c> would say for it.</summary>
    MetadataLocation Location { get; }

    /// <summary>The data folder: blob files, and the SQLite database when that is the engine.</summary>
    string DataDirectory { get; }

    /// <summary>Opens (again, after a dispose) the store.</summary>
    IMetadataStore OpenStore(TimeProvider? time = null);
}

public sealed class SqliteTestEngine : ITestEngine
{
    private readonly TempDirectory _directory = new("sqlite");

    public MetadataLocation Location => MetadataLocation.Embedded;

    public string DataDirectory => _directory.Path;

    public IMetadataStore OpenStore(TimeProvider? time = null) => Location.Open(DataDirectory, time ?? TimeProvider.System);

    public void Dispose() => _directory.Dispose();
}

public sealed class PostgresTestEngine : ITestEngine
{
    private readonly TempDirectory _directory = new("postgres");

    public PostgresTestEngine()
    {
        Url = PostgresTestCluster.CreateDatabase();
        Location = MetadataLocation.Parse(Url);
    }

    public string Url { get; }

    public MetadataLocation Location { get; }

    public string DataDirectory => _directory.Path;

    public IMetadataStore OpenStore(TimeProvider? time = null) => Location.Open(DataDirectory, time ?? TimeProvider.System);

    public void Dispose()
    {
        PostgresTestCluster.DropDatabase(Url);
        _directory.Dispose();
    }
}
