using Coffer.Composition;
using Coffer.Storage;
using Coffer.Testing;

namespace Coffer.Model.Tests;

/// <summary>An <see cref="ObjectService"/> over a real engine in a temp folder, with a manual clock.</summary>
public sealed class ObjectServiceFixture : IDisposable
{
    public const string Owner = "1250000000";

    private readonly TempDirectory _directory = new("model");

    public ObjectServiceFixture()
    {
        Time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        Engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _directory.Path, Time = Time });
        Service = new ObjectService(Engine, Time);
    }

    public ManualTimeProvider Time { get; }

    public StorageEngine Engine { get; }

    public ObjectService Service { get; }

    public string DataDirectory => _directory.Path;

    /// <summary>The blobs stored at rest, files and inline blobs alike (<see cref="StoredBlobs"/>).</summary>
    public string[] BlobFiles() => StoredBlobs.Ids(_directory.Path);

    public void Dispose()
    {
        Engine.Dispose();
        _directory.Dispose();
    }
}
