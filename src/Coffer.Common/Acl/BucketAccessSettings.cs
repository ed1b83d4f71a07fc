namespace Coffer.Common.Acl;

/// <summary>
/// S3's object ownership controls: who owns an object written into the bucket, and whether ACLs count at all.
/// <see cref="BucketOwnerEnforced"/> turns ACLs off: access is decided by policies alone and requests that set an ACL
/// other than the bucket owner's full control are refused (AccessControlListNotSupported).
/// </summary>
public enum ObjectOwnership
{
    ObjectWriter,
    BucketOwnerPreferred,
    BucketOwnerEnforced,
}

/// <summary>S3's public access block: four switches that refuse or ignore what would make the bucket public.</summary>
public sealed record PublicAccessBlock(bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets)
{
    public static PublicAccessBlock None { get; } = new(false, false, false, false);
}

/// <summary>
/// A bucket's settings that change how ACLs and policies apply: its ownership controls (null when it has none, which
/// behaves as <see cref="ObjectOwnership.ObjectWriter"/>) and its public access block.
/// </summary>
public sealed record BucketAccessSettings(ObjectOwnership? Ownership, PublicAccessBlock PublicAccessBlock)
{
    public static BucketAccessSettings None { get; } = new(null, PublicAccessBlock.None);

    public bool AclsDisabled => Ownership == ObjectOwnership.BucketOwnerEnforced;
}
