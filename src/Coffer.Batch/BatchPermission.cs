using Coffer.Common;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Model.Batch;

namespace Coffer.Batch;

/// <summary>
/// Whether the job's creator may do a task's operation on its object, decided as the API decides a request signed with
/// the creator's key: the bucket's policy and ACL, the identity's own policies. A key deleted since the job was created
/// allows nothing, nor does a temporary key once it has expired, as no request signed with it would be served. Buckets'
/// rules are read once per chunk.
/// </summary>
public sealed class BatchPermission(AccessControl access, Credential? creatorKey, TimeProvider time)
{
    private static readonly string[] GetObject = ["cos:GetObject", "s3:GetObject"];
    private static readonly string[] PutObject = ["cos:PutObject", "s3:PutObject"];
    private static readonly string[] PutTagging = ["cos:PutObjectTagging", "s3:PutObjectTagging"];
    private static readonly string[] DeleteTagging = ["cos:DeleteObjectTagging", "s3:DeleteObjectTagging"];
    private static readonly string[] DeleteObject = ["cos:DeleteObject", "s3:DeleteObject"];
    private static readonly string[] ListBucket = ["cos:GetBucket", "s3:ListBucket"];
    private static readonly IReadOnlyDictionary<string, string> NoContext = new Dictionary<string, string>();

    private readonly Dictionary<string, BucketAccessRules?> _rules = new(StringComparer.Ordinal);

    /// <summary>The creator's key while it may sign requests; null once it expired.</summary>
    private Credential? Creator => creatorKey is { ExpiresAt: { } expires } && time.GetUtcNow() >= expires ? null : creatorKey;

    /// <summary>
    /// Whether the operation may act on the task's object (for a copy: read it, and write the copy at <paramref name="targetKey"/>).
    /// A Requester Pays bucket refuses a creator outside its owner's account unless the job agreed to pay, which only a
    /// copy can say (<see cref="BatchOperation.RequesterPays"/>): a job sends no header.
    /// </summary>
    public bool Allows(BatchOperation operation, BatchTask task, string? targetBucket = null, string? targetKey = null)
    {
        var agreesToPay = operation.RequesterPays;
        return operation.Kind switch
        {
            BatchOperationKind.PutObjectTagging => Allowed(task.Bucket, task.Key, PutTagging, AclPermission.None, agreesToPay),
            BatchOperationKind.DeleteObjectTagging => Allowed(task.Bucket, task.Key, DeleteTagging, AclPermission.None, agreesToPay),
            BatchOperationKind.DeleteObject => Allowed(task.Bucket, task.Key, DeleteObject, AclPermission.Write, agreesToPay),
            BatchOperationKind.ComputeObjectChecksum => Readable(task, agreesToPay),
            BatchOperationKind.PutObjectCopy => Readable(task, agreesToPay)
                && Allowed(targetBucket ?? task.Bucket, targetKey ?? task.Key, PutObject, AclPermission.Write, agreesToPay),
            _ => false,
        };
    }

    /// <summary>
    /// Whether the creator may read an object the job reads itself (its manifest, an inventory report's data files), as a
    /// GET of it would be decided. A job sends no Requester Pays agreement. As S3 answers a GET, a key that is not there
    /// is told as missing only to a creator who may list it; anyone else is refused, so that reading rights alone (a
    /// bucket ACL, say, where the object would carry its own) do not tell which keys exist.
    /// </summary>
    public bool MayRead(string bucket, string key, string? versionId)
    {
        if (!Readable(new BatchTask(bucket, key, versionId), agreesToPay: false))
        {
            return false;
        }

        return Rules(bucket) is not { } rules || MayList(rules, key) || access.HasObject(rules, key, versionId);
    }

    /// <summary>Whether the creator may PUT an object the job writes itself (its completion report's files).</summary>
    public bool MayWrite(string bucket, string key) => Allowed(bucket, key, PutObject, AclPermission.Write, agreesToPay: false);

    /// <summary>Forgets the buckets' rules, so the next chunk reads them afresh.</summary>
    public void Refresh() => _rules.Clear();

    private bool Readable(BatchTask task, bool agreesToPay)
    {
        var creator = Creator;
        if (creator is null || Rules(task.Bucket) is not { } rules)
        {
            return creator is not null;
        }

        // An object written with its own ACL is read by that ACL, as a GET of it would be.
        return !rules.RefusesRequester(creator, () => agreesToPay)
            && Decide(access.ForObject(rules, task.Key, task.VersionId), task.Key, GetObject, AclPermission.Read);
    }

    private bool Allowed(string bucket, string key, string[] actions, AclPermission acl, bool agreesToPay)
    {
        var creator = Creator;
        if (creator is null)
        {
            return false;
        }

        // A bucket that does not exist is the task's NoSuchBucket, not a denial.
        return Rules(bucket) is not { } rules || (!rules.RefusesRequester(creator, () => agreesToPay) && Decide(rules, key, actions, acl));
    }

    private bool Decide(BucketAccessRules rules, string key, string[] actions, AclPermission acl)
    {
        var bucket = rules.Bucket;
        var request = AccessRequest.For(actions, bucket.Region, bucket.OwnerAppId, bucket.Name, key, NoContext);
        return AccessControl.IsAllowed(Creator, rules, request, acl, managesPolicy: false);
    }

    /// <summary>Whether the creator may list the bucket with the key as its prefix (a listing names no key).</summary>
    private bool MayList(BucketAccessRules rules, string key)
    {
        var bucket = rules.Bucket;
        var context = new Dictionary<string, string>(StringComparer.Ordinal) { ["cos:prefix"] = key };
        var request = AccessRequest.For(ListBucket, bucket.Region, bucket.OwnerAppId, bucket.Name, null, context);
        return AccessControl.IsAllowed(Creator, rules, request, AclPermission.Read, managesPolicy: false);
    }

    private BucketAccessRules? Rules(string bucket)
    {
        if (!_rules.TryGetValue(bucket, out var rules))
        {
            try
            {
                rules = access.Rules(bucket);
            }
            catch (CofferException error) when (error.Code == ErrorCode.NoSuchBucket)
            {
                rules = null;
            }

            _rules[bucket] = rules;
        }

        return rules;
    }
}
