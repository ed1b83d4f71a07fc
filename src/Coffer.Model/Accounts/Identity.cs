using Coffer.Model.Access;

namespace Coffer.Model.Accounts;

/// <summary>Who signs a request: a root account itself (its uin is the root's), or one of its sub-accounts.</summary>
public sealed record Identity(Account Root, string Uin, string? Name)
{
    public bool IsRoot => Uin == Root.Uin;

    /// <summary>How policies name this identity: <c>qcs::cam::uin/&lt;root uin&gt;:uin/&lt;uin&gt;</c>.</summary>
    public string Principal => $"qcs::cam::uin/{Root.Uin}:uin/{Uin}";
}

/// <summary>
/// A key a request was signed with: whose it is, the session token a temporary key must come with and when it expires,
/// the policy of the identity (a sub-account's CAM policy) and the policy the temporary key was issued with, if any.
/// </summary>
public sealed record Credential(
    string SecretId,
    string SecretKey,
    Identity Identity,
    string? SessionToken = null,
    DateTimeOffset? ExpiresAt = null,
    AccessPolicy? IdentityPolicy = null,
    AccessPolicy? SessionPolicy = null)
{
    public bool IsTemporary => SessionToken is not null;
}

/// <summary>A sub-account declared in the configuration file (others are made by <c>coffer admin</c> and stored).</summary>
public sealed record SubAccount(string AppId, string Uin, string Name, string SecretId, string SecretKey, byte[]? Policy);
