using Coffer.Common;
using Coffer.Model.Access;
using Coffer.Model.Accounts;

namespace Coffer.Inventory.Running;

/// <summary>
/// Whether a run may write a report object into its destination, asked as if the source bucket's owner PUT it: into a
/// bucket of the same account that is always so (unless the bucket's policy denies it); into another account's bucket
/// only where that bucket's policy allows <c>cos:PutObject</c> on the report's keys to the source account.
/// </summary>
internal sealed class DeliveryPermission
{
    private static readonly string[] PutObject = ["cos:PutObject", "s3:PutObject"];

    private readonly BucketAccessRules _destination;
    private readonly Credential? _writer;
    private readonly string _writerName;

    public DeliveryPermission(AccessControl access, Account? sourceOwner, string sourceOwnerAppId, string destination)
    {
        _destination = access.Rules(destination);
        _writer = sourceOwner is null ? null : new Credential(sourceOwner.SecretId, sourceOwner.SecretKey, new Identity(sourceOwner, sourceOwner.Uin, null));
        _writerName = sourceOwner?.Uin ?? sourceOwnerAppId;
    }

    /// <summary>Throws AccessDenied unless the report object <paramref name="key"/> may be written.</summary>
    public void Check(string key)
    {
        var bucket = _destination.Bucket;
        var request = AccessRequest.For(PutObject, bucket.Region, bucket.OwnerAppId, bucket.Name, key, new Dictionary<string, string>());
        if (!AccessControl.IsAllowed(_writer, _destination, request, AclPermission.None, managesPolicy: false))
        {
            throw new CofferException(ErrorCode.AccessDenied,
                $"Access Denied. The policy of destination bucket {bucket.Name} does not allow account {_writerName} to PutObject {key}.");
        }
    }
}
