namespace Coffer.Model.Objects;

/// <summary>What a client can learn about one object version (or delete marker) without reading its bytes.</summary>
public sealed record ObjectInfo
{
    public const string NullVersionId = "null";

    public required string Bucket { get; init; }

    public required string Key { get; init; }

    /// <summary>"null" for versions written while versioning was never enabled or was suspended.</summary>
    public required string VersionId { get; init; }

    public bool IsLatest { get; init; }

    public bool IsDeleteMarker { get; init; }

    public long Size { get; init; }

    /// <summary>The entity tag without quotes.</summary>
    public string ETag { get; init; } = "";

    public ulong? Crc64 { get; init; }

    public string? ContentType { get; init; }

    public required string StorageClass { get; init; }

    public bool IsMultipartUploaded { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastModified { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> UserMetadata { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    public string? ReplicationStatus { get; init; }

    /// <summary>Server-side encryption at rest (<c>AES256</c> or <c>aws:kms</c>), null when the object is stored as sent.</summary>
    public string? Encryption { get; init; }

    /// <summary>The KMS key id of an <c>aws:kms</c> object, as the client named it.</summary>
    public string? KmsKeyId { get; init; }

    /// <summary>The object's own ACL as stored (see <see cref="Access.AclCodec"/>); null when it follows its bucket's.</summary>
    public string? Acl { get; init; }

    /// <summary>The object lock retention mode (<c>GOVERNANCE</c> or <c>COMPLIANCE</c>), with <see cref="RetainUntil"/>; null without one.</summary>
    public string? RetentionMode { get; init; }

    public DateTimeOffset? RetainUntil { get; init; }

    /// <summary>An object lock legal hold is on.</summary>
    public bool LegalHold { get; init; }

    /// <summary>True when the version id is a real one (versioning was on when it was written).</summary>
    public bool HasVersionId => VersionId != NullVersionId;
}
