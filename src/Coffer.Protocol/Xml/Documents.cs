namespace Coffer.Protocol.Xml;

/// <summary>The <c>&lt;Error&gt;</c> body; COS clients need all five elements, non-empty.</summary>
public sealed record ErrorDocument(string Code, string Message, string Resource, string RequestId, string TraceId);

public sealed record BucketEntry(string Name, string Location, DateTimeOffset CreationDate);

public sealed record ListAllMyBucketsDocument(string OwnerId, string OwnerDisplayName, IReadOnlyList<BucketEntry> Buckets);

public sealed record ObjectEntry(string Key, DateTimeOffset LastModified, string ETag, long Size, string OwnerId, string StorageClass);

/// <summary>GET Bucket (List Objects, version 1). Keys and prefixes are written URL-encoded when <see cref="EncodingType"/> is "url".</summary>
public sealed record ListBucketDocument(
    string Name,
    string Prefix,
    string Marker,
    int MaxKeys,
    string? Delimiter,
    string? EncodingType,
    bool IsTruncated,
    string? NextMarker,
    IReadOnlyList<string> CommonPrefixes,
    IReadOnlyList<ObjectEntry> Contents);
