using Coffer.Common;

namespace Coffer.Protocol.Routing;

/// <summary>
/// How an operation is authorized: its CAM action names (COS spells them <c>cos:GetObject</c>, policies may prefix
/// <c>name/</c>; where COS's own documents disagree both names are listed), its IAM action in S3 policies, and the ACL
/// permission a public bucket grants for it.
/// </summary>
public sealed record CamAction(IReadOnlyList<string> Cos, string S3, AclPermission Acl)
{
    /// <summary>Every name a policy statement may use for this action.</summary>
    public IReadOnlyList<string> Names => [.. Cos.Select(c => "cos:" + c), "s3:" + S3];
}

/// <summary>The one table from operations to CAM actions. Every <see cref="Operation"/> has a row.</summary>
public static class CamActions
{
    private static readonly Dictionary<Operation, CamAction> Rows = new()
    {
        [Operation.ListBuckets] = Row("GetService", "ListAllMyBuckets"),

        [Operation.CreateBucket] = Row("PutBucket", "CreateBucket"),
        [Operation.HeadBucket] = Row("HeadBucket", "ListBucket", AclPermission.Read),
        [Operation.DeleteBucket] = Row("DeleteBucket", "DeleteBucket"),
        [Operation.ListObjects] = Row("GetBucket", "ListBucket", AclPermission.Read),
        [Operation.ListObjectsV2] = Row("GetBucket", "ListBucket", AclPermission.Read),
        [Operation.ListObjectVersions] = Row("GetBucketObjectVersions", "ListBucketVersions", AclPermission.Read),
        [Operation.ListMultipartUploads] = Row("ListMultipartUploads", "ListBucketMultipartUploads", AclPermission.Read),
        [Operation.DeleteObjects] = Row(["DeleteMultipleObjects", "DeleteObject"], "DeleteObject", AclPermission.Write),
        [Operation.PostObject] = Row("PostObject", "PutObject", AclPermission.Write),
        [Operation.GetBucketLocation] = Row("GetBucketLocation", "GetBucketLocation"),
        [Operation.GetBucketVersioning] = Row("GetBucketVersioning", "GetBucketVersioning"),
        [Operation.PutBucketVersioning] = Row("PutBucketVersioning", "PutBucketVersioning"),
        [Operation.GetBucketAcl] = Row("GetBucketACL", "GetBucketAcl", AclPermission.ReadAcp),
        [Operation.PutBucketAcl] = Row("PutBucketACL", "PutBucketAcl", AclPermission.WriteAcp),
        [Operation.GetBucketCors] = Row("GetBucketCORS", "GetBucketCORS"),
        [Operation.PutBucketCors] = Row("PutBucketCORS", "PutBucketCORS"),
        [Operation.DeleteBucketCors] = Row("DeleteBucketCORS", "PutBucketCORS"),
        [Operation.GetBucketLifecycle] = Row("GetBucketLifecycle", "GetLifecycleConfiguration"),
        [Operation.PutBucketLifecycle] = Row("PutBucketLifecycle", "PutLifecycleConfiguration"),
        [Operation.DeleteBucketLifecycle] = Row("DeleteBucketLifecycle", "PutLifecycleConfiguration"),
        [Operation.GetBucketPolicy] = Row("GetBucketPolicy", "GetBucketPolicy"),
        [Operation.GetBucketPolicyStatus] = Row("GetBucketPolicyStatus", "GetBucketPolicyStatus"),
        [Operation.PutBucketPolicy] = Row("PutBucketPolicy", "PutBucketPolicy"),
        [Operation.DeleteBucketPolicy] = Row("DeleteBucketPolicy", "DeleteBucketPolicy"),
        [Operation.GetBucketTagging] = Row("GetBucketTagging", "GetBucketTagging"),
        [Operation.PutBucketTagging] = Row("PutBucketTagging", "PutBucketTagging"),
        [Operation.DeleteBucketTagging] = Row("DeleteBucketTagging", "PutBucketTagging"),
        [Operation.GetBucketEncryption] = Row("GetBucketEncryption", "GetEncryptionConfiguration"),
        [Operation.PutBucketEncryption] = Row("PutBucketEncryption", "PutEncryptionConfiguration"),
        [Operation.DeleteBucketEncryption] = Row("DeleteBucketEncryption", "PutEncryptionConfiguration"),
        [Operation.GetBucketLogging] = Row("GetBucketLogging", "GetBucketLogging"),
        [Operation.PutBucketLogging] = Row("PutBucketLogging", "PutBucketLogging"),
        [Operation.GetBucketWebsite] = Row("GetBucketWebsite", "GetBucketWebsite"),
        [Operation.PutBucketWebsite] = Row("PutBucketWebsite", "PutBucketWebsite"),
        [Operation.DeleteBucketWebsite] = Row("DeleteBucketWebsite", "DeleteBucketWebsite"),
        [Operation.GetBucketReplication] = Row("GetBucketReplication", "GetReplicationConfiguration"),
        [Operation.PutBucketReplication] = Row("PutBucketReplication", "PutReplicationConfiguration"),
        [Operation.DeleteBucketReplication] = Row("DeleteBucketReplication", "PutReplicationConfiguration"),
        [Operation.GetBucketReferer] = Row("GetBucketReferer", "GetBucketReferer"),
        [Operation.PutBucketReferer] = Row("PutBucketReferer", "PutBucketReferer"),
        [Operation.GetBucketAccelerate] = Row("GetBucketAccelerate", "GetAccelerateConfiguration"),
        [Operation.PutBucketAccelerate] = Row("PutBucketAccelerate", "PutAccelerateConfiguration"),
        [Operation.GetBucketNotification] = Row("GetBucketNotification", "GetBucketNotification"),
        [Operation.PutBucketNotification] = Row("PutBucketNotification", "PutBucketNotification"),
        [Operation.GetBucketObjectLock] = Row("GetBucketObjectLockConfiguration", "GetBucketObjectLockConfiguration"),
        [Operation.PutBucketObjectLock] = Row("PutBucketObjectLockConfiguration", "PutBucketObjectLockConfiguration"),
        [Operation.GetBucketIntelligentTiering] = Row("GetBucketIntelligentTiering", "GetIntelligentTieringConfiguration"),
        [Operation.PutBucketIntelligentTiering] = Row("PutBucketIntelligentTiering", "PutIntelligentTieringConfiguration"),
        [Operation.GetBucketDomain] = Row("GetBucketDomain", "GetBucketDomain"),
        [Operation.PutBucketDomain] = Row("PutBucketDomain", "PutBucketDomain"),
        [Operation.DeleteBucketDomain] = Row("DeleteBucketDomain", "DeleteBucketDomain"),
        [Operation.GetBucketOrigin] = Row("GetBucketOrigin", "GetBucketOrigin"),
        [Operation.PutBucketOrigin] = Row("PutBucketOrigin", "PutBucketOrigin"),
        [Operation.DeleteBucketOrigin] = Row("DeleteBucketOrigin", "DeleteBucketOrigin"),
        [Operation.GetBucketOwnershipControls] = Row("GetBucketOwnershipControls", "GetBucketOwnershipControls"),
        [Operation.PutBucketOwnershipControls] = Row("PutBucketOwnershipControls", "PutBucketOwnershipControls"),
        [Operation.DeleteBucketOwnershipControls] = Row("PutBucketOwnershipControls", "PutBucketOwnershipControls"),
        [Operation.GetPublicAccessBlock] = Row("GetBucketPublicAccessBlock", "GetBucketPublicAccessBlock"),
        [Operation.PutPublicAccessBlock] = Row("PutBucketPublicAccessBlock", "PutBucketPublicAccessBlock"),
        [Operation.DeletePublicAccessBlock] = Row("PutBucketPublicAccessBlock", "PutBucketPublicAccessBlock"),
        [Operation.GetBucketRequestPayment] = Row("GetBucketRequestPayment", "GetBucketRequestPayment"),
        [Operation.PutBucketRequestPayment] = Row("PutBucketRequestPayment", "PutBucketRequestPayment"),
        [Operation.GetBucketInventoryConfiguration] = Row("GetBucketInventory", "GetInventoryConfiguration"),
        [Operation.PutBucketInventoryConfiguration] = Row("PutBucketInventory", "PutInventoryConfiguration"),
        [Operation.DeleteBucketInventoryConfiguration] = Row("DeleteBucketInventory", "PutInventoryConfiguration"),
        // The List API's documentation names GetBucketInventory; the SDKs' STS scopes and coscli name ListBucketInventory.
        [Operation.ListBucketInventoryConfigurations] = Row(["ListBucketInventory", "GetBucketInventory"], "GetInventoryConfiguration"),
        [Operation.PostBucketInventory] = Row("PostBucketInventory", "PutInventoryConfiguration"),
        [Operation.ListBucketInventoryRuns] = Row(["ListBucketInventory", "GetBucketInventory"], "GetInventoryConfiguration"),
        [Operation.GetBucketInventoryRun] = Row("GetBucketInventory", "GetInventoryConfiguration"),
        [Operation.RunBucketInventory] = Row("PostBucketInventory", "PutInventoryConfiguration"),
        [Operation.GetBucketInventorySummary] = Row("GetBucketInventory", "GetInventoryConfiguration"),

        // COS's CAM names the batch actions as S3 does (name/cos:CreateJob, ...); the tagging ones follow S3 Control.
        [Operation.CreateJob] = Row("CreateJob", "CreateJob"),
        [Operation.DescribeJob] = Row("DescribeJob", "DescribeJob"),
        [Operation.ListJobs] = Row("ListJobs", "ListJobs"),
        [Operation.UpdateJobPriority] = Row("UpdateJobPriority", "UpdateJobPriority"),
        [Operation.UpdateJobStatus] = Row("UpdateJobStatus", "UpdateJobStatus"),
        [Operation.GetJobTagging] = Row("GetJobTagging", "GetJobTagging"),
        [Operation.PutJobTagging] = Row("PutJobTagging", "PutJobTagging"),
        [Operation.DeleteJobTagging] = Row("DeleteJobTagging", "DeleteJobTagging"),

        [Operation.GetObject] = Row("GetObject", "GetObject", AclPermission.Read),
        [Operation.HeadObject] = Row("HeadObject", "GetObject", AclPermission.Read),
        [Operation.PutObject] = Row("PutObject", "PutObject", AclPermission.Write),
        [Operation.CopyObject] = Row("PutObject", "PutObject", AclPermission.Write),
        [Operation.DeleteObject] = Row("DeleteObject", "DeleteObject", AclPermission.Write),
        [Operation.AppendObject] = Row("AppendObject", "PutObject", AclPermission.Write),
        [Operation.GetObjectAcl] = Row("GetObjectACL", "GetObjectAcl", AclPermission.ReadAcp),
        [Operation.PutObjectAcl] = Row("PutObjectACL", "PutObjectAcl", AclPermission.WriteAcp),
        [Operation.GetObjectTagging] = Row("GetObjectTagging", "GetObjectTagging"),
        [Operation.PutObjectTagging] = Row("PutObjectTagging", "PutObjectTagging"),
        [Operation.DeleteObjectTagging] = Row("DeleteObjectTagging", "DeleteObjectTagging"),
        [Operation.CreateMultipartUpload] = Row("InitiateMultipartUpload", "PutObject", AclPermission.Write),
        [Operation.UploadPart] = Row("UploadPart", "PutObject", AclPermission.Write),
        [Operation.UploadPartCopy] = Row(["UploadPartCopy", "UploadPart"], "PutObject", AclPermission.Write),
        [Operation.CompleteMultipartUpload] = Row("CompleteMultipartUpload", "PutObject", AclPermission.Write),
        [Operation.AbortMultipartUpload] = Row("AbortMultipartUpload", "AbortMultipartUpload", AclPermission.Write),
        [Operation.ListParts] = Row("ListParts", "ListMultipartUploadParts", AclPermission.Write),
        [Operation.RestoreObject] = Row("PostObjectRestore", "RestoreObject"),
        [Operation.SelectObjectContent] = Row("GetObject", "GetObject"),
        [Operation.GetObjectRetention] = Row("GetObjectRetention", "GetObjectRetention"),
        [Operation.PutObjectRetention] = Row("PutObjectRetention", "PutObjectRetention"),
        [Operation.GetObjectLegalHold] = Row("GetObjectLegalHold", "GetObjectLegalHold"),
        [Operation.PutObjectLegalHold] = Row("PutObjectLegalHold", "PutObjectLegalHold"),
        [Operation.GetObjectAttributes] = Row("GetObjectAttributes", "GetObjectAttributes", AclPermission.Read),
        [Operation.OptionsObject] = Row("OptionsObject", "GetObject"),
    };

    /// <summary>Deleting, or shortening the retention of, a version under GOVERNANCE retention: the owner, or whom a policy allows.</summary>
    public static CamAction BypassGovernanceRetention { get; } = Row("BypassGovernanceRetention", "BypassGovernanceRetention");

    /// <summary>The reading side of a copy: the source object is read as with GET Object.</summary>
    public static CamAction CopySource { get; } = Row("GetObject", "GetObject", AclPermission.Read);

    public static CamAction For(Operation operation) => Rows[operation];

    /// <summary>Whether an operation manages the bucket policy (which the owner can always do).</summary>
    public static bool ManagesPolicy(Operation operation) =>
        operation is Operation.GetBucketPolicy or Operation.PutBucketPolicy or Operation.DeleteBucketPolicy;

    /// <summary>
    /// Whether only identities of the bucket owner's account may do an operation, whatever a bucket policy or ACL grants
    /// others: S3 says so of Requester Pays' configuration ("only the bucket owner can set" it, and to read it "you must be
    /// the bucket owner"), since it decides who is charged.
    /// </summary>
    public static bool OwnerAccountOnly(Operation operation) =>
        operation is Operation.GetBucketRequestPayment or Operation.PutBucketRequestPayment;

    private static CamAction Row(string cos, string s3, AclPermission acl = AclPermission.None) => new([cos], s3, acl);

    private static CamAction Row(string[] cos, string s3, AclPermission acl = AclPermission.None) => new(cos, s3, acl);
}
