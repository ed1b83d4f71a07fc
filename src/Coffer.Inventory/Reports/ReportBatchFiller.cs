using System.Text;
using Coffer.Reports;

namespace Coffer.Inventory.Reports;

/// <summary>
/// Fills the writers' column batches from report rows, column by column: what a column reads is decided once per
/// column and batch, then one loop takes that value from every row. The columns of a full report of current versions
/// (the bulk of every run) read the object directly; journal columns, diff sides and the rarer fields go through
/// <see cref="ReportValues"/> as every format read them before.
/// </summary>
public static class ReportBatchFiller
{
    /// <summary>Clears <paramref name="batch"/> and fills it with <paramref name="rows"/> (at most its capacity).</summary>
    public static void Fill(ReportSchema schema, ReportContext context, ReadOnlySpan<ReportRow> rows, ColumnBatch batch)
    {
        batch.Clear();
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            var column = schema.Columns[i];
            var values = batch[i];
            if (column.Side != ColumnSide.Current || !FillDirect(column, context, rows, values))
            {
                FillThroughValues(column, context, rows, values);
            }
        }

        batch.Seal();
    }

    private static bool FillDirect(ReportColumn column, ReportContext context, ReadOnlySpan<ReportRow> rows, ColumnVector values)
    {
        switch (column.Kind)
        {
            case ColumnKind.Appid:
                FillConstant(context.AppId, rows.Length, values);
                break;
            case ColumnKind.Bucket:
                FillConstant(context.BucketName, rows.Length, values);
                break;
            case ColumnKind.Key:
                foreach (var row in rows)
                {
                    values.Add(row.Object.Key);
                }

                break;
            case ColumnKind.VersionId:
                foreach (var row in rows)
                {
                    values.Add(row.Object.VersionId);
                }

                break;
            case ColumnKind.IsLatest:
                foreach (var row in rows)
                {
                    values.Add(row.Object.IsLatest);
                }

                break;
            case ColumnKind.IsDeleteMarker:
                foreach (var row in rows)
                {
                    values.Add(row.Object.IsDeleteMarker);
                }

                break;
            case ColumnKind.Size:
                foreach (var row in rows)
                {
                    values.Add(ReportValues.SizeOf(row.Object));
                }

                break;
            case ColumnKind.LastModifiedDate:
                foreach (var row in rows)
                {
                    values.Add(row.Object.LastModified);
                }

                break;
            case ColumnKind.ETag:
                foreach (var row in rows)
                {
                    values.Add(ReportValues.ETagOf(row.Object));
                }

                break;
            case ColumnKind.StorageClass:
                foreach (var row in rows)
                {
                    values.Add(ReportValues.StorageClassOf(row.Object));
                }

                break;
            case ColumnKind.IsMultipartUploaded:
                foreach (var row in rows)
                {
                    values.Add(ReportValues.IsMultipartUploadedOf(row.Object));
                }

                break;
            case ColumnKind.ReplicationStatus:
                foreach (var row in rows)
                {
                    values.Add(row.Object.ReplicationStatus);
                }

                break;
            default:
                return false;
        }

        return true;
    }

    /// <summary>A value every row shares (the APPID, the bucket): encoded once and kept once (<see cref="ColumnVector.AddShared"/>).</summary>
    private static void FillConstant(string value, int rows, ColumnVector values)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        for (var row = 0; row < rows; row++)
        {
            values.AddShared(utf8);
        }
    }

    private static void FillThroughValues(ReportColumn column, ReportContext context, ReadOnlySpan<ReportRow> rows, ColumnVector values)
    {
        switch (column.Type)
        {
            case ColumnType.String:
                foreach (var row in rows)
                {
                    values.Add(ReportValues.Text(column, row, context));
                }

                break;
            case ColumnType.Int64:
                foreach (var row in rows)
                {
                    values.Add(ReportValues.Int64(column, row));
                }

                break;
            case ColumnType.Boolean:
                foreach (var row in rows)
                {
                    values.Add(ReportValues.Boolean(column, row));
                }

                break;
            default:
                foreach (var row in rows)
                {
                    values.Add(ReportValues.Timestamp(column, row, context));
                }

                break;
        }
    }
}
