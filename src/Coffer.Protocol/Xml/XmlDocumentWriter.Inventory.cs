using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

public static partial class XmlDocumentWriter
{
    public static byte[] Write(InventoryDocument document, Dialect dialect) => Document(w => InventoryXml.Write(w, document, dialect));

    /// <summary>
    /// COS calls the list <c>ListInventoryConfigurationResult</c>; S3 <c>ListInventoryConfigurationsResult</c>.
    /// <c>IsTruncated</c> is always there, lower-case (COS SDKs compare it with "true").
    /// </summary>
    public static byte[] Write(InventoryListDocument document, Dialect dialect) => Build(
        dialect == Dialect.S3 ? "ListInventoryConfigurationsResult" : "ListInventoryConfigurationResult", dialect, w =>
        {
            if (dialect == Dialect.S3 && document.ContinuationToken is not null)
            {
                Element(w, "ContinuationToken", document.ContinuationToken);
            }

            foreach (var configuration in document.Configurations)
            {
                InventoryXml.Write(w, configuration, dialect);
            }

            Element(w, "IsTruncated", Bool(document.IsTruncated));
            if (dialect == Dialect.Cos && document.ContinuationToken is not null)
            {
                Element(w, "ContinuationToken", document.ContinuationToken);
            }

            if (document.NextContinuationToken is not null)
            {
                Element(w, "NextContinuationToken", document.NextContinuationToken);
            }
        });

    public static byte[] WritePostInventoryResult(string jobId) =>
        Build("PostInventoryResult", Dialect.Cos, w => Element(w, "JobId", jobId));
}
