using Coffer.Common;
using Coffer.Common.AccessLogs;
using Coffer.Model.Access;
using Coffer.Model.Accounts;

namespace Coffer.Server.AccessLogs;

/// <summary>
/// Whether a bucket's access logs may go to their target. S3 asks the target's policy for its logging service principal;
/// here the log objects are written on behalf of the source bucket's owner through that service, so the target must be
/// in the source's region and either belong to the same account (always so, unless its policy denies it) or allow
/// <c>PutObject</c> on the log keys to that account or to <c>logging.s3.amazonaws.com</c> (by policy, or by an ACL grant
/// of WRITE to the account).
/// </summary>
internal static class LogDeliveryPermission
{
    /// <summary>
    /// Throws the error PUT Bucket logging answers when <paramref name="source"/> may not write <paramref name="key"/> into
    /// its target: at delivery the key being written, at PUT a key delivery would write now.
    /// </summary>
    public static void Check(AccessControl access, BucketAccessRules source, Account? sourceOwner, BucketLoggingConfiguration configuration,
        string key)
    {
        BucketAccessRules target;
        try
        {
            target = access.Rules(configuration.TargetBucket);
        }
        catch (CofferException error) when (error.Code == ErrorCode.NoSuchBucket)
        {
            throw new CofferException(ErrorCode.InvalidTargetBucketForLogging, $"The target bucket for logging '{configuration.TargetBucket}' does not exist.");
        }

        if (target.Bucket.Region != source.Bucket.Region)
        {
            throw new CofferException(ErrorCode.CrossLocationLoggingProhibited,
                $"The target bucket '{target.Bucket.Name}' is in {target.Bucket.Region}; logs of '{source.Bucket.Name}' stay in {source.Bucket.Region}.");
        }

        var delivery = new ServiceDelivery(sourceOwner, source.Bucket.Name, source.OwnerUin, AccessPolicy.LoggingService, AclPermission.Write);
        if (!delivery.MayPut(target, key))
        {
            throw new CofferException(ErrorCode.InvalidTargetBucketForLogging,
                $"The target bucket '{target.Bucket.Name}' does not let {source.OwnerUin} or logging.s3.amazonaws.com PutObject '{key}' (its policy or ACL).");
        }
    }
}
