namespace Coffer.Common.Acl;

/// <summary>
/// The canned ACLs of COS and S3 (<c>x-cos-acl</c> / <c>x-amz-acl</c>), expanded into grants as the S3 reference lists
/// them. COS's <c>default</c> on an object means "follow the bucket's ACL": no list of its own.
/// </summary>
public static class CannedAcl
{
    public const string Private = "private";
    public const string PublicRead = "public-read";
    public const string PublicReadWrite = "public-read-write";
    public const string AuthenticatedRead = "authenticated-read";
    public const string BucketOwnerRead = "bucket-owner-read";
    public const string BucketOwnerFullControl = "bucket-owner-full-control";
    public const string LogDeliveryWrite = "log-delivery-write";
    public const string Default = "default";

    private static readonly string[] BucketNames = [Private, PublicRead, PublicReadWrite, AuthenticatedRead, LogDeliveryWrite];
    private static readonly string[] ObjectNames = [Private, PublicRead, PublicReadWrite, AuthenticatedRead, BucketOwnerRead, BucketOwnerFullControl];

    /// <summary>Whether <paramref name="name"/> is a canned ACL a bucket (or an object) can be given.</summary>
    public static bool IsKnown(string name, bool forObject) => (forObject ? ObjectNames : BucketNames).Contains(name);

    /// <summary>
    /// The ACL a request sets: <paramref name="grants"/> when it names no canned ACL, else the canned ACL's grants
    /// followed by those of <paramref name="grants"/> it does not already hold (COS takes both in one request).
    /// </summary>
    public static AccessControlList Build(string? canned, IReadOnlyList<AclGrant> grants, string ownerUin, string bucketOwnerUin, bool forObject)
    {
        if (canned is null)
        {
            return new AccessControlList(ownerUin, grants);
        }

        var expanded = Expand(canned, ownerUin, bucketOwnerUin, forObject);
        return grants.Count == 0 ? expanded : expanded with { Grants = expanded.Grants.Concat(grants).Distinct().ToArray() };
    }

    /// <summary>
    /// The grants of a canned ACL for a resource owned by <paramref name="ownerUin"/> in a bucket owned by
    /// <paramref name="bucketOwnerUin"/>. <c>aws-exec-read</c> names an EC2 service Coffer has not; it and any
    /// other name are InvalidArgument.
    /// </summary>
    public static AccessControlList Expand(string name, string ownerUin, string bucketOwnerUin, bool forObject)
    {
        if (!IsKnown(name, forObject))
        {
            throw new CofferException(ErrorCode.InvalidArgument,
                $"The canned ACL '{name}' is not one a {(forObject ? "an object" : "a bucket")} can have ({string.Join(", ", forObject ? ObjectNames : BucketNames)}).");
        }

        var owner = new AclGrant(AclGrantee.Account(ownerUin), AclGrantPermission.FullControl);
        AclGrant[] grants = name switch
        {
            PublicRead => [owner, new(AclGrantee.AllUsers, AclGrantPermission.Read)],
            PublicReadWrite => [owner, new(AclGrantee.AllUsers, AclGrantPermission.Read), new(AclGrantee.AllUsers, AclGrantPermission.Write)],
            AuthenticatedRead => [owner, new(AclGrantee.AuthenticatedUsers, AclGrantPermission.Read)],
            BucketOwnerRead when bucketOwnerUin != ownerUin => [owner, new(AclGrantee.Account(bucketOwnerUin), AclGrantPermission.Read)],
            BucketOwnerFullControl when bucketOwnerUin != ownerUin => [owner, new(AclGrantee.Account(bucketOwnerUin), AclGrantPermission.FullControl)],
            LogDeliveryWrite => [owner, new(new AclGrantee(AclGranteeType.LogDelivery), AclGrantPermission.Write),
                new(new AclGrantee(AclGranteeType.LogDelivery), AclGrantPermission.ReadAcp)],
            _ => [owner],
        };
        return new AccessControlList(ownerUin, grants);
    }

    /// <summary>
    /// The canned name of <paramref name="acl"/> when it is exactly one for its owner (so it can be stored as the name),
    /// or null. Only names whose grants do not depend on the bucket's owner are considered.
    /// </summary>
    public static string? NameOf(AccessControlList acl, bool forObject)
    {
        foreach (var name in new[] { Private, PublicRead, PublicReadWrite, AuthenticatedRead })
        {
            if (acl.Equals(Expand(name, acl.OwnerUin, acl.OwnerUin, forObject)))
            {
                return name;
            }
        }

        return null;
    }
}
