using System.Text;
using Coffer.Storage.Records;

namespace Coffer.Storage;

/// <summary>
/// One object version row as the engine holds it: its key columns and its packed record (<see cref="VersionRecordCodec"/>),
/// as spans that stay valid until the next <see cref="IVersionRowReader.Read"/>. What a bulk reader (an inventory scan)
/// takes instead of an <see cref="ObjectVersionRecord"/> a row: nothing is decoded that it does not read.
/// </summary>
public readonly ref struct VersionRow(ReadOnlySpan<byte> key, long sequence, ReadOnlySpan<byte> versionId, bool isLatest, bool isDeleteMarker,
    ReadOnlySpan<byte> record)
{
    /// <summary>The key, UTF-8.</summary>
    public ReadOnlySpan<byte> Key { get; } = key;

    public long Sequence { get; } = sequence;

    /// <summary>The version id, UTF-8 (<c>null</c> for the null version).</summary>
    public ReadOnlySpan<byte> VersionId { get; } = versionId;

    public bool IsLatest { get; } = isLatest;

    public bool IsDeleteMarker { get; } = isDeleteMarker;

    /// <summary>The packed record; <see cref="VersionRecordCodec.ReadFields"/> reads its fixed fields in place.</summary>
    public ReadOnlySpan<byte> Record { get; } = record;
}

/// <summary>The rows of one range scan, read one at a time in place; disposing it ends the scan.</summary>
public interface IVersionRowReader : IDisposable
{
    /// <summary>The next row, valid until the next call; false at the end of the range.</summary>
    bool Read(out VersionRow row);
}

/// <summary>
/// Rows made from decoded records, each key and record encoded again: the same rows for an engine that does not read
/// them in place (correct, not fast: <see cref="IMetadataStore.ReadsRowsInPlace"/> tells callers which they get).
/// </summary>
internal sealed class EncodedVersionRows(IEnumerable<ObjectVersionRecord> versions) : IVersionRowReader
{
    private readonly IEnumerator<ObjectVersionRecord> _versions = versions.GetEnumerator();
    private byte[] _key = [], _versionId = [], _record = [];

    public bool Read(out VersionRow row)
    {
        if (!_versions.MoveNext())
        {
            row = default;
            return false;
        }

        var version = _versions.Current;
        (_key, _versionId, _record) = (Encoding.UTF8.GetBytes(version.Key), Encoding.UTF8.GetBytes(version.VersionId), VersionRecordCodec.Encode(version));
        row = new VersionRow(_key, version.Sequence, _versionId, version.IsLatest, version.IsDeleteMarker, _record);
        return true;
    }

    public void Dispose() => _versions.Dispose();
}
