using Coffer.Inventory.Reports.Parquet;
using Coffer.Model.Inventory;

namespace Coffer.Inventory.Reports;

/// <summary>A report file format: how parts are named and written, and how the manifest describes their schema.</summary>
public interface IReportFormat
{
    /// <summary>The manifest's <c>fileFormat</c>: CSV, ORC or Parquet.</summary>
    string FileFormat { get; }

    /// <summary>The part file extension, with its dot: <c>.csv.gz</c>, <c>.orc</c>, <c>.parquet</c>.</summary>
    string Extension { get; }

    string ContentType { get; }

    /// <summary>The manifest's <c>fileSchema</c>.</summary>
    string FileSchema(ReportSchema schema);

    /// <summary>Starts a part that writes into <paramref name="output"/>.</summary>
    IReportPartWriter CreatePart(Stream output, ReportSchema schema, ReportContext context);
}

/// <summary>One part file being written. Rows go in on the caller's thread; encoding may continue on others.</summary>
public interface IReportPartWriter : IAsyncDisposable
{
    /// <summary>Bytes of rows taken so far before compression: the measure parts are bounded by.</summary>
    long UncompressedBytes { get; }

    /// <summary>Rows taken so far.</summary>
    long Rows { get; }

    /// <summary>Adds a row; may wait while the encoder catches up, so memory stays bounded.</summary>
    ValueTask WriteAsync(ReportRow row, CancellationToken cancellationToken);

    /// <summary>Writes what is buffered, finishes the file and closes the output.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}

public static class ReportFormats
{
    public static IReportFormat For(InventoryFormat format) => format switch
    {
        InventoryFormat.Csv => CsvReportFormat.Instance,
        InventoryFormat.Orc => Orc.OrcReportFormat.Instance,
        InventoryFormat.Parquet => ParquetReportFormat.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a report format."),
    };
}
