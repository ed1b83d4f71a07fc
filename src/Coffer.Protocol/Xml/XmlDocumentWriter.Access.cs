using Coffer.Common.Acl;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

public static partial class XmlDocumentWriter
{
    private const string XsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

    /// <summary>
    /// GET Bucket acl / GET Object acl: the owner, then every grant. Users are named as the dialect names them (COS: the
    /// CAM principal, S3: the uin), groups by the dialect's URI; that is how the SDKs recognise public-read and the like.
    /// </summary>
    public static byte[] Write(AccessControlList acl, Dialect dialect) => Build("AccessControlPolicy", dialect, w =>
    {
        Owner(w, UserId(Principals.Root(acl.OwnerUin), dialect), acl.OwnerUin);
        w.WriteStartElement("AccessControlList");
        foreach (var grant in acl.Grants)
        {
            w.WriteStartElement("Grant");
            w.WriteStartElement("Grantee");
            w.WriteAttributeString("xmlns", "xsi", null, XsiNamespace);
            var grantee = grant.Grantee;
            if (grantee.Type == AclGranteeType.User)
            {
                w.WriteAttributeString("xsi", "type", XsiNamespace, "CanonicalUser");
                Element(w, "ID", UserId(grantee.Principal!, dialect));
                Element(w, "DisplayName", Principals.Parse(grantee.Principal!)?.Uin ?? grantee.Principal!);
            }
            else
            {
                w.WriteAttributeString("xsi", "type", XsiNamespace, "Group");
                Element(w, "URI", GroupUri(grantee.Type, dialect));
            }

            w.WriteEndElement();
            Element(w, "Permission", AclGrants.PermissionName(grant.Permission));
            w.WriteEndElement();
        }

        w.WriteEndElement();
    });

    public static byte[] Write(ObjectOwnership ownership, Dialect dialect) => Build("OwnershipControls", dialect, w =>
    {
        w.WriteStartElement("Rule");
        Element(w, "ObjectOwnership", ownership.ToString());
        w.WriteEndElement();
    });

    /// <summary>GetBucketRequestPayment's answer: who pays for requests, <c>Requester</c> or <c>BucketOwner</c>.</summary>
    public static byte[] WriteRequestPayment(bool requesterPays, Dialect dialect) =>
        Build("RequestPaymentConfiguration", dialect, w => Element(w, "Payer", requesterPays ? AccessXml.RequesterPayer : AccessXml.OwnerPayer));

    /// <summary>GetBucketPolicyStatus's answer: whether the bucket policy is public.</summary>
    public static byte[] WritePolicyStatus(bool isPublic, Dialect dialect) => Build("PolicyStatus", dialect, w => Element(w, "IsPublic", Bool(isPublic)));

    public static byte[] Write(PublicAccessBlock block, Dialect dialect) => Build("PublicAccessBlockConfiguration", dialect, w =>
    {
        Element(w, "BlockPublicAcls", Bool(block.BlockPublicAcls));
        Element(w, "IgnorePublicAcls", Bool(block.IgnorePublicAcls));
        Element(w, "BlockPublicPolicy", Bool(block.BlockPublicPolicy));
        Element(w, "RestrictPublicBuckets", Bool(block.RestrictPublicBuckets));
    });

    /// <summary>COS names users by principal; S3 by account id, which here is the uin.</summary>
    private static string UserId(string principal, Dialect dialect) =>
        dialect == Dialect.S3 && Principals.Parse(principal) is { } parsed ? parsed.Uin : principal;

    private static string GroupUri(AclGranteeType type, Dialect dialect) => (type, dialect) switch
    {
        (AclGranteeType.AllUsers, Dialect.S3) => AclGrants.AwsAllUsers,
        (AclGranteeType.AllUsers, _) => AclGrants.CosAllUsers,
        (AclGranteeType.AuthenticatedUsers, Dialect.S3) => AclGrants.AwsAuthenticatedUsers,
        (AclGranteeType.AuthenticatedUsers, _) => AclGrants.CosAuthenticatedUsers,
        _ => AclGrants.AwsLogDelivery,
    };
}
