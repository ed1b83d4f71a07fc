using System.Runtime.InteropServices;
using Coffer.Inventory.Reports;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;

namespace Coffer.Reports.Tests;

/// <summary>
/// Inventory rows as the writers' test data: the report schema of a configuration, and object versions filled into
/// column batches by the inventory's <see cref="ReportBatchFiller"/>, as a run fills them.
/// </summary>
internal static class ReportRows
{
    private const int BatchRows = 1024;

    public static InventoryConfiguration Configuration(string id, InventoryDialect dialect = InventoryDialect.Cos,
        IncludedVersions versions = IncludedVersions.Current, IReadOnlyList<string>? fields = null) => new()
        {
            Id = id,
            Dialect = dialect,
            IncludedObjectVersions = versions,
            OptionalFields = fields ?? ["Size", "ETag"],
            Destination = new InventoryDestination { Bucket = "reports-1250000000", BucketReference = "reports-1250000000" },
        };

    /// <summary>Writes <paramref name="rows"/> in batches of 1,024.</summary>
    public static async Task WriteRowsAsync(this IReportPartWriter part, ReportSchema schema, ReportContext context, IEnumerable<ObjectInfo> rows)
    {
        var batch = new ColumnBatch(schema.Output, BatchRows);
        var pending = new List<ReportRow>(BatchRows);
        foreach (var row in rows)
        {
            pending.Add(row);
            if (pending.Count == BatchRows)
            {
                await WriteAsync(part, schema, context, pending, batch);
            }
        }

        if (pending.Count > 0)
        {
            await WriteAsync(part, schema, context, pending, batch);
        }
    }

    /// <summary>Writes one row on its own.</summary>
    public static Task WriteRowAsync(this IReportPartWriter part, ReportSchema schema, ReportContext context, ObjectInfo row) =>
        part.WriteRowsAsync(schema, context, [row]);

    private static async Task WriteAsync(IReportPartWriter part, ReportSchema schema, ReportContext context, List<ReportRow> rows, ColumnBatch batch)
    {
        ReportBatchFiller.Fill(schema, context, CollectionsMarshal.AsSpan(rows), batch);
        await part.WriteAsync(batch, CancellationToken.None);
        rows.Clear();
    }
}
