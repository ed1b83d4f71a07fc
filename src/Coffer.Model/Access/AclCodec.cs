using System.Text.Json;
using Coffer.Common.Acl;

namespace Coffer.Model.Access;

/// <summary>
/// How an ACL is stored (a bucket's in its <c>acl</c> configuration, an object's in its version record): the canned
/// name when it is one for the bucket's owner (what records written before grants existed hold), otherwise JSON with
/// the owner and every grant, <c>{"o":"&lt;uin&gt;","g":[["&lt;grantee&gt;","READ"],...]}</c>, a grantee being a principal
/// or <c>AllUsers</c>, <c>AuthenticatedUsers</c>, <c>LogDelivery</c>.
/// </summary>
public static class AclCodec
{
    public static string Encode(AccessControlList acl, string bucketOwnerUin, bool forObject) =>
        acl.OwnerUin == bucketOwnerUin && CannedAcl.NameOf(acl, forObject) is { } name
            ? name
            : JsonSerializer.Serialize(new Stored(acl.OwnerUin, acl.Grants.Select(g => new[] { GranteeName(g.Grantee), g.Permission.ToString() }).ToArray()));

    /// <summary>The list <paramref name="text"/> holds; a canned name is expanded for the bucket's owner.</summary>
    public static AccessControlList Decode(string text, string bucketOwnerUin, bool forObject)
    {
        if (!text.StartsWith('{'))
        {
            return CannedAcl.Expand(text == CannedAcl.Default ? CannedAcl.Private : text, bucketOwnerUin, bucketOwnerUin, forObject);
        }

        var stored = JsonSerializer.Deserialize<Stored>(text) ?? throw new InvalidDataException("An empty stored ACL.");
        return new AccessControlList(stored.O, stored.G.Select(g => new AclGrant(Grantee(g[0]), Enum.Parse<AclGrantPermission>(g[1]))).ToArray());
    }

    private static string GranteeName(AclGrantee grantee) => grantee.Type == AclGranteeType.User ? grantee.Principal! : grantee.Type.ToString();

    private static AclGrantee Grantee(string name) => Enum.TryParse<AclGranteeType>(name, out var group) && Enum.IsDefined(group) && group != AclGranteeType.User
        ? new AclGrantee(group)
        : new AclGrantee(AclGranteeType.User, name);

    private sealed record Stored(string O, string[][] G);
}
