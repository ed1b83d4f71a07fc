namespace Coffer.Model.Buckets;

public enum BucketVersioning
{
    Unversioned,
    Enabled,
    Suspended,
}

public sealed record BucketInfo(string Name, string OwnerAppId, string Region, DateTimeOffset CreatedAt, BucketVersioning Versioning);
