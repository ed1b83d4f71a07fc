using System.Text;
using System.Text.Json;
using Coffer.Common.Acl;
using Coffer.Model.Access;
using Coffer.Model.Objects;

namespace Coffer.Inventory.Reports;

/// <summary>
/// The ObjectOwner and ObjectAccessControlList columns of S3 reports. The ACL is the base64 of the JSON document AWS
/// documents, <c>{"version":"2022-11-10","status":"AVAILABLE","grants":[{"permission":"READ","type":"CanonicalUser","canonicalId":"..."}]}</c>,
/// ids being uins as S3 requests see them; an object without an ACL of its own reports the bucket's, which it follows.
/// In a bucket whose ownership controls disable ACLs every object is its owner's, with full control (as S3 reads ACLs
/// back then), whoever wrote it and whatever ACL it was written with before.
/// </summary>
internal static class ObjectAclReport
{
    private const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
    private const string AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    private const string LogDelivery = "http://acs.amazonaws.com/groups/s3/LogDelivery";

    public static string Owner(ObjectInfo o, ReportContext context) => !context.AclsDisabled && o.Acl is { } text && text.StartsWith('{')
        ? AclCodec.Decode(text, context.OwnerId, forObject: true).OwnerUin
        : context.OwnerId;

    public static string Json(ObjectInfo o, ReportContext context)
    {
        var stored = context.AclsDisabled ? "" : o.Acl ?? "";
        if (!context.ReportedAcls.TryGetValue(stored, out var reported))
        {
            var acl = context.AclsDisabled ? AccessControlList.Private(context.OwnerId)
                : o.Acl is { } text ? AclCodec.Decode(text, context.OwnerId, forObject: true)
                : context.BucketAcl ?? AccessControlList.Private(context.OwnerId);
            reported = Convert.ToBase64String(Encoding.UTF8.GetBytes(Document(acl)));
            context.ReportedAcls[stored] = reported;
        }

        return reported;
    }

    private static string Document(AccessControlList acl)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("version", "2022-11-10");
            json.WriteString("status", "AVAILABLE");
            json.WriteStartArray("grants");
            foreach (var grant in acl.Grants)
            {
                json.WriteStartObject();
                json.WriteString("permission", Permission(grant.Permission));
                if (grant.Grantee.Type == AclGranteeType.User)
                {
                    json.WriteString("type", "CanonicalUser");
                    json.WriteString("canonicalId", Principals.Parse(grant.Grantee.Principal!)?.Uin ?? grant.Grantee.Principal);
                }
                else
                {
                    json.WriteString("type", "Group");
                    json.WriteString("uri", grant.Grantee.Type switch
                    {
                        AclGranteeType.AllUsers => AllUsers,
                        AclGranteeType.AuthenticatedUsers => AuthenticatedUsers,
                        _ => LogDelivery,
                    });
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Permission(AclGrantPermission permission) => permission switch
    {
        AclGrantPermission.Read => "READ",
        AclGrantPermission.Write => "WRITE",
        AclGrantPermission.ReadAcp => "READ_ACP",
        AclGrantPermission.WriteAcp => "WRITE_ACP",
        _ => "FULL_CONTROL",
    };
}
