using Coffer.Composition;
using Coffer.Model.Accounts;
using Coffer.Server;
using Coffer.Storage.Encryption;
using Microsoft.Extensions.Logging;

namespace Coffer.Testing;

/// <summary>
/// A real Coffer server on a loopback port over a real SQLite file and blob folder, and a client that signs requests
/// like a COS SDK in "Ip" mode: the virtual-host name goes in Host, the connection goes to 127.0.0.1.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string Region = CosTestClient.Region;

    private readonly TempDirectory _data;
    private readonly bool _ownsData;

    private TestServer(TempDirectory data, bool ownsData, CofferServer server, TimeProvider time)
    {
        _data = data;
        _ownsData = ownsData;
        Server = server;
        Time = time;
        Client = new CosTestClient(server.BaseAddress, time);
    }

    public CofferServer Server { get; }

    public TimeProvider Time { get; }

    public string DataDirectory => _data.Path;

    public Uri BaseAddress => Server.BaseAddress;

    /// <summary>
    /// Starts a server over a fresh data folder, or over <paramref name="data"/> (which the caller keeps and deletes),
    /// with blobs encrypted under <paramref name="masterKey"/> or the data folder's own key; on <paramref name="listen"/>
    /// (<c>[::]:0</c> for a dual-stack socket, which sees IPv4 clients as IPv4-mapped IPv6 addresses).
    /// </summary>
    public static async Task<TestServer> StartAsync(
        TimeProvider? time = null, IReadOnlyList<Account>? accounts = null, InventoryServiceOptions? inventory = null, TempDirectory? data = null,
        MasterKey? masterKey = null, NotificationServiceOptions? notifications = null, MetadataLocation? metadata = null,
        TimeSpan? journalRetention = null, AccessLogServiceOptions? accessLogs = null, string listen = "127.0.0.1:0")
    {
        var folder = data ?? new TempDirectory("server");
        var clock = time ?? TimeProvider.System;
        var server = CofferServer.Create(new CofferServerOptions
        {
            DataDirectory = folder.Path,
            Metadata = metadata ?? MetadataLocation.Embedded,
            Listen = listen,
            Accounts = accounts ?? [TestAccounts.Owner, TestAccounts.Other],
            Time = clock,
            LogLevel = LogLevel.Warning,
            Inventory = inventory ?? new InventoryServiceOptions(),
            MasterKey = masterKey,
            Notifications = notifications ?? new NotificationServiceOptions(),
            JournalRetention = journalRetention ?? TimeSpan.FromDays(7),
            AccessLogs = accessLogs ?? new AccessLogServiceOptions(),
        });
        await server.StartAsync();
        return new TestServer(folder, data is null, server, clock);
    }

    public static string VirtualHost(string bucket) => CosTestClient.VirtualHost(bucket);

    public static string BucketName(string shortName, Account? account = null) => CosTestClient.BucketName(shortName, account);

    public CosTestClient Client { get; }

    public HttpRequestMessage Request(
        HttpMethod method,
        string? bucket,
        string? key = null,
        string query = "",
        HttpContent? content = null,
        Account? account = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        DateTimeOffset? signedAt = null,
        TimeSpan? lifetime = null,
        string? host = null) =>
        Client.Request(method, bucket, key, query, content, account, headers, signedAt, lifetime, host);

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => Client.SendAsync(request);

    public Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request) => Client.SendRawAsync(request);

    public Task<HttpResponseMessage> CreateBucketAsync(string bucket) => Client.CreateBucketAsync(bucket);

    public Task<HttpResponseMessage> PutObjectAsync(string bucket, string key, byte[] body, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        Client.PutObjectAsync(bucket, key, body, headers);

    public Task<HttpResponseMessage> PutMultipartObjectAsync(string bucket, string key, params byte[][] parts) =>
        Client.PutMultipartObjectAsync(bucket, key, parts);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        if (_ownsData)
        {
            _data.Dispose();
        }
    }
}
