using Coffer.Model;
using Coffer.Protocol.Xml;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

internal sealed class ServiceHandlers(IObjectService objects)
{
    /// <summary>GET Service: the caller's buckets.</summary>
    public Task ListBucketsAsync(RequestContext context)
    {
        var buckets = objects.ListBuckets(context.Caller.AppId)
            .Select(b => new BucketEntry(b.Name, b.Region, b.CreatedAt))
            .ToArray();
        var document = new ListAllMyBucketsDocument(context.Caller.OwnerId, context.Caller.Uin, buckets);
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(document));
    }
}
