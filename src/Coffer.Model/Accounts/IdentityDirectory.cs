using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Model.Access;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model.Accounts;

/// <summary>
/// Every key the server accepts: the configured root accounts' and sub-accounts', and the sub-account and temporary keys
/// stored in the metadata (made by <c>coffer admin</c>, which may run beside a server: stored keys are read afresh on
/// each lookup).
/// </summary>
public sealed class IdentityDirectory
{
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly AccountDirectory _roots;
    private readonly IMetadataStore _metadata;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, (SubAccount Account, AccessPolicy? Policy)> _configured;

    public IdentityDirectory(AccountDirectory roots, IMetadataStore metadata, TimeProvider time, IEnumerable<SubAccount>? configured = null)
    {
        _roots = roots;
        _metadata = metadata;
        _time = time;
        _configured = Configured(roots, configured ?? []);
    }

    /// <summary>
    /// Checks configured sub-accounts as the constructor does, before anything is opened (for <c>coffer serve</c> to
    /// refuse a configuration it cannot honour before it creates a data folder): ArgumentException names what is wrong.
    /// </summary>
    public static void CheckConfigured(AccountDirectory roots, IEnumerable<SubAccount> configured) => Configured(roots, configured);

    private static Dictionary<string, (SubAccount Account, AccessPolicy? Policy)> Configured(AccountDirectory roots, IEnumerable<SubAccount> configured)
    {
        var accounts = new Dictionary<string, (SubAccount Account, AccessPolicy? Policy)>(StringComparer.Ordinal);
        foreach (var sub in configured)
        {
            if (roots.FindByAppId(sub.AppId) is not { } root || roots.FindBySecretId(sub.SecretId) is not null || accounts.ContainsKey(sub.SecretId))
            {
                throw new ArgumentException($"Sub-account {sub.Uin} needs a configured root account ({sub.AppId}) and a SecretId of its own.");
            }

            if (!IsSubAccountUin(sub.Uin, root))
            {
                throw new ArgumentException($"Sub-account {sub.Uin}: a sub-account's uin is a number other than its root's ({root.Uin}).");
            }

            accounts.Add(sub.SecretId, (sub, ConfiguredPolicy(sub)));
        }

        return accounts;
    }

    public AccountDirectory Roots => _roots;

    /// <summary>The credential of a SecretId, or null when nobody has it. Expiry is the caller's to check (it has its own error).</summary>
    public Credential? Find(string secretId)
    {
        if (_roots.FindBySecretId(secretId) is { } root)
        {
            return new Credential(root.SecretId, root.SecretKey, new Identity(root, root.Uin, root.DisplayName));
        }

        if (_configured.TryGetValue(secretId, out var configured))
        {
            var sub = configured.Account;
            return new Credential(sub.SecretId, sub.SecretKey, new Identity(_roots.FindByAppId(sub.AppId)!, sub.Uin, sub.Name), IdentityPolicy: configured.Policy);
        }

        using var reader = _metadata.OpenSnapshot();
        if (reader.Credentials.Get(secretId) is not { } stored || _roots.FindByAppId(stored.AppId) is not { } account)
        {
            return null;
        }

        var identity = new Identity(account, stored.Uin, stored.Name);
        if (stored.Kind == CredentialKinds.SubAccount)
        {
            return new Credential(stored.SecretId, stored.SecretKey, identity, IdentityPolicy: Policy(stored.Policy));
        }

        // A temporary key acts for its identity, within the identity's own policy and the one it was issued with; a
        // sub-account's temporary keys die with the sub-account.
        AccessPolicy? subAccountPolicy = null;
        if (!identity.IsRoot)
        {
            if (ConfiguredSubAccount(stored.AppId, stored.Uin) is { } declared)
            {
                subAccountPolicy = declared.Policy;
            }
            else if (reader.Credentials.List(stored.AppId, stored.Uin).FirstOrDefault(c => c.Kind == CredentialKinds.SubAccount) is { } sub)
            {
                subAccountPolicy = Policy(sub.Policy);
            }
            else
            {
                return null;
            }
        }

        return new Credential(stored.SecretId, stored.SecretKey, identity, stored.SessionToken, stored.ExpiresAt, subAccountPolicy, Policy(stored.Policy));
    }

    /// <summary>A new sub-account of <paramref name="appId"/> with one key pair and, optionally, its CAM policy (JSON).</summary>
    public async Task<CredentialRecord> CreateSubAccountAsync(string appId, string name, string? uin, byte[]? policy,
        CancellationToken cancellationToken = default)
    {
        var root = RequireRoot(appId);
        if (policy is not null)
        {
            AccessPolicy.Parse(policy, bucketPolicy: false).RequireEvaluableConditions();
        }

        var subUin = uin ?? NewUin();
        if (!IsSubAccountUin(subUin, root))
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"A sub-account's uin is a number other than the root's ({root.Uin}).");
        }

        if (ConfiguredSubAccount(appId, subUin) is not null || SubAccountExists(appId, subUin))
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"Account {appId} already has a sub-account with uin {subUin}.");
        }

        return await InsertAsync(new CredentialRecord
        {
            SecretId = NewSecretId(),
            SecretKey = NewSecretKey(),
            Kind = CredentialKinds.SubAccount,
            AppId = appId,
            Uin = subUin,
            Name = name,
            Policy = policy,
            CreatedAt = _time.GetUtcNow(),
        }, cancellationToken);
    }

    /// <summary>
    /// A temporary key for an identity of <paramref name="appId"/> (the root's uin, or a sub-account's), valid for
    /// <paramref name="lifetime"/>, optionally narrowed by a policy (JSON).
    /// </summary>
    public async Task<CredentialRecord> CreateTemporaryKeyAsync(string appId, string uin, TimeSpan lifetime, byte[]? policy,
        CancellationToken cancellationToken = default)
    {
        var root = RequireRoot(appId);
        if (lifetime <= TimeSpan.Zero || lifetime > TimeSpan.FromHours(36))
        {
            throw new CofferException(ErrorCode.InvalidArgument, "A temporary key lives between 1 second and 36 hours.");
        }

        if (policy is not null)
        {
            AccessPolicy.Parse(policy, bucketPolicy: false).RequireEvaluableConditions();
        }

        if (uin != root.Uin && ConfiguredSubAccount(appId, uin) is null && !SubAccountExists(appId, uin))
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"Account {appId} has no identity with uin {uin}.");
        }

        var now = _time.GetUtcNow();
        return await InsertAsync(new CredentialRecord
        {
            SecretId = NewSecretId(),
            SecretKey = NewSecretKey(),
            Kind = CredentialKinds.Temporary,
            AppId = appId,
            Uin = uin,
            SessionToken = RandomNumberGenerator.GetString(IdAlphabet, 64),
            ExpiresAt = DateTimeOffset.FromUnixTimeSeconds((now + lifetime).ToUnixTimeSeconds()),
            Policy = policy,
            CreatedAt = now,
        }, cancellationToken);
    }

    public IReadOnlyList<CredentialRecord> List(string appId)
    {
        RequireRoot(appId);
        using var reader = _metadata.OpenSnapshot();
        return reader.Credentials.List(appId);
    }

    public Task<bool> DeleteAsync(string secretId, CancellationToken cancellationToken = default) =>
        _metadata.WriteAsync(writer => writer.Credentials.Delete(secretId), cancellationToken);

    private Account RequireRoot(string appId) =>
        _roots.FindByAppId(appId) ?? throw new CofferException(ErrorCode.InvalidArgument, $"There is no root account with APPID {appId}.");

    private (SubAccount Account, AccessPolicy? Policy)? ConfiguredSubAccount(string appId, string uin)
    {
        foreach (var entry in _configured.Values)
        {
            if (entry.Account.AppId == appId && entry.Account.Uin == uin)
            {
                return entry;
            }
        }

        return null;
    }

    private bool SubAccountExists(string appId, string uin)
    {
        using var reader = _metadata.OpenSnapshot();
        return reader.Credentials.List(appId, uin).Any(c => c.Kind == CredentialKinds.SubAccount);
    }

    private static AccessPolicy? Policy(byte[]? json) => json is null ? null : AccessPolicy.Parse(json, bucketPolicy: false);

    /// <summary>
    /// A configured sub-account's policy, held to what one set through the API must meet: a condition key or operator
    /// not evaluated here would leave the policy silently unenforced, so the configuration is refused, naming it.
    /// </summary>
    private static AccessPolicy? ConfiguredPolicy(SubAccount sub)
    {
        try
        {
            var policy = Policy(sub.Policy);
            policy?.RequireEvaluableConditions();
            return policy;
        }
        catch (CofferException error)
        {
            throw new ArgumentException($"Sub-account {sub.Name} ({sub.Uin}, of APPID {sub.AppId}): its policy in the configuration: {error.Message}", error);
        }
    }

    /// <summary>Stores a credential; expired temporary keys are removed on the way, so they never pile up.</summary>
    private async Task<CredentialRecord> InsertAsync(CredentialRecord credential, CancellationToken cancellationToken)
    {
        await _metadata.WriteAsync(writer =>
        {
            writer.Credentials.DeleteExpired(credential.CreatedAt);
            writer.Credentials.Insert(credential);
            return 0;
        }, cancellationToken);
        return credential;
    }

    /// <summary>A sub-account's uin is a number, and never its root's: that one is the root itself.</summary>
    private static bool IsSubAccountUin(string uin, Account root) => uin.Length is > 0 and <= 20 && uin.All(char.IsAsciiDigit) && uin != root.Uin;

    private static string NewSecretId() => "AKID" + RandomNumberGenerator.GetString(IdAlphabet, 32);

    private static string NewSecretKey() => RandomNumberGenerator.GetString(IdAlphabet, 32);

    private static string NewUin() => "1" + RandomNumberGenerator.GetString("0123456789", 11);
}
