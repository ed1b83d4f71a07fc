using System.Xml;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

public static partial class XmlDocumentWriter
{
    private const string XsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

    /// <summary>
    /// GET Bucket acl: the owner with FULL_CONTROL, then everyone's permissions as the AllUsers group (COS's group URI, or
    /// S3's), which is how the SDKs recognise public-read and public-read-write.
    /// </summary>
    public static byte[] Write(AccessControlDocument document, Dialect dialect) => Build("AccessControlPolicy", dialect, w =>
    {
        Owner(w, document.OwnerId, document.OwnerDisplayName);
        w.WriteStartElement("AccessControlList");
        Grant(w, "CanonicalUser", g =>
        {
            Element(g, "ID", document.OwnerId);
            Element(g, "DisplayName", document.OwnerDisplayName);
        }, "FULL_CONTROL");
        var allUsers = dialect == Dialect.S3 ? "http://acs.amazonaws.com/groups/global/AllUsers" : "http://cam.qcloud.com/groups/global/AllUsers";
        foreach (var permission in document.EveryonePermissions)
        {
            Grant(w, "Group", g => Element(g, "URI", allUsers), permission);
        }

        w.WriteEndElement();
    });

    private static void Grant(XmlWriter w, string granteeType, Action<XmlWriter> grantee, string permission)
    {
        w.WriteStartElement("Grant");
        w.WriteStartElement("Grantee");
        w.WriteAttributeString("xmlns", "xsi", null, XsiNamespace);
        w.WriteAttributeString("xsi", "type", XsiNamespace, granteeType);
        grantee(w);
        w.WriteEndElement();
        Element(w, "Permission", permission);
        w.WriteEndElement();
    }
}
