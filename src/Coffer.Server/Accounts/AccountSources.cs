using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Model.Accounts;
using Coffer.Server.Configuration;

namespace Coffer.Server.Accounts;

/// <summary>Where accounts come from, in order: the configuration file, the environment, else a dev account of the data folder.</summary>
public static class AccountSources
{
    public const string AppIdVariable = "COFFER_ROOT_APPID";
    public const string SecretIdVariable = "COFFER_ROOT_SECRET_ID";
    public const string SecretKeyVariable = "COFFER_ROOT_SECRET_KEY";
    public const string UinVariable = "COFFER_ROOT_UIN";
    public const string DevAccountFile = "dev-account.json";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The sub-accounts the configuration file declares.</summary>
    public static IReadOnlyList<SubAccount> SubAccounts(CofferConfigFile? config) =>
        (config?.Accounts ?? [])
            .SelectMany(account => (account.SubAccounts ?? []).Select(sub => new SubAccount(account.AppId, sub.Uin, sub.Name ?? sub.Uin, sub.SecretId,
                sub.SecretKey, sub.Policy is { } policy ? System.Text.Encoding.UTF8.GetBytes(policy.GetRawText()) : null)))
            .ToArray();

    /// <summary>The accounts to serve, and whether a dev account was just created (and should be shown).</summary>
    public static (IReadOnlyList<Account> Accounts, bool CreatedDevAccount) Resolve(
        CofferConfigFile? config, Func<string, string?> environment, string dataDirectory)
    {
        var accounts = Configured(config, environment);
        if (accounts.Count > 0)
        {
            return (accounts, false);
        }

        var path = Path.Combine(dataDirectory, DevAccountFile);
        if (File.Exists(path))
        {
            var saved = JsonSerializer.Deserialize<DevAccountFileContent>(File.ReadAllText(path), JsonOptions)
                ?? throw new InvalidDataException($"{path} is empty.");
            return ([new Account(saved.AppId, saved.Uin, saved.SecretId, saved.SecretKey, "dev")], false);
        }

        var dev = NewDevAccount();
        Directory.CreateDirectory(dataDirectory);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // The file holds a secret key: readable by its owner only.
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, fileOptions))
        {
            JsonSerializer.Serialize(file, new DevAccountFileContent(dev.AppId, dev.Uin, dev.SecretId, dev.SecretKey), JsonOptions);
        }

        return ([dev], true);
    }

    /// <summary>The accounts of the configuration file and the environment, without side effects (no dev account).</summary>
    public static List<Account> Configured(CofferConfigFile? config, Func<string, string?> environment)
    {
        var accounts = new List<Account>();
        foreach (var entry in config?.Accounts ?? [])
        {
            accounts.Add(new Account(entry.AppId, entry.Uin, entry.SecretId, entry.SecretKey, entry.Name ?? entry.AppId));
        }

        var appId = environment(AppIdVariable);
        var secretId = environment(SecretIdVariable);
        var secretKey = environment(SecretKeyVariable);
        if (appId is not null || secretId is not null || secretKey is not null)
        {
            if (string.IsNullOrEmpty(appId) || string.IsNullOrEmpty(secretId) || string.IsNullOrEmpty(secretKey))
            {
                throw new InvalidOperationException(
                    $"Set all three of {AppIdVariable}, {SecretIdVariable} and {SecretKeyVariable}, or none.");
            }

            var uin = environment(UinVariable) is { Length: > 0 } configuredUin ? configuredUin : appId;
            accounts.RemoveAll(a => a.AppId == appId);
            accounts.Insert(0, new Account(appId, uin, secretId, secretKey, "root"));
        }

        return accounts;
    }

    private sealed record DevAccountFileContent(string AppId, string Uin, string SecretId, string SecretKey);

    private static Account NewDevAccount()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var appId = (1250000000L + RandomNumberGenerator.GetInt32(0, 9_999_999)).ToString();
        var uin = (100000000000L + RandomNumberGenerator.GetInt32(0, int.MaxValue)).ToString();
        return new Account(
            appId,
            uin,
            "AKID" + RandomNumberGenerator.GetString(alphabet, 32),
            RandomNumberGenerator.GetString(alphabet, 32),
            "dev");
    }
}
