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
    private readonly Dictionary<string, SubAccount> _configured;

    public IdentityDirectory(AccountDirectory roots, IMetadataStore metadata, TimeProvider time, IEnumerable<SubAccount>? configured = null)
    {
        _roots = roots;
        _metadata = metadata;
        _time = time;
        _configured = new(StringComparer.Ordinal);
        foreach (var sub in configured ?? [])
        {
            if (roots.FindByAppId(sub.AppId) is null || roots.FindBySecretId(sub.SecretId) is not null || !_configured.TryAdd(sub.SecretId, sub))
            {
                throw new ArgumentException($"Sub-account {sub.Uin} needs a configured root account ({sub.AppId}) and a SecretId of its own.");
            }

            if (sub.Policy is not null)
            {
                AccessPolicy.Parse(sub.Policy, bucketPolicy: false);
            }
        }
    }

    public AccountDirectory Roots => _roots;

    /// <summary>The credential of a SecretId, or null when nobody has it. Expiry is the caller's to check (it has its own error).</summary>
    public Credential? Find(string secretId)
    {
        if (_roots.FindBySecretId(secretId) is { } root)
        {
            return new Credential(root.SecretId, root.SecretKey, new Identity(root, root.Uin, root.DisplayName));
        }

        if (_configured.TryGetValue(secretId, out var sub))
        {
            return new Credential(sub.SecretId, sub.SecretKey, new Identity(_roots.FindByAppId(sub.AppId)!, sub.Uin, sub.Name), IdentityPolicy: Policy(sub.Policy));
        }

        using var reader = _metadata.OpenReader();
        if (reader.GetCredential(secretId) is not { } stored || _roots.FindByAppId(stored.AppId) is not { } account)
        {
            return null;
        }

        var identity = new Identity(account, stored.Uin, stored.Name);
        if (stored.Kind == CredentialKinds.SubAccount)
        {
            return new Credential(stored.SecretId, stored.SecretKey, identity, IdentityPolicy: Policy(stored.Policy));
        }

        // A temporary key acts for its identity, within the identity's own policy and the one it was issued with.
        var subAccountPolicy = identity.IsRoot ? null : Policy(SubAccountPolicy(reader, stored.AppId, stored.Uin));
        return new Credential(stored.SecretId, stored.SecretKey, identity, stored.SessionToken, stored.ExpiresAt, subAccountPolicy, Policy(stored.Policy));
    }

    /// <summary>A new sub-account of <paramref name="appId"/> with one key pair and, optionally, its CAM policy (JSON).</summary>
    public async Task<CredentialRecord> CreateSubAccountAsync(string appId, string name, string? uin, byte[]? policy,
        CancellationToken cancellationToken = default)
    {
        var root = RequireRoot(appId);
        if (policy is not null)
        {
            AccessPolicy.Parse(policy, bucketPolicy: false);
        }

        var subUin = uin ?? NewUin();
        if (!subUin.All(char.IsAsciiDigit) || subUin.Length is 0 or > 20 || subUin == root.Uin)
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"A sub-account's uin is a number other than the root's ({root.Uin}).");
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
            AccessPolicy.Parse(policy, bucketPolicy: false);
        }

        if (uin != root.Uin && !_configured.Values.Any(c => c.AppId == appId && c.Uin == uin)
            && List(appId).All(c => c.Kind != CredentialKinds.SubAccount || c.Uin != uin))
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
        using var reader = _metadata.OpenReader();
        return reader.ListCredentials(appId);
    }

    public Task<bool> DeleteAsync(string secretId, CancellationToken cancellationToken = default) =>
        _metadata.WriteAsync(writer => writer.DeleteCredential(secretId), cancellationToken);

    private Account RequireRoot(string appId) =>
        _roots.FindByAppId(appId) ?? throw new CofferException(ErrorCode.InvalidArgument, $"There is no root account with APPID {appId}.");

    /// <summary>The policy of a sub-account, configured or stored.</summary>
    private byte[]? SubAccountPolicy(IMetadataReader reader, string appId, string uin) =>
        _configured.Values.FirstOrDefault(c => c.AppId == appId && c.Uin == uin)?.Policy
            ?? reader.ListCredentials(appId).FirstOrDefault(c => c.Kind == CredentialKinds.SubAccount && c.Uin == uin && c.Policy is not null)?.Policy;

    private static AccessPolicy? Policy(byte[]? json) => json is null ? null : AccessPolicy.Parse(json, bucketPolicy: false);

    private async Task<CredentialRecord> InsertAsync(CredentialRecord credential, CancellationToken cancellationToken)
    {
        await _metadata.WriteAsync(writer =>
        {
            writer.InsertCredential(credential);
            return 0;
        }, cancellationToken);
        return credential;
    }

    private static string NewSecretId() => "AKID" + RandomNumberGenerator.GetString(IdAlphabet, 32);

    private static string NewSecretKey() => RandomNumberGenerator.GetString(IdAlphabet, 32);

    private static string NewUin() => "1" + RandomNumberGenerator.GetString("0123456789", 11);
}
