using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

public static partial class XmlDocumentWriter
{
    /// <summary>POST Object's <c>PostResponse</c>, without a namespace in either dialect, as S3 and COS write it.</summary>
    public static byte[] Write(PostResponseDocument document) => Build("PostResponse", Dialect.Cos, w =>
    {
        Element(w, "Location", document.Location);
        Element(w, "Bucket", document.Bucket);
        Element(w, "Key", document.Key);
        Element(w, "ETag", document.ETag);
    });
}
