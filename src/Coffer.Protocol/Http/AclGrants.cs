using Coffer.Common;
using Coffer.Common.Acl;

namespace Coffer.Protocol.Http;

/// <summary>
/// Grantees and permissions as the wire spells them: the grant headers (<c>x-cos-grant-read: id="100000000001"</c>,
/// <c>x-amz-grant-full-control: id="...", uri="http://acs.amazonaws.com/groups/global/AllUsers"</c>), and the group URIs
/// and user ids of ACL documents. Ids are uins (an account, as in S3) or COS principals
/// (<c>qcs::cam::uin/&lt;root&gt;:uin/&lt;uin&gt;</c>, <c>qcs::cam::anyone:anyone</c>).
/// </summary>
public static class AclGrants
{
    public const string AwsAllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
    public const string AwsAuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    public const string AwsLogDelivery = "http://acs.amazonaws.com/groups/s3/LogDelivery";
    public const string CosAllUsers = "http://cam.qcloud.com/groups/global/AllUsers";
    public const string CosAuthenticatedUsers = "http://cam.qcloud.com/groups/global/AuthenticatedUsers";
    public const string CosAnyone = "qcs::cam::anyone:anyone";

    /// <summary>The grant headers, by the permission each gives (<c>grant-read</c> ... <c>grant-full-control</c>).</summary>
    public static readonly (string Suffix, AclGrantPermission Permission)[] Headers =
    [
        ("grant-read", AclGrantPermission.Read),
        ("grant-write", AclGrantPermission.Write),
        ("grant-read-acp", AclGrantPermission.ReadAcp),
        ("grant-write-acp", AclGrantPermission.WriteAcp),
        ("grant-full-control", AclGrantPermission.FullControl),
    ];

    /// <summary>The grants the request's grant headers make, in header order; empty when it sends none.</summary>
    public static IReadOnlyList<AclGrant> FromHeaders(string prefix, Func<string, string?> header, bool forObject)
    {
        var grants = new List<AclGrant>();
        foreach (var (suffix, permission) in Headers)
        {
            if (header(prefix + suffix) is not { } value)
            {
                continue;
            }

            if (forObject && permission == AclGrantPermission.Write)
            {
                throw new CofferException(ErrorCode.InvalidArgument, $"{prefix}{suffix} does not apply to objects: writing is granted on the bucket.");
            }

            foreach (var item in SplitList(value))
            {
                grants.Add(new AclGrant(GranteeOf(item), permission));
            }
        }

        return grants;
    }

    /// <summary>One <c>type="value"</c> item of a grant header: <c>id</c>, <c>uri</c> or <c>emailAddress</c>.</summary>
    private static AclGrantee GranteeOf(string item)
    {
        var equals = item.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"A grantee is written type=\"value\" (id, uri or emailAddress), not '{item}'.");
        }

        var type = item[..equals].Trim();
        var value = item[(equals + 1)..].Trim().Trim('"');
        return type.ToLowerInvariant() switch
        {
            "id" => ById(value),
            "uri" => ByUri(value),
            "emailaddress" => throw ByEmail(),
            _ => throw new CofferException(ErrorCode.InvalidArgument, $"Unknown grantee type '{type}' (id, uri or emailAddress)."),
        };
    }

    /// <summary>A user id: a uin names that account, a COS principal names that identity.</summary>
    public static AclGrantee ById(string id)
    {
        var trimmed = id.Trim();
        if (trimmed == CosAnyone)
        {
            return AclGrantee.AllUsers;
        }

        if (trimmed.Length is > 0 and <= 20 && trimmed.All(char.IsAsciiDigit))
        {
            return AclGrantee.Account(trimmed);
        }

        return Principals.Parse(trimmed) is { } principal
            ? new AclGrantee(AclGranteeType.User, Principals.Of(principal.RootUin, principal.Uin))
            : throw new CofferException(ErrorCode.InvalidArgument, $"Invalid id '{id}': a grantee id is a uin or qcs::cam::uin/<root>:uin/<uin>.");
    }

    public static AclGrantee ByUri(string uri) => uri.Trim() switch
    {
        AwsAllUsers or CosAllUsers => AclGrantee.AllUsers,
        AwsAuthenticatedUsers or CosAuthenticatedUsers => AclGrantee.AuthenticatedUsers,
        AwsLogDelivery => new AclGrantee(AclGranteeType.LogDelivery),
        var other => throw new CofferException(ErrorCode.InvalidArgument, $"Invalid group uri '{other}'."),
    };

    /// <summary>Accounts here have no e-mail address, so a grant to one names nobody: S3's answer for an address it cannot resolve.</summary>
    public static CofferException ByEmail() =>
        new(ErrorCode.UnresolvableGrantByEmailAddress, "Grants by e-mail address name no account here; grant by id instead.");

    public static string PermissionName(AclGrantPermission permission) => permission switch
    {
        AclGrantPermission.Read => "READ",
        AclGrantPermission.Write => "WRITE",
        AclGrantPermission.ReadAcp => "READ_ACP",
        AclGrantPermission.WriteAcp => "WRITE_ACP",
        _ => "FULL_CONTROL",
    };

    public static AclGrantPermission ParsePermission(string name) => name.Trim() switch
    {
        "READ" => AclGrantPermission.Read,
        "WRITE" => AclGrantPermission.Write,
        "READ_ACP" => AclGrantPermission.ReadAcp,
        "WRITE_ACP" => AclGrantPermission.WriteAcp,
        "FULL_CONTROL" => AclGrantPermission.FullControl,
        _ => throw new CofferException(ErrorCode.MalformedAcl, $"Unknown permission '{name}' (READ, WRITE, READ_ACP, WRITE_ACP, FULL_CONTROL)."),
    };

    /// <summary>Splits a header's comma-separated items, keeping commas inside quotes.</summary>
    private static IEnumerable<string> SplitList(string value)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i == value.Length || (value[i] == ',' && !quoted))
            {
                var item = value[start..i].Trim();
                if (item.Length > 0)
                {
                    yield return item;
                }

                start = i + 1;
            }
            else if (value[i] == '"')
            {
                quoted = !quoted;
            }
        }
    }
}
