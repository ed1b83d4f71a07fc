namespace Coffer.Storage.Records;

/// <summary>
/// A version's attributes as its record holds them (all but the key columns of <see cref="VersionIdentity"/>), decoded.
/// A scan hands them to a <see cref="VersionFactory{T}"/> so that the caller builds its own row from them, without an
/// <see cref="ObjectVersionRecord"/> allocated in between.
/// </summary>
public readonly record struct VersionAttributes
{
    public long Size { get; init; }

    public ulong? Crc64 { get; init; }

    public bool IsMultipartUploaded { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastModified { get; init; }

    public string ETag { get; init; }

    public string StorageClass { get; init; }

    public string? ContentType { get; init; }

    public string? ReplicationStatus { get; init; }

    public string? Encryption { get; init; }

    public string? KmsKeyId { get; init; }

    public string? UploadId { get; init; }

    public string? Acl { get; init; }

    public string? RetentionMode { get; init; }

    public DateTimeOffset? RetainUntil { get; init; }

    public bool LegalHold { get; init; }

    public BlobLayout Layout { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> UserMetadata { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; }
}

/// <summary>Makes a scan's row from a version's key columns and its decoded attributes.</summary>
public delegate T VersionFactory<out T>(in VersionIdentity identity, in VersionAttributes attributes);
