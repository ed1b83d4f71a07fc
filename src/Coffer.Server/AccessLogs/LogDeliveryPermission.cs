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
    private static readonly string[] PutObject = ["cos:PutObject", "s3:PutObject"];

    /// <summary>Throws the error PUT Bucket logging answers when <paramref name="source"/> may not log into its target.</summary>
    public static void Check(AccessControl access, BucketAccessRules source, Account? sourceOwner, BucketLoggingConfiguration configuration)
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

        var writer = sourceOwner is null ? null : new Credential(sourceOwner.SecretId, sourceOwner.SecretKey, new Identity(sourceOwner, sourceOwner.Uin, null));
        var context = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["aws:sourcearn"] = $"arn:aws:s3:::{source.Bucket.Name}",
            ["aws:sourceaccount"] = source.OwnerUin,
        };
        var request = AccessRequest.For(PutObject, target.Bucket.Region, target.Bucket.OwnerAppId, target.Bucket.Name, configuration.TargetPrefix, context);
        if (!AccessControl.IsAllowed(writer, target, request, AclPermission.Write, managesPolicy: false, AccessPolicy.LoggingService))
        {
            throw new CofferException(ErrorCode.InvalidTargetBucketForLogging,
                $"The target bucket '{target.Bucket.Name}' belongs to another account and its policy does not allow {source.OwnerUin} or logging.s3.amazonaws.com to PutObject under '{configuration.TargetPrefix}'.");
        }
    }
}
