namespace Coffer.Storage.Records;

/// <summary>
/// The fixed fields at the head of a packed version record, read in place (<see cref="VersionRecordCodec.ReadFields"/>):
/// numbers decoded, texts as the record's UTF-8 spans. The sections after them (layout, metadata, tags, ...) are not read.
/// </summary>
public readonly ref struct VersionRecordFields
{
    public long Size { get; init; }

    public bool IsMultipartUploaded { get; init; }

    /// <summary>Milliseconds since 1970 UTC.</summary>
    public long CreatedAtMilliseconds { get; init; }

    /// <summary>Milliseconds since 1970 UTC.</summary>
    public long LastModifiedMilliseconds { get; init; }

    /// <summary>The ETag, UTF-8; empty when the record has none (as a decoded record's <c>""</c>).</summary>
    public ReadOnlySpan<byte> ETag { get; init; }

    /// <summary>The storage class, UTF-8; <c>STANDARD</c> when the record has none (as a decoded record's).</summary>
    public ReadOnlySpan<byte> StorageClass { get; init; }

    /// <summary>The replication status, UTF-8, when <see cref="HasReplicationStatus"/>.</summary>
    public ReadOnlySpan<byte> ReplicationStatus { get; init; }

    public bool HasReplicationStatus { get; init; }

    /// <summary>The server-side encryption algorithm (<c>AES256</c>, <c>aws:kms</c>), UTF-8, when <see cref="HasEncryption"/>.</summary>
    public ReadOnlySpan<byte> Encryption { get; init; }

    public bool HasEncryption { get; init; }
}
