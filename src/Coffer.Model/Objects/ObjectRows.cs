using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model.Objects;

/// <summary>
/// One row of a walk read in place (<see cref="IObjectService.ReadRows"/>): the fields a report's common columns take,
/// texts as UTF-8 spans, valid until the next <see cref="ObjectRowReader.Read"/>. Nothing of it is a string or an object.
/// </summary>
public readonly ref struct ObjectRow
{
    /// <summary>The key, UTF-8.</summary>
    public ReadOnlySpan<byte> Key { get; init; }

    /// <summary>The version id, UTF-8 (<c>null</c> for the null version).</summary>
    public ReadOnlySpan<byte> VersionId { get; init; }

    public bool IsLatest { get; init; }

    public bool IsDeleteMarker { get; init; }

    public long Size { get; init; }

    public bool IsMultipartUploaded { get; init; }

    /// <summary>Milliseconds since 1970 UTC.</summary>
    public long LastModifiedMilliseconds { get; init; }

    /// <summary>As <see cref="ObjectInfo.ETag"/>, UTF-8 (empty when the version has none).</summary>
    public ReadOnlySpan<byte> ETag { get; init; }

    /// <summary>As <see cref="ObjectInfo.StorageClass"/>, UTF-8.</summary>
    public ReadOnlySpan<byte> StorageClass { get; init; }

    /// <summary>As <see cref="ObjectInfo.ReplicationStatus"/>, UTF-8, when <see cref="HasReplicationStatus"/>.</summary>
    public ReadOnlySpan<byte> ReplicationStatus { get; init; }

    public bool HasReplicationStatus { get; init; }

    /// <summary>As <see cref="ObjectInfo.Encryption"/>, UTF-8, when <see cref="HasEncryption"/>.</summary>
    public ReadOnlySpan<byte> Encryption { get; init; }

    public bool HasEncryption { get; init; }
}

/// <summary>
/// The rows of one walk, read in place from one read snapshot (held until disposed); the same rows, in the same order,
/// as <see cref="IObjectService.Walk"/> with the same options. Tags, metadata and headers are not read.
/// </summary>
public sealed class ObjectRowReader : IDisposable
{
    private readonly IMetadataSnapshot _snapshot;
    private readonly IVersionRowReader? _rows;
    private readonly bool _allVersions;

    internal ObjectRowReader(IMetadataSnapshot snapshot, IVersionRowReader? rows, bool allVersions)
    {
        _snapshot = snapshot;
        _rows = rows;
        _allVersions = allVersions;
    }

    /// <summary>The next row, valid until the next call; false at the end of the walk.</summary>
    public bool Read(out ObjectRow row)
    {
        while (_rows is not null && _rows.Read(out var version))
        {
            // Current objects only: a key whose latest version is a delete marker has none.
            if (!_allVersions && version.IsDeleteMarker)
            {
                continue;
            }

            var fields = VersionRecordCodec.ReadFields(version.Record);
            row = new ObjectRow
            {
                Key = version.Key,
                VersionId = version.VersionId,
                IsLatest = version.IsLatest,
                IsDeleteMarker = version.IsDeleteMarker,
                Size = fields.Size,
                IsMultipartUploaded = fields.IsMultipartUploaded,
                LastModifiedMilliseconds = fields.LastModifiedMilliseconds,
                ETag = fields.ETag,
                StorageClass = fields.StorageClass,
                ReplicationStatus = fields.ReplicationStatus,
                HasReplicationStatus = fields.HasReplicationStatus,
                Encryption = fields.Encryption,
                HasEncryption = fields.HasEncryption,
            };
            return true;
        }

        row = default;
        return false;
    }

    public void Dispose()
    {
        _rows?.Dispose();
        _snapshot.Dispose();
    }
}
