using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// Where most API test classes start: a fresh server per test (xunit makes a class instance per test), one bucket of the
/// owner's on it, and a SigV4 client for the S3 dialect beside the server's own COS client.
/// </summary>
public abstract class ServerTestBase(string bucket) : IAsyncLifetime
{
    protected TestServer Server { get; private set; } = null!;

    protected S3TestClient S3 { get; private set; } = null!;

    protected string Bucket { get; } = TestServer.BucketName(bucket);

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync();
        S3 = new S3TestClient(Server.BaseAddress);
        (await Server.CreateBucketAsync(Bucket)).EnsureSuccessStatusCode();
        await SeedAsync();
    }

    public virtual async Task DisposeAsync()
    {
        S3.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>What a class puts on the server before each of its tests, once the bucket is there.</summary>
    protected virtual Task SeedAsync() => Task.CompletedTask;
}
