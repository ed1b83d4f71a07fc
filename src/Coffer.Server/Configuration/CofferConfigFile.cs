using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Server.Configuration;

/// <summary>
/// The optional JSON configuration file (<c>--config</c>). Every field is optional; command-line flags win.
/// <code>
/// { "listen": "127.0.0.1:9000", "data": "./coffer-data", "region": "ap-guangzhou",
///   "domains": ["cos.{region}.myqcloud.com"], "logLevel": "Debug",
///   "accounts": [{ "appId": "1250000000", "uin": "100000000001", "secretId": "AKID...", "secretKey": "...", "name": "ops" }] }
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
    };

    public string? Listen { get; init; }

    public string? Data { get; init; }

    public string? Region { get; init; }

    public IReadOnlyList<string>? Domains { get; init; }

    public string? LogLevel { get; init; }

    public IReadOnlyList<AccountEntry>? Accounts { get; init; }

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
            throw new InvalidDataException($"{path} is not a valid Coffer configuration: {e.Message}", e);
        }
    }

    public sealed record AccountEntry(string AppId, string Uin, string SecretId, string SecretKey, string? Name);
}
