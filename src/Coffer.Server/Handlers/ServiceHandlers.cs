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
        var ownerId = context.Dialect == Protocol.Routing.Dialect.S3 ? context.Caller.Uin : context.Caller.OwnerId;
        var document = new ListAllMyBucketsDocument(ownerId, context.Caller.Uin, buckets);
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(document, context.Dialect));
    }
}
