namespace Coffer.Model.Objects;

public sealed record PutObjectRequest
{
    public required string Bucket { get; init; }

    public required string Key { get; init; }

    public required Stream Body { get; init; }

    /// <summary>The announced length; the upload fails if the body is shorter or longer. Null for chunked bodies.</summary>
    public long? ContentLength { get; init; }

    /// <summary>The MD5 the client says the body has; the upload fails with BadDigest when it differs.</summary>
    public byte[]? ContentMd5 { get; init; }

    public string? ContentType { get; init; }

    public string StorageClass { get; init; } = Common.StorageClass.Standard;

    public IReadOnlyList<KeyValuePair<string, string>> UserMetadata { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>
    /// Server-side encryption for the object (<c>AES256</c> or <c>aws:kms</c>); null takes the bucket's default
    /// encryption, if it has one.
    /// </summary>
    public string? ServerSideEncryption { get; init; }

    /// <summary>The KMS key id of an <c>aws:kms</c> object, recorded and returned as given.</summary>
    public string? KmsKeyId { get; init; }

    /// <summary>The customer-provided key (SSE-C) to encrypt the object with; it replaces any other encryption.</summary>
    public Storage.Encryption.CustomerKey? CustomerKey { get; init; }

    /// <summary>The object's own canned ACL (<c>private</c>); null to follow its bucket's.</summary>
    public string? Acl { get; init; }

    /// <summary>A conditional write (If-Match / If-None-Match), checked against the object it would replace, atomically.</summary>
    public Preconditions Condition { get; init; } = Preconditions.None;

    /// <summary>
    /// The bucket's rules as the request was authorized with them; when given, the bucket's default encryption comes from
    /// the configurations read with them instead of another snapshot.
    /// </summary>
    public Access.BucketAccessRules? BucketRules { get; init; }

    /// <summary>Headers known only once the body has been read (a trailing checksum); stored with <see cref="Headers"/>.</summary>
    public Func<IReadOnlyList<KeyValuePair<string, string>>>? HeadersAfterBody { get; init; }

    /// <summary>The retention and legal hold the write asks for (object lock headers); none by default.</summary>
    public Common.ObjectLock.ObjectLockRequest Lock { get; init; } = Common.ObjectLock.ObjectLockRequest.None;
}
