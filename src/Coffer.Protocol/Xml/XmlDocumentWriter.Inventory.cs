using System.Xml;
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

    public static byte[] Write(InventoryRunDocument run) => Document(w => WriteRun(w, run));

    /// <summary>Runs most recent first; the request's marker echoed, and <c>NextMarker</c> when older runs are left for the next page.</summary>
    public static byte[] Write(IReadOnlyList<InventoryRunDocument> runs, string? marker, bool isTruncated, string? nextMarker) =>
        Build("ListInventoryRunsResult", Dialect.Cos, w =>
    {
        foreach (var run in runs)
        {
            WriteRun(w, run);
        }

        Element(w, "IsTruncated", Bool(isTruncated));
        if (marker is not null)
        {
            Element(w, "Marker", marker);
        }

        if (nextMarker is not null)
        {
            Element(w, "NextMarker", nextMarker);
        }
    });

    private static void WriteRun(XmlWriter w, InventoryRunDocument run)
    {
        w.WriteStartElement("InventoryRun");
        Element(w, "JobId", run.JobId);
        Element(w, "Id", run.Id);
        Element(w, "Trigger", run.Trigger);
        Element(w, "State", run.State);
        Element(w, "Format", run.Format);
        Element(w, "DestinationBucket", run.DestinationBucket);
        Element(w, "QueuedTime", Http.HttpDates.Iso8601(run.QueuedTime));
        if (run.StartTime is { } start)
        {
            Element(w, "StartTime", Http.HttpDates.Iso8601(start));
        }

        if (run.EndTime is { } end)
        {
            Element(w, "EndTime", Http.HttpDates.Iso8601(end));
        }

        Element(w, "ObjectsScanned", run.ObjectsScanned.ToString());
        Element(w, "BytesScanned", run.BytesScanned.ToString());
        Element(w, "ObjectsMatched", run.ObjectsMatched.ToString());
        Element(w, "BytesMatched", run.BytesMatched.ToString());
        Element(w, "FilesWritten", run.FilesWritten.ToString());
        if (run.ManifestKey is not null)
        {
            Element(w, "ManifestKey", run.ManifestKey);
        }

        if (run.ErrorCode is not null)
        {
            w.WriteStartElement("Error");
            Element(w, "Code", run.ErrorCode);
            Element(w, "Message", run.ErrorMessage ?? "");
            w.WriteFullEndElement();
        }

        w.WriteFullEndElement();
    }
}
