using Coffer.Common;

namespace Coffer.Model.Accounts;

/// <summary>The accounts this server knows, looked up by SecretId (to verify signatures) or APPID (bucket owners).</summary>
public sealed class AccountDirectory
{
    private readonly Dictionary<string, Account> _bySecretId;
    private readonly Dictionary<string, Account> _byAppId;

    public AccountDirectory(IEnumerable<Account> accounts)
    {
        Accounts = accounts.ToArray();
        _bySecretId = new(StringComparer.Ordinal);
        _byAppId = new(StringComparer.Ordinal);
        foreach (var account in Accounts)
        {
            if (!BucketName.IsValidAppId(account.AppId))
            {
                throw new ArgumentException($"APPID '{account.AppId}' must be a number without leading zeros.");
            }

            if (string.IsNullOrEmpty(account.SecretId) || string.IsNullOrEmpty(account.SecretKey))
            {
                throw new ArgumentException($"Account {account.AppId} needs a SecretId and a SecretKey.");
            }

            if (!_bySecretId.TryAdd(account.SecretId, account))
            {
                throw new ArgumentException($"SecretId '{account.SecretId}' is used by two accounts.");
            }

            if (!_byAppId.TryAdd(account.AppId, account))
            {
                throw new ArgumentException($"APPID '{account.AppId}' is configured twice.");
            }
        }
    }

    public IReadOnlyList<Account> Accounts { get; }

    public Account? FindBySecretId(string secretId) => _bySecretId.GetValueOrDefault(secretId);

    public Account? FindByAppId(string appId) => _byAppId.GetValueOrDefault(appId);

    /// <summary>The root account with this uin, or null.</summary>
    public Account? FindByUin(string uin) => Accounts.FirstOrDefault(a => a.Uin == uin);
}
