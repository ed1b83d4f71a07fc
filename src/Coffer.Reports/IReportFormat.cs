namespace Coffer.Reports;

/// <summary>A report file format: how parts are named and written, and how a manifest describes their schema.</summary>
public interface IReportFormat
{
    /// <summary>The manifest's <c>fileFormat</c>: CSV, ORC or Parquet.</summary>
    string FileFormat { get; }

    /// <summary>The part file extension, with its dot: <c>.csv.gz</c>, <c>.orc</c>, <c>.parquet</c>.</summary>
    string Extension { get; }

    string ContentType { get; }

    /// <summary>The manifest's <c>fileSchema</c>.</summary>
    string FileSchema(ColumnSchema schema);

    /// <summary>Starts a part that writes into <paramref name="output"/>.</summary>
    IReportPartWriter CreatePart(Stream output, ColumnSchema schema);
}

/// <summary>
/// One part file being written. Batches go in on the caller's thread, which encodes them; compression and output may
/// continue on others, a bounded amount behind, so memory stays bounded whatever the part's size.
/// </summary>
public interface IReportPartWriter : IAsyncDisposable
{
    /// <summary>Bytes of rows taken so far before compression: the measure parts are bounded by.</summary>
    long UncompressedBytes { get; }

    /// <summary>Rows taken so far.</summary>
    long Rows { get; }

    /// <summary>
    /// Takes the rows of <paramref name="batch"/> from <paramref name="start"/> on, and stops before the first row a part
    /// may end before (<see cref="ColumnBatch.MayEndPartBefore"/>) once <see cref="UncompressedBytes"/> has reached
    /// <paramref name="partBytes"/>. Returns the row it stopped before: <c>batch.Count</c> when it took them all. May wait
    /// while the encoder catches up; the batch must stay as it is until the returned task completes.
    /// </summary>
    ValueTask<int> WriteAsync(ColumnBatch batch, int start, long partBytes, CancellationToken cancellationToken);

    /// <summary>Writes what is buffered, finishes the file and closes the output.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}

public static class ReportPartWriterExtensions
{
    /// <summary>Takes every row of <paramref name="batch"/>, however large the part grows.</summary>
    public static async ValueTask WriteAsync(this IReportPartWriter writer, ColumnBatch batch, CancellationToken cancellationToken) =>
        await writer.WriteAsync(batch, 0, long.MaxValue, cancellationToken);
}
