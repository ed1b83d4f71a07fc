using Coffer.Common;
using Coffer.Model.Accounts;

namespace Coffer.Model.Access;

/// <summary>
/// A PutObject a service makes into a destination bucket on behalf of a source bucket's owner (inventory reports,
/// access logs): asked as that owner, with the condition values AWS gives such deliveries (<c>aws:SourceArn</c>, the
/// source bucket; <c>aws:SourceAccount</c>, its owner), and with the service's principal for a policy that names it.
/// </summary>
public sealed class ServiceDelivery
{
    private static readonly string[] PutObject = ["cos:PutObject", "s3:PutObject"];

    private readonly Credential? _writer;
    private readonly Dictionary<string, string> _context;
    private readonly string _service;
    private readonly AclPermission _aclPermission;

    /// <param name="aclPermission">What an ACL grant to the owner must give to count (<see cref="AclPermission.None"/>: only policies count).</param>
    public ServiceDelivery(Account? sourceOwner, string sourceBucket, string sourceAccount, string service, AclPermission aclPermission,
        IEnumerable<KeyValuePair<string, string>>? moreConditions = null)
    {
        _writer = sourceOwner is null ? null : new Credential(sourceOwner.SecretId, sourceOwner.SecretKey, new Identity(sourceOwner, sourceOwner.Uin, null));
        _context = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["aws:sourcearn"] = $"arn:aws:s3:::{sourceBucket}",
            ["aws:sourceaccount"] = sourceAccount,
        };
        foreach (var (name, value) in moreConditions ?? [])
        {
            _context[name] = value;
        }

        _service = service;
        _aclPermission = aclPermission;
    }

    /// <summary>Whether <paramref name="key"/> may be written into <paramref name="destination"/>.</summary>
    public bool MayPut(BucketAccessRules destination, string key)
    {
        var bucket = destination.Bucket;
        var request = AccessRequest.For(PutObject, bucket.Region, bucket.OwnerAppId, bucket.Name, key, _context);
        return AccessControl.IsAllowed(_writer, destination, request, _aclPermission, managesPolicy: false, _service);
    }
}
