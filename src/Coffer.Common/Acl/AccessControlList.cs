namespace Coffer.Common.Acl;

/// <summary>What a grant gives, as COS and S3 name it on the wire.</summary>
public enum AclGrantPermission
{
    Read,
    Write,
    ReadAcp,
    WriteAcp,
    FullControl,
}

/// <summary>Who a grant is for: one identity (by its CAM principal), or one of the predefined groups.</summary>
public enum AclGranteeType
{
    /// <summary>An identity, named by its principal <c>qcs::cam::uin/&lt;root&gt;:uin/&lt;uin&gt;</c>; a root's principal names its account.</summary>
    User,

    /// <summary>Everyone, signed or not (S3's <c>AllUsers</c> group, COS's <c>qcs::cam::anyone:anyone</c>).</summary>
    AllUsers,

    /// <summary>Anyone who signs the request with a key of some account.</summary>
    AuthenticatedUsers,

    /// <summary>S3's log delivery group; no request here is made by it.</summary>
    LogDelivery,
}

/// <param name="Principal">For <see cref="AclGranteeType.User"/>: the CAM principal; null for groups.</param>
public sealed record AclGrantee(AclGranteeType Type, string? Principal = null)
{
    public static AclGrantee AllUsers { get; } = new(AclGranteeType.AllUsers);

    public static AclGrantee AuthenticatedUsers { get; } = new(AclGranteeType.AuthenticatedUsers);

    /// <summary>The account whose root has this uin (its principal names the account).</summary>
    public static AclGrantee Account(string uin) => new(AclGranteeType.User, Principals.Root(uin));

    /// <summary>A group that makes a resource public: everyone, or anyone signed.</summary>
    public bool IsPublic => Type is AclGranteeType.AllUsers or AclGranteeType.AuthenticatedUsers;
}

public sealed record AclGrant(AclGrantee Grantee, AclGrantPermission Permission);

/// <summary>
/// An access control list: the owner (a root account's uin) and the grants. The owner may always read and write the
/// list itself, as in S3; what else it may do is granted like anyone's (every canned ACL starts by granting it full control).
/// </summary>
public sealed record AccessControlList(string OwnerUin, IReadOnlyList<AclGrant> Grants)
{
    /// <summary>The most grants one ACL may hold (S3's limit).</summary>
    public const int MaxGrants = 100;

    public static AccessControlList Private(string ownerUin) => new(ownerUin, [new AclGrant(AclGrantee.Account(ownerUin), AclGrantPermission.FullControl)]);

    /// <summary>True when a grant gives something to everyone or to anyone signed.</summary>
    public bool IsPublic => Grants.Any(g => g.Grantee.IsPublic);

    /// <summary>The same list without the grants to public groups (what IgnorePublicAcls leaves).</summary>
    public AccessControlList WithoutPublicGrants() => this with { Grants = Grants.Where(g => !g.Grantee.IsPublic).ToArray() };

    public bool Equals(AccessControlList? other) =>
        other is not null && OwnerUin == other.OwnerUin && Grants.SequenceEqual(other.Grants);

    public override int GetHashCode() => HashCode.Combine(OwnerUin, Grants.Count);
}

/// <summary>How CAM principals are spelled.</summary>
public static class Principals
{
    /// <summary>A root account's principal, which also names its account: <c>qcs::cam::uin/&lt;uin&gt;:uin/&lt;uin&gt;</c>.</summary>
    public static string Root(string uin) => $"qcs::cam::uin/{uin}:uin/{uin}";

    /// <summary>An identity's principal: <c>qcs::cam::uin/&lt;root&gt;:uin/&lt;uin&gt;</c>.</summary>
    public static string Of(string rootUin, string uin) => $"qcs::cam::uin/{rootUin}:uin/{uin}";

    /// <summary>The (root uin, uin) of a principal of that shape; null for anything else.</summary>
    public static (string RootUin, string Uin)? Parse(string principal)
    {
        const string prefix = "qcs::cam::uin/";
        if (!principal.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = principal[prefix.Length..];
        var separator = rest.IndexOf(":uin/", StringComparison.Ordinal);
        if (separator <= 0)
        {
            return null;
        }

        var root = rest[..separator];
        var uin = rest[(separator + ":uin/".Length)..];
        return IsUin(root) && IsUin(uin) ? (root, uin) : null;
    }

    private static bool IsUin(string text) => text.Length is > 0 and <= 20 && text.All(char.IsAsciiDigit);
}
