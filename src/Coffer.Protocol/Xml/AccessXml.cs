using System.Xml.Linq;
using Coffer.Common;
using Coffer.Common.Acl;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Xml;

/// <summary>The ACL body of PUT Bucket acl and PUT Object acl, and the small access documents of S3.</summary>
public static class AccessXml
{
    /// <summary>
    /// <c>&lt;AccessControlPolicy&gt;&lt;Owner/&gt;&lt;AccessControlList&gt;&lt;Grant&gt;&lt;Grantee xsi:type=".."&gt;..&lt;/Grantee&gt;&lt;Permission/&gt;</c>.
    /// The owner element, if any, is not read: an owner is never changed by its ACL. A grantee is a CanonicalUser (ID),
    /// a Group (URI) or an AmazonCustomerByEmail (EmailAddress), recognised by its type or by the element it has.
    /// </summary>
    public static IReadOnlyList<AclGrant> ReadAccessControlPolicy(XElement root)
    {
        if (root.Name.LocalName != "AccessControlPolicy")
        {
            throw new CofferException(ErrorCode.MalformedAcl, $"Expected AccessControlPolicy, found {root.Name.LocalName}.");
        }

        var list = root.Element("AccessControlList") ?? throw new CofferException(ErrorCode.MalformedAcl, "The policy needs an AccessControlList.");
        var grants = list.Elements("Grant").Select(grant =>
        {
            var grantee = grant.Element("Grantee") ?? throw new CofferException(ErrorCode.MalformedAcl, "Every Grant needs a Grantee.");
            var permission = grant.Element("Permission")?.Value ?? throw new CofferException(ErrorCode.MalformedAcl, "Every Grant needs a Permission.");
            return new AclGrant(Grantee(grantee), AclGrants.ParsePermission(permission));
        }).ToArray();
        return grants.Length <= AccessControlList.MaxGrants
            ? grants
            : throw new CofferException(ErrorCode.MalformedAcl, $"An ACL holds at most {AccessControlList.MaxGrants} grants.");
    }

    private static AclGrantee Grantee(XElement grantee)
    {
        var type = grantee.Attributes().FirstOrDefault(a => a.Name.LocalName == "type")?.Value;
        var id = grantee.Element("ID")?.Value;
        var uri = grantee.Element("URI")?.Value;
        var email = grantee.Element("EmailAddress")?.Value;
        return type switch
        {
            "CanonicalUser" when id is not null => AclGrants.ById(id),
            "Group" when uri is not null => AclGrants.ByUri(uri),
            "AmazonCustomerByEmail" when email is not null => throw AclGrants.ByEmail(),
            null when id is not null => AclGrants.ById(id),
            null when uri is not null => AclGrants.ByUri(uri),
            null when email is not null => throw AclGrants.ByEmail(),
            _ => throw new CofferException(ErrorCode.MalformedAcl, "A Grantee is a CanonicalUser with an ID, a Group with a URI, or an AmazonCustomerByEmail."),
        };
    }

    /// <summary><c>&lt;OwnershipControls&gt;&lt;Rule&gt;&lt;ObjectOwnership&gt;BucketOwnerEnforced&lt;/ObjectOwnership&gt;&lt;/Rule&gt;</c>, one rule.</summary>
    public static ObjectOwnership ReadOwnershipControls(XElement root)
    {
        Expect(root, "OwnershipControls");
        var rules = root.Elements("Rule").ToArray();
        if (rules.Length != 1)
        {
            throw new CofferException(ErrorCode.MalformedXml, "OwnershipControls takes exactly one Rule.");
        }

        return ParseObjectOwnership(rules[0].Element("ObjectOwnership")?.Value.Trim())
            ?? throw new CofferException(ErrorCode.MalformedXml, "ObjectOwnership is BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter.");
    }

    /// <summary>An <c>ObjectOwnership</c> value (the element, or PUT Bucket's <c>x-amz-object-ownership</c> header); null when it is none.</summary>
    public static ObjectOwnership? ParseObjectOwnership(string? value) => value switch
    {
        "BucketOwnerEnforced" => ObjectOwnership.BucketOwnerEnforced,
        "BucketOwnerPreferred" => ObjectOwnership.BucketOwnerPreferred,
        "ObjectWriter" => ObjectOwnership.ObjectWriter,
        _ => null,
    };

    /// <summary><c>&lt;PublicAccessBlockConfiguration&gt;</c> with its four switches; a switch left out is false.</summary>
    public static PublicAccessBlock ReadPublicAccessBlock(XElement root)
    {
        Expect(root, "PublicAccessBlockConfiguration");
        bool Switch(string name) => root.Element(name)?.Value.Trim() switch
        {
            null => false,
            var v when v.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
            var v when v.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
            _ => throw new CofferException(ErrorCode.MalformedXml, $"{name} must be true or false."),
        };
        return new PublicAccessBlock(Switch("BlockPublicAcls"), Switch("IgnorePublicAcls"), Switch("BlockPublicPolicy"), Switch("RestrictPublicBuckets"));
    }

    public const string RequesterPayer = "Requester";
    public const string OwnerPayer = "BucketOwner";

    /// <summary>
    /// <c>&lt;RequestPaymentConfiguration&gt;&lt;Payer&gt;Requester&lt;/Payer&gt;</c> (or BucketOwner), one Payer and nothing else:
    /// whether requesters pay.
    /// </summary>
    public static bool ReadRequestPayment(XElement root)
    {
        Expect(root, "RequestPaymentConfiguration");
        var elements = root.Elements().ToArray();
        if (elements is not [{ Name.LocalName: "Payer" } payer])
        {
            throw new CofferException(ErrorCode.MalformedXml);
        }

        return payer.Value.Trim() switch
        {
            RequesterPayer => true,
            OwnerPayer => false,
            _ => throw new CofferException(ErrorCode.MalformedXml),
        };
    }

    private static void Expect(XElement root, string name)
    {
        if (root.Name.LocalName != name)
        {
            throw new CofferException(ErrorCode.MalformedXml, $"Expected {name}, found {root.Name.LocalName}.");
        }
    }
}
