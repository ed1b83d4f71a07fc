using System.Text;
using Coffer.Model.Objects;
using Coffer.Reports;

namespace Coffer.Inventory.Reports;

/// <summary>
/// Fills a full report's column batch straight from rows read in place (<see cref="ObjectRow"/>): keys, version ids and
/// ETags are copied as the UTF-8 bytes the store holds, numbers and times go into their columns, and no string or object
/// is made a row. It takes the columns <see cref="ReportBatchFiller"/> reads directly from an object, with the same
/// values (<see cref="ReportValues"/>' rules for delete markers); a schema with any other column is filled from objects.
/// </summary>
public sealed class InPlaceBatchFiller
{
    private static readonly byte[] NotEncrypted = "NOT-SSE"u8.ToArray(), Kms = "SSE-KMS"u8.ToArray(), ServerSide = "SSE-S3"u8.ToArray(),
        Customer = "SSE-C"u8.ToArray();

    private readonly ColumnKind[] _kinds;
    private readonly byte[] _appId, _bucket;

    private InPlaceBatchFiller(ReportSchema schema, ReportContext context)
    {
        _kinds = [.. schema.Columns.Select(c => c.Kind)];
        KeyColumn = Array.IndexOf(_kinds, ColumnKind.Key);
        _appId = Encoding.UTF8.GetBytes(context.AppId);
        _bucket = Encoding.UTF8.GetBytes(context.BucketName);
    }

    /// <summary>
    /// A filler for <paramref name="schema"/>, or null when a column of it needs more than a row read in place holds (or
    /// it has no key column, which every full report has).
    /// </summary>
    public static InPlaceBatchFiller? For(ReportSchema schema, ReportContext context) =>
        schema.Has(ColumnKind.Key) && schema.Columns.All(c => c.Side == ColumnSide.Current && IsInPlace(c.Kind)) ? new InPlaceBatchFiller(schema, context) : null;

    /// <summary>Which column of a batch this filler fills holds the rows' keys (as the store's UTF-8).</summary>
    public int KeyColumn { get; }

    /// <summary>Appends <paramref name="row"/> to every column of <paramref name="batch"/> (sealed by the caller once full).</summary>
    public void Add(in ObjectRow row, ColumnBatch batch)
    {
        var marker = row.IsDeleteMarker;
        for (var i = 0; i < _kinds.Length; i++)
        {
            var values = batch[i];
            switch (_kinds[i])
            {
                case ColumnKind.Appid:
                    values.AddShared(_appId);
                    break;
                case ColumnKind.Bucket:
                    values.AddShared(_bucket);
                    break;
                case ColumnKind.Key:
                    values.AddUtf8(row.Key);
                    break;
                case ColumnKind.VersionId:
                    values.AddUtf8(row.VersionId);
                    break;
                case ColumnKind.IsLatest:
                    values.Add(row.IsLatest);
                    break;
                case ColumnKind.IsDeleteMarker:
                    values.Add(marker);
                    break;
                case ColumnKind.Size when !marker:
                    values.Add(row.Size);
                    break;
                case ColumnKind.LastModifiedDate:
                    // A Timestamp column holds 100 ns ticks since 1970, as ColumnVector.Add(DateTimeOffset?) makes them.
                    values.Add(row.LastModifiedMilliseconds * TimeSpan.TicksPerMillisecond);
                    break;
                case ColumnKind.ETag when !marker:
                    values.AddUtf8(row.ETag);
                    break;
                case ColumnKind.StorageClass when !marker:
                    values.AddUtf8(row.StorageClass);
                    break;
                case ColumnKind.IsMultipartUploaded when !marker:
                    values.Add(row.IsMultipartUploaded);
                    break;
                case ColumnKind.ReplicationStatus when row.HasReplicationStatus:
                    values.AddUtf8(row.ReplicationStatus);
                    break;
                case ColumnKind.EncryptionStatus when !marker:
                    values.AddUtf8(EncryptionStatus(row));
                    break;
                default:
                    // Size, ETag, storage class and multipart of a delete marker; a version with no replication status.
                    values.AddNull();
                    break;
            }
        }
    }

    /// <summary>As <see cref="ReportValues"/> (and the summary) name a version's encryption.</summary>
    internal static byte[] EncryptionStatus(in ObjectRow row) =>
        !row.HasEncryption ? NotEncrypted
        : row.Encryption.SequenceEqual("aws:kms"u8) ? Kms
        : row.Encryption.SequenceEqual("SSE-C"u8) ? Customer
        : ServerSide;

    private static bool IsInPlace(ColumnKind kind) => kind is ColumnKind.Appid or ColumnKind.Bucket or ColumnKind.Key or ColumnKind.VersionId
        or ColumnKind.IsLatest or ColumnKind.IsDeleteMarker or ColumnKind.Size or ColumnKind.LastModifiedDate or ColumnKind.ETag
        or ColumnKind.StorageClass or ColumnKind.IsMultipartUploaded or ColumnKind.ReplicationStatus or ColumnKind.EncryptionStatus;
}
