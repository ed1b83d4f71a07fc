namespace Coffer.Model.Objects;

public sealed record CopyObjectRequest
{
    /// <summary>S3's website redirect, among the stored headers: a copy takes the request's, never its source's.</summary>
    public const string WebsiteRedirectHeader = "x-amz-website-redirect-location";

    public required string SourceBucket { get; init; }

    public required string SourceKey { get; init; }

    public string? SourceVersionId { get; init; }

    public required string Bucket { get; init; }

    public required string Key { get; init; }

    /// <summary>False copies the source's content type, metadata and stored headers; true uses the ones below.</summary>
    public bool ReplaceMetadata { get; init; }

    public string? ContentType { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> UserMetadata { get; init; } = [];

    /// <summary>The request's stored headers (<c>Cache-Control</c>, ...): the copy's with REPLACE; with COPY, only its website redirect.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>False copies the source's tags; true uses <see cref="Tags"/>.</summary>
    public bool ReplaceTags { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    public string StorageClass { get; init; } = Common.StorageClass.Standard;

    /// <summary>
    /// The copy's encryption (<c>AES256</c> or <c>aws:kms</c>); null takes the destination bucket's default encryption,
    /// if it has one. The source's encryption does not carry over.
    /// </summary>
    public string? ServerSideEncryption { get; init; }

    public string? KmsKeyId { get; init; }

    /// <summary>The customer-provided key (SSE-C) to encrypt the copy with; it replaces any other encryption.</summary>
    public Storage.Encryption.CustomerKey? CustomerKey { get; init; }

    /// <summary>The key the source was written with, when it is an SSE-C object.</summary>
    public Storage.Encryption.CustomerKey? SourceCustomerKey { get; init; }

    /// <summary>The copy's own canned ACL (<c>private</c>); null to follow its bucket's. A copy never takes its source's.</summary>
    public string? Acl { get; init; }

    /// <summary>Conditions on the source (<c>x-cos-copy-source-If-Match</c> and the like); any miss is PreconditionFailed.</summary>
    public Preconditions SourceCondition { get; init; } = Preconditions.None;

    /// <summary>
    /// A conditional write of the copy (If-Match / If-None-Match on the destination), checked against the object it would
    /// replace, atomically, as a PUT's.
    /// </summary>
    public Preconditions Condition { get; init; } = Preconditions.None;

    /// <summary>
    /// The checksum to compute over the copy (CRC32, CRC32C, CRC64NVME, SHA1 or SHA256, S3's <c>x-amz-checksum-algorithm</c>);
    /// null keeps the source's algorithm, when it has one. Either way the copy's checksum is of its whole bytes.
    /// </summary>
    public string? ChecksumAlgorithm { get; init; }

    /// <summary>The retention and legal hold the write asks for (object lock headers); none by default.</summary>
    public Common.ObjectLock.ObjectLockRequest Lock { get; init; } = Common.ObjectLock.ObjectLockRequest.None;
}
