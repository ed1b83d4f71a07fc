using Coffer.Model.Inventory;
using Coffer.Reports;
using Coffer.Reports.Csv;
using Coffer.Reports.Orc;
using Coffer.Reports.Parquet;

namespace Coffer.Inventory.Reports;

public static class ReportFormats
{
    /// <summary>The writer of a configuration's format.</summary>
    public static IReportFormat For(InventoryFormat format) => format switch
    {
        InventoryFormat.Csv => CsvReportFormat.Instance,
        InventoryFormat.Orc => OrcReportFormat.Instance,
        InventoryFormat.Parquet => ParquetReportFormat.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a report format."),
    };
}
