using Coffer.Testing;

namespace Coffer.Host.Tests;

/// <summary>
/// Where the command tests start: a real server process over a data folder of its own, a COS client for it, a source
/// bucket holding small objects (<paramref name="keys"/>) and a second bucket for what the commands write; and the
/// coffer executable, run against that server with the owner's key in its environment.
/// </summary>
public abstract class CommandTestBase(string folder, string source, string target, params string[] keys) : IAsyncLifetime
{
    protected TempDirectory Data { get; } = new(folder);

    protected CofferProcess Server { get; private set; } = null!;

    protected CosTestClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await CofferProcess.StartAsync(Data.Path);
        Client = new CosTestClient(Server.BaseAddress, TimeProvider.System);
        (await Client.CreateBucketAsync(source)).EnsureSuccessStatusCode();
        (await Client.CreateBucketAsync(target)).EnsureSuccessStatusCode();
        foreach (var key in keys)
        {
            (await Client.PutObjectAsync(source, key, "xy"u8.ToArray())).EnsureSuccessStatusCode();
        }

        await SeedAsync();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Data.Dispose();
    }

    /// <summary>What a class adds before each of its tests, once the buckets and objects are there.</summary>
    protected virtual Task SeedAsync() => Task.CompletedTask;

    /// <summary>Runs <c>coffer</c> against the server with the owner's key.</summary>
    protected Task<(int ExitCode, string Output, string Error)> CofferAsync(params string[] arguments) =>
        CofferProcess.RunAsync(arguments, new Dictionary<string, string>
        {
            ["COFFER_ENDPOINT"] = Server.BaseAddress.ToString(),
            ["COFFER_SECRET_ID"] = TestAccounts.Owner.SecretId,
            ["COFFER_SECRET_KEY"] = TestAccounts.Owner.SecretKey,
        });
}
