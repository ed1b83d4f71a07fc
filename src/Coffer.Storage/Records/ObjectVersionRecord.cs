namespace Coffer.Storage.Records;

/// <summary>
/// One version of an object, or a delete marker. Versions of a key are ordered by <see cref="Sequence"/>,
/// newest (highest) first; the newest is the latest version.
/// </summary>
public sealed record ObjectVersionRecord
{
    /// <summary>The version id clients see for versions written while versioning was off or suspended.</summary>
    public const string NullVersionId = "null";

    public long BucketId { get; init; }

    public required string Key { get; init; }

    /// <summary>Store-wide, strictly increasing; assigned on insert.</summary>
    public long Sequence { get; init; }

    public required string VersionId { get; init; }

    public bool IsLatest { get; init; }

    public bool IsDeleteMarker { get; init; }

    public long Size { get; init; }

    /// <summary>Hex ETag without quotes; empty for delete markers.</summary>
    public string ETag { get; init; } = "";

    public ulong? Crc64 { get; init; }

    public string? ContentType { get; init; }

    public string StorageClass { get; init; } = Common.StorageClass.Standard;

    public bool IsMultipartUploaded { get; init; }

    /// <summary>When this version was created (the inventory Period filter reads this).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastModified { get; init; }

    /// <summary>Where the bytes are; empty for delete markers and empty objects.</summary>
    public BlobLayout Layout { get; init; } = BlobLayout.Empty;

    /// <summary>User metadata (<c>x-cos-meta-*</c> without the prefix), in the order it was sent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> UserMetadata { get; init; } = [];

    /// <summary>Stored response headers: Content-Encoding, Cache-Control, Content-Disposition, Content-Language, Expires.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    public string? ReplicationStatus { get; init; }

    /// <summary>
    /// Server-side encryption at rest (<c>AES256</c> or <c>aws:kms</c>), when the object is encrypted; its blobs then
    /// carry wrapped keys in <see cref="Layout"/>.
    /// </summary>
    public string? Encryption { get; init; }

    /// <summary>The key id an <c>aws:kms</c> object was written with, as the client named it.</summary>
    public string? KmsKeyId { get; init; }

    /// <summary>The multipart upload that completed into this version (a retried completion answers with it); null otherwise.</summary>
    public string? UploadId { get; init; }

    /// <summary>
    /// The object's own ACL, encoded by the model: a canned name (<c>private</c>) or its grants; null when it follows its
    /// bucket's.
    /// </summary>
    public string? Acl { get; init; }

    /// <summary>The object lock retention mode (<c>GOVERNANCE</c> or <c>COMPLIANCE</c>); null when the version has none.</summary>
    public string? RetentionMode { get; init; }

    /// <summary>Until when the retention holds the version; set with <see cref="RetentionMode"/>.</summary>
    public DateTimeOffset? RetainUntil { get; init; }

    /// <summary>An object lock legal hold: the version cannot be deleted while it is on.</summary>
    public bool LegalHold { get; init; }
}
