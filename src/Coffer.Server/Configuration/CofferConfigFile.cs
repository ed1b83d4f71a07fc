using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Server.Configuration;

/// <summary>
/// The optional JSON configuration file (<c>--config</c>). Every field is optional; command-line flags win.
/// <code>
/// { "listen": "127.0.0.1:9000", "data": "./coffer-data", "metadata": "postgres://coffer@db:5432/coffer", "region": "ap-guangzhou",
///   "domains": ["cos.{region}.myqcloud.com"], "logLevel": "Debug",
///   "accounts": [{ "appId": "1250000000", "uin": "100000000001", "secretId": "AKID...", "secretKey": "...", "name": "ops",
///                  "subAccounts": [{ "uin": "100000000011", "secretId": "AKID...", "secretKey": "...", "name": "ci", "policy": { } }] }],
///   "masterKey": "&lt;32 bytes in base64&gt;" }
/// </code>
/// </summary>
public sealed record CofferConfigFile
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
    };

    public string? Listen { get; init; }

    public string? Data { get; init; }

    /// <summary>Where the metadata lives: absent or <c>sqlite</c> for the data folder's database, or <c>postgres://USER[:PASSWORD]@HOST:PORT/DB</c>.</summary>
    public string? Metadata { get; init; }

    public string? Region { get; init; }

    public IReadOnlyList<string>? Domains { get; init; }

    public string? LogLevel { get; init; }

    public IReadOnlyList<AccountEntry>? Accounts { get; init; }

    public InventorySection? Inventory { get; init; }

    public BatchSection? Batch { get; init; }
    public NotificationsSection? Notifications { get; init; }

    public JournalSection? Journal { get; init; }

    public AccessLogsSection? AccessLogs { get; init; }

    /// <summary>Whether <c>coffer serve</c> warms its request path up right after start (<see cref="CofferServerOptions.WarmUpRequests"/>); on unless false.</summary>
    public bool? RequestWarmUp { get; init; }

    /// <summary>The master key for encryption at rest, base64 (32 bytes); without it the data folder's <c>master.key</c> is used.</summary>
    public string? MasterKey { get; init; }

    /// <summary>The configured master key, or null to use the data folder's.</summary>
    public Storage.Encryption.MasterKey? ReadMasterKey()
    {
        try
        {
            return MasterKey is { } text ? Storage.Encryption.MasterKey.FromBase64(text) : null;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"masterKey in the configuration: {e.Message}", e);
        }
    }

    public static CofferConfigFile Load(string path)
    {
        using var stream = File.OpenRead(path);
        try
        {
            return JsonSerializer.Deserialize<CofferConfigFile>(stream, JsonOptions)
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {Where(e)}", e);
        }
    }

    /// <summary>
    /// What is wrong and where, in one line: the parser's sentence without its own location suffix, then the setting
    /// (<c>$.journal.retentionDays</c>) and the line and position, counted from 1 as editors do.
    /// </summary>
    private static string Where(JsonException error)
    {
        var what = error.Message;
        foreach (var suffix in (string[])[" Path: ", " LineNumber: "])
        {
            if (what.IndexOf(suffix, StringComparison.Ordinal) is > 0 and var at)
            {
                what = what[..at];
            }
        }

        var setting = string.IsNullOrEmpty(error.Path) || error.Path == "$" ? "" : $"at {error.Path}, ";
        return error.LineNumber is { } line
            ? $"{what.TrimEnd('.')} ({setting}line {line + 1}, position {error.BytePositionInLine + 1})"
            : $"{what.TrimEnd('.')}{(setting.Length > 0 ? $" ({setting.TrimEnd(',', ' ')})" : "")}";
    }

    /// <summary>A root account, with optional sub-accounts: <c>"subAccounts": [{ "uin": "...", "secretId": "...", "secretKey": "...", "name": "ci", "policy": { ... } }]</c>.</summary>
    public sealed record AccountEntry(string AppId, string Uin, string SecretId, string SecretKey, string? Name, IReadOnlyList<SubAccountEntry>? SubAccounts = null);

    /// <summary>A sub-account and its CAM policy (a JSON object in the policy language, version 2.0), if any.</summary>
    public sealed record SubAccountEntry(string Uin, string SecretId, string SecretKey, string? Name, JsonElement? Policy);

    /// <summary>
    /// <c>"notifications": { "targets": [{ "id": "orders", "endpoint": "https://hooks.example/coffer", "authorization": "Bearer ...",
    /// "queueLimit": 100000 }], "leaseSeconds": 60, "parallelism": 64, "retryBaseMilliseconds": 1000, "retryMaxSeconds": 300 }</c>:
    /// the webhooks rules name as <c>arn:coffer:sqs::orders:webhook</c>.
    /// </summary>
    public sealed record NotificationsSection(IReadOnlyList<TargetEntry>? Targets, int? LeaseSeconds, int? Parallelism, int? RetryBaseMilliseconds,
        int? RetryMaxSeconds)
    {
        public NotificationServiceOptions ToOptions()
        {
            var defaults = new NotificationServiceOptions();
            var targets = (Targets ?? []).Select(t => t.ToTarget()).ToArray();
            if (targets.GroupBy(t => t.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                throw new InvalidDataException($"notifications.targets names '{twice.Key}' twice.");
            }

            return new NotificationServiceOptions
            {
                Targets = targets,
                Lease = LeaseSeconds is { } lease ? TimeSpan.FromSeconds(lease) : defaults.Lease,
                Parallelism = Parallelism ?? defaults.Parallelism,
                RetryBase = RetryBaseMilliseconds is { } retry ? TimeSpan.FromMilliseconds(retry) : defaults.RetryBase,
                RetryMax = RetryMaxSeconds is { } max ? TimeSpan.FromSeconds(max) : defaults.RetryMax,
            };
        }
    }

    /// <summary>One webhook: its id, where events are POSTed, an optional Authorization header, and its queue limit.</summary>
    public sealed record TargetEntry(string Id, string Endpoint, string? Authorization, int? QueueLimit)
    {
        public Model.Notifications.NotificationTarget ToTarget()
        {
            if (string.IsNullOrEmpty(Id) || !Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                throw new InvalidDataException($"notifications.targets: the id '{Id}' must be letters, digits, '-' and '_'.");
            }

            if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                throw new InvalidDataException($"notifications.targets '{Id}': the endpoint '{Endpoint}' is not an http(s) URL.");
            }

            return new Model.Notifications.NotificationTarget(Id, endpoint, Authorization, QueueLimit ?? Model.Notifications.NotificationTarget.DefaultQueueLimit);
        }
    }

    /// <summary><c>"accessLogs": { "flushSeconds": 60 }</c>: how often buffered server access-log records are written to their target buckets.</summary>
    public sealed record AccessLogsSection(double? FlushSeconds)
    {
        public AccessLogServiceOptions ToOptions() => FlushSeconds is { } seconds
            ? seconds > 0 ? new AccessLogServiceOptions { FlushInterval = TimeSpan.FromSeconds(seconds) } : throw new InvalidDataException("accessLogs.flushSeconds must be more than 0.")
            : new AccessLogServiceOptions();
    }

    /// <summary><c>"journal": { "retentionDays": 7 }</c>: how long changes are kept for incremental and diff reports.</summary>
    public sealed record JournalSection(double? RetentionDays)
    {
        public TimeSpan Retention => RetentionDays is { } days
            ? days > 0 ? TimeSpan.FromDays(days) : throw new InvalidDataException("journal.retentionDays must be more than 0.")
            : TimeSpan.FromDays(7);
    }

    /// <summary>
    /// <c>"inventory": { "maxPartBytes": 1073741824, "leaseSeconds": 120, "timeOfDay": "02:00", "weeklyDay": "Sunday", "pollMilliseconds": 1000,
    /// "workers": 2, "partitionRows": 1000000, "minPartitionRows": 250000, "warmUp": true }</c>. <c>warmUp</c> is on unless
    /// set to false (<see cref="InventoryServiceOptions.WarmUp"/>).
    /// </summary>
    public sealed record InventorySection(long? MaxPartBytes, int? LeaseSeconds, string? TimeOfDay, DayOfWeek? WeeklyDay, int? PollMilliseconds,
        int? Workers = null, long? PartitionRows = null, long? MinPartitionRows = null, bool? WarmUp = null)
    {
        /// <summary>What <c>coffer serve</c> runs with when the file has no inventory section.</summary>
        public static InventorySection Defaults { get; } = new(null, null, null, null, null);

        public InventoryServiceOptions ToOptions()
        {
            var defaults = new InventoryServiceOptions();
            return new InventoryServiceOptions
            {
                WarmUp = WarmUp ?? true,
                MaxPartBytes = MaxPartBytes ?? defaults.MaxPartBytes,
                Lease = LeaseSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : defaults.Lease,
                TimeOfDay = TimeOfDay is { } time
                    ? TimeOnly.TryParse(time, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                        ? parsed
                        : throw new InvalidDataException($"inventory.timeOfDay '{time}' is not a time of day such as 02:00.")
                    : defaults.TimeOfDay,
                WeeklyDay = WeeklyDay ?? defaults.WeeklyDay,
                PollInterval = PollMilliseconds is { } poll ? TimeSpan.FromMilliseconds(poll) : defaults.PollInterval,
                Workers = Workers is { } workers and > 0 ? workers : defaults.Workers,
                PartitionRows = PartitionRows is { } rows and > 0 ? rows : defaults.PartitionRows,
                MinPartitionRows = MinPartitionRows is { } fewest and > 0 ? fewest : defaults.MinPartitionRows,
            };
        }
    }

    /// <summary><c>"batch": { "leaseSeconds": 120, "chunkSize": 1000, "parallelism": 4, "pollMilliseconds": 1000, "worker": true }</c>.</summary>
    public sealed record BatchSection(int? LeaseSeconds, int? ChunkSize, int? Parallelism, int? PollMilliseconds, bool? Worker)
    {
        public BatchServiceOptions ToOptions()
        {
            var defaults = new BatchServiceOptions();
            return new BatchServiceOptions
            {
                RunWorker = Worker ?? defaults.RunWorker,
                Lease = LeaseSeconds is { } seconds ? TimeSpan.FromSeconds(Positive(seconds, "leaseSeconds")) : defaults.Lease,
                ChunkSize = ChunkSize is { } size ? Positive(size, "chunkSize") : defaults.ChunkSize,
                Parallelism = Parallelism is { } parallelism ? Positive(parallelism, "parallelism") : defaults.Parallelism,
                PollInterval = PollMilliseconds is { } poll ? TimeSpan.FromMilliseconds(Positive(poll, "pollMilliseconds")) : defaults.PollInterval,
            };
        }

        private static int Positive(int value, string name) =>
            value > 0 ? value : throw new InvalidDataException($"batch.{name} must be a positive number, not {value}.");
    }
}
