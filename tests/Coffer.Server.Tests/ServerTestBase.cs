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
    private TestServer? _server;
    private S3TestClient? _s3;

    protected TestServer Server => _server ?? throw new InvalidOperationException("The server is not started.");

    protected S3TestClient S3 => _s3 ?? throw new InvalidOperationException("The server is not started.");

    protected string Bucket { get; } = TestServer.BucketName(bucket);

    public async Task InitializeAsync()
    {
        try
        {
            _engine = engine?.Invoke();
            _server = await TestServer.StartAsync(metadata: _engine?.Location);
            _s3 = new S3TestClient(_server.BaseAddress);
            (await _server.CreateBucketAsync(Bucket)).EnsureSuccessStatusCode();
            await SeedAsync();
        }
        catch
        {
            // xunit does not call DisposeAsync when InitializeAsync fails: the server and database started so far go here.
            await ReleaseAsync();
            throw;
        }
    }

    public virtual Task DisposeAsync() => ReleaseAsync();

    /// <summary>Stops whatever of the client, server and database was started; the database goes even if the server's disposal throws.</summary>
    private async Task ReleaseAsync()
    {
        try
        {
            _s3?.Dispose();
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
        finally
        {
            _engine?.Dispose();
        }
    }

    /// <summary>What a class puts on the server before each of its tests, once the bucket is there.</summary>
    protected virtual Task SeedAsync() => Task.CompletedTask;
}
