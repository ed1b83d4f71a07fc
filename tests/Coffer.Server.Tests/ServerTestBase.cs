using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// Where most API test classes start: a fresh server per test (xunit makes a class instance per test), one bucket of the
/// owner's on it, and a SigV4 client for the S3 dialect beside the server's own COS client. The metadata is the data
/// folder's SQLite database unless <paramref name="engine"/> makes another (a fresh PostgreSQL database, for a class
/// that runs its tests on both engines).
/// </summary>
public abstract class ServerTestBase(string bucket, Func<ITestEngine>? engine = null) : IAsyncLifetime
{
    private ITestEngine? _engine;

    protected TestServer Server { get; private set; } = null!;

    protected S3TestClient S3 { get; private set; } = null!;

    protected string Bucket { get; } = TestServer.BucketName(bucket);

    public async Task InitializeAsync()
    {
        _engine = engine?.Invoke();
        Server = await TestServer.StartAsync(metadata: _engine?.Location);
        S3 = new S3TestClient(Server.BaseAddress);
        (await Server.CreateBucketAsync(Bucket)).EnsureSuccessStatusCode();
        await SeedAsync();
    }

    public virtual async Task DisposeAsync()
    {
        S3.Dispose();
        await Server.DisposeAsync();
        _engine?.Dispose();
    }

    /// <summary>What a class puts on the server before each of its tests, once the bucket is there.</summary>
    protected virtual Task SeedAsync() => Task.CompletedTask;
}
