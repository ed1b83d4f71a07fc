using Coffer.Protocol.Routing;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

/// <summary>The operations this server implements, each with its handler. Anything else answers NotImplemented.</summary>
internal sealed class OperationHandlers
{
    private readonly Dictionary<Operation, Func<RequestContext, Task>> _handlers;

    public OperationHandlers(ServiceHandlers service, BucketHandlers buckets, ObjectHandlers objects)
    {
        _handlers = new()
        {
            [Operation.ListBuckets] = service.ListBucketsAsync,
            [Operation.CreateBucket] = buckets.CreateBucketAsync,
            [Operation.HeadBucket] = buckets.HeadBucketAsync,
            [Operation.DeleteBucket] = buckets.DeleteBucketAsync,
            [Operation.ListObjects] = buckets.ListObjectsAsync,
            [Operation.PutObject] = objects.PutObjectAsync,
            [Operation.GetObject] = objects.GetObjectAsync,
            [Operation.HeadObject] = objects.HeadObjectAsync,
            [Operation.DeleteObject] = objects.DeleteObjectAsync,
        };
    }

    public IReadOnlyCollection<Operation> Implemented => _handlers.Keys;

    public Func<RequestContext, Task>? Find(Operation operation) => _handlers.GetValueOrDefault(operation);
}
