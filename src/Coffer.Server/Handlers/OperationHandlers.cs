using Coffer.Protocol.Routing;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

/// <summary>The operations this server implements, each with its handler. Anything else answers NotImplemented.</summary>
internal sealed class OperationHandlers
{
    private readonly Dictionary<Operation, Func<RequestContext, Task>> _handlers;

    public OperationHandlers(
        ServiceHandlers service, BucketHandlers buckets, ObjectHandlers objects, MultipartHandlers multipart, InventoryHandlers inventory,
        AccessHandlers access, SettingsHandlers settings, BatchHandlers batch, NotificationHandlers notifications,
        ObjectLockHandlers objectLock, PostObjectHandlers post, LoggingHandlers logging)
    {
        _handlers = new()
        {
            [Operation.ListBuckets] = service.ListBucketsAsync,

            [Operation.CreateBucket] = buckets.CreateBucketAsync,
            [Operation.HeadBucket] = buckets.HeadBucketAsync,
            [Operation.DeleteBucket] = buckets.DeleteBucketAsync,
            [Operation.GetBucketLocation] = buckets.GetBucketLocationAsync,
            [Operation.GetBucketVersioning] = buckets.GetBucketVersioningAsync,
            [Operation.PutBucketVersioning] = buckets.PutBucketVersioningAsync,
            [Operation.PutBucketEncryption] = buckets.PutBucketEncryptionAsync,
            [Operation.GetBucketEncryption] = buckets.GetBucketEncryptionAsync,
            [Operation.DeleteBucketEncryption] = buckets.DeleteBucketEncryptionAsync,
            [Operation.ListObjects] = buckets.ListObjectsAsync,
            [Operation.ListObjectsV2] = buckets.ListObjectsV2Async,
            [Operation.ListObjectVersions] = buckets.ListObjectVersionsAsync,
            [Operation.DeleteObjects] = buckets.DeleteObjectsAsync,

            [Operation.PutBucketPolicy] = access.PutBucketPolicyAsync,
            [Operation.GetBucketPolicy] = access.GetBucketPolicyAsync,
            [Operation.GetBucketPolicyStatus] = access.GetBucketPolicyStatusAsync,
            [Operation.DeleteBucketPolicy] = access.DeleteBucketPolicyAsync,
            [Operation.PutBucketAcl] = access.PutBucketAclAsync,
            [Operation.GetBucketAcl] = access.GetBucketAclAsync,
            [Operation.PutObjectAcl] = access.PutObjectAclAsync,
            [Operation.GetObjectAcl] = access.GetObjectAclAsync,
            [Operation.PutBucketOwnershipControls] = access.PutOwnershipControlsAsync,
            [Operation.GetBucketOwnershipControls] = access.GetOwnershipControlsAsync,
            [Operation.DeleteBucketOwnershipControls] = access.DeleteOwnershipControlsAsync,
            [Operation.PutPublicAccessBlock] = access.PutPublicAccessBlockAsync,
            [Operation.GetPublicAccessBlock] = access.GetPublicAccessBlockAsync,
            [Operation.DeletePublicAccessBlock] = access.DeletePublicAccessBlockAsync,
            [Operation.PutBucketRequestPayment] = access.PutRequestPaymentAsync,
            [Operation.GetBucketRequestPayment] = AccessHandlers.GetRequestPaymentAsync,

            [Operation.PutBucketLifecycle] = settings.PutLifecycleAsync,
            [Operation.GetBucketLifecycle] = settings.GetLifecycleAsync,
            [Operation.DeleteBucketLifecycle] = settings.DeleteLifecycleAsync,
            [Operation.PutBucketCors] = settings.PutCorsAsync,
            [Operation.GetBucketCors] = settings.GetCorsAsync,
            [Operation.DeleteBucketCors] = settings.DeleteCorsAsync,
            [Operation.PutBucketTagging] = settings.PutTaggingAsync,
            [Operation.GetBucketTagging] = settings.GetTaggingAsync,
            [Operation.DeleteBucketTagging] = settings.DeleteTaggingAsync,

            [Operation.PutBucketInventoryConfiguration] = inventory.PutAsync,
            [Operation.GetBucketInventoryConfiguration] = inventory.GetAsync,
            [Operation.DeleteBucketInventoryConfiguration] = inventory.DeleteAsync,
            [Operation.ListBucketInventoryConfigurations] = inventory.ListAsync,
            [Operation.PostBucketInventory] = inventory.PostAsync,
            [Operation.ListBucketInventoryRuns] = inventory.ListRunsAsync,
            [Operation.GetBucketInventoryRun] = inventory.GetRunAsync,
            [Operation.RunBucketInventory] = inventory.RunNowAsync,
            [Operation.GetBucketInventorySummary] = inventory.GetSummaryAsync,

            [Operation.CreateJob] = batch.CreateJobAsync,
            [Operation.DescribeJob] = batch.DescribeJobAsync,
            [Operation.ListJobs] = batch.ListJobsAsync,
            [Operation.UpdateJobPriority] = batch.UpdateJobPriorityAsync,
            [Operation.UpdateJobStatus] = batch.UpdateJobStatusAsync,
            [Operation.GetJobTagging] = batch.GetJobTaggingAsync,
            [Operation.PutJobTagging] = batch.PutJobTaggingAsync,
            [Operation.DeleteJobTagging] = batch.DeleteJobTaggingAsync,
            [Operation.PutBucketNotification] = notifications.PutAsync,
            [Operation.GetBucketNotification] = notifications.GetAsync,
            [Operation.PutBucketLogging] = logging.PutAsync,
            [Operation.GetBucketLogging] = logging.GetAsync,

            [Operation.PutBucketObjectLock] = objectLock.PutBucketObjectLockAsync,
            [Operation.GetBucketObjectLock] = objectLock.GetBucketObjectLockAsync,
            [Operation.PutObjectRetention] = objectLock.PutObjectRetentionAsync,
            [Operation.GetObjectRetention] = objectLock.GetObjectRetentionAsync,
            [Operation.PutObjectLegalHold] = objectLock.PutObjectLegalHoldAsync,
            [Operation.GetObjectLegalHold] = objectLock.GetObjectLegalHoldAsync,

            [Operation.PutObject] = objects.PutObjectAsync,
            [Operation.PostObject] = post.PostObjectAsync,
            [Operation.GetObject] = objects.GetObjectAsync,
            [Operation.HeadObject] = objects.HeadObjectAsync,
            [Operation.DeleteObject] = objects.DeleteObjectAsync,
            [Operation.CopyObject] = objects.CopyObjectAsync,
            [Operation.GetObjectTagging] = objects.GetObjectTaggingAsync,
            [Operation.GetObjectAttributes] = objects.GetObjectAttributesAsync,
            [Operation.PutObjectTagging] = objects.PutObjectTaggingAsync,
            [Operation.DeleteObjectTagging] = objects.DeleteObjectTaggingAsync,

            [Operation.CreateMultipartUpload] = multipart.CreateMultipartUploadAsync,
            [Operation.UploadPart] = multipart.UploadPartAsync,
            [Operation.UploadPartCopy] = multipart.UploadPartCopyAsync,
            [Operation.CompleteMultipartUpload] = multipart.CompleteMultipartUploadAsync,
            [Operation.AbortMultipartUpload] = multipart.AbortMultipartUploadAsync,
            [Operation.ListParts] = multipart.ListPartsAsync,
            [Operation.ListMultipartUploads] = multipart.ListMultipartUploadsAsync,
        };
    }

    public IReadOnlyCollection<Operation> Implemented => _handlers.Keys;

    public Func<RequestContext, Task>? Find(Operation operation) => _handlers.GetValueOrDefault(operation);
}
