using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coffer.Model.Accounts;
using Coffer.Testing;

namespace Coffer.WebConsole.Tests;

/// <summary>A real server on loopback with its web console beside it, and helpers to sign in over HTTP.</summary>
public sealed class ConsoleFixture : IAsyncDisposable
{
    private ConsoleFixture(TestServer api, ConsoleServer console)
    {
        Api = api;
        Console = console;
    }

    public TestServer Api { get; }

    public ConsoleServer Console { get; }

    public Uri ConsoleAddress => Console.BaseAddress;

    public static async Task<ConsoleFixture> StartAsync()
    {
        var api = await TestServer.StartAsync();
        var console = ConsoleServer.Create("127.0.0.1:0", api.Server.Services);
        await console.StartAsync();
        return new ConsoleFixture(api, console);
    }

    /// <summary>A client with its own cookie jar, signed in with the key when given; the CSRF token it got, if any.</summary>
    public async Task<(HttpClient Client, string? CsrfToken)> SignInAsync(string? secretId = null, string? secretKey = null)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = ConsoleAddress };
        if (secretId is null)
        {
            return (client, null);
        }

        var response = await client.PostAsJsonAsync("/api/session", new { secretId, secretKey });
        response.EnsureSuccessStatusCode();
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (client, body.GetProperty("csrfToken").GetString());
    }

    public Task<(HttpClient Client, string? CsrfToken)> SignInAsync(Account account) => SignInAsync(account.SecretId, account.SecretKey);

    public async ValueTask DisposeAsync()
    {
        await Console.DisposeAsync();
        await Api.DisposeAsync();
    }
}
