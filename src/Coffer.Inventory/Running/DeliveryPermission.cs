using Coffer.Common;
using Coffer.Model.Access;
using Coffer.Model.Accounts;

namespace Coffer.Inventory.Running;

/// <summary>
/// Whether a run may write a report object into its destination, asked as if the source bucket's owner PUT it through
/// the inventory service: into a bucket of the same account that is always so (unless the bucket's policy denies it);
/// into another account's bucket only where that bucket's policy allows <c>cos:PutObject</c> on the report's keys to
/// the source account, or to the service <c>s3.amazonaws.com</c> as AWS documents it. The request carries the condition
/// values AWS gives inventory delivery: <c>aws:SourceArn</c> (the source bucket), <c>aws:SourceAccount</c> (its owner's
/// uin) and <c>s3:x-amz-acl</c> (<c>bucket-owner-full-control</c>).
/// </summary>
internal sealed class DeliveryPermission
{
    /// <summary>The canned ACL inventory delivery writes with, as AWS's does.</summary>
    public const string DeliveryAcl = "bucket-owner-full-control";

    private readonly BucketAccessRules _destination;
    private readonly string _writerName;
    private readonly ServiceDelivery _delivery;

    public DeliveryPermission(AccessControl access, Account? sourceOwner, string sourceOwnerAppId, string source, string destination)
    {
        _destination = access.Rules(destination);
        _writerName = sourceOwner?.Uin ?? sourceOwnerAppId;
        _delivery = new ServiceDelivery(sourceOwner, source, _writerName, AccessPolicy.InventoryService, AclPermission.None,
            [new("cos:x-cos-acl", DeliveryAcl)]);
    }

    /// <summary>Throws AccessDenied unless the report object <paramref name="key"/> may be written.</summary>
    public void Check(string key)
    {
        if (!_delivery.MayPut(_destination, key))
        {
            throw new CofferException(ErrorCode.AccessDenied,
                $"Access Denied. The policy of destination bucket {_destination.Bucket.Name} does not allow account {_writerName} to PutObject {key}.");
        }
    }
}
