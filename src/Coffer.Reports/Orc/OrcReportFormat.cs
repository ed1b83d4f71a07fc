namespace Coffer.Reports.Orc;

/// <summary>How ORC parts are cut and compressed.</summary>
public sealed record OrcWriterOptions
{
    /// <summary>
    /// A stripe ends once its rows hold this many bytes of values before encoding (string bytes, 8 per bigint, 12 per
    /// timestamp, 1 per boolean): a writer holds one stripe in memory, encoded and compressed. 8 MiB of report values
    /// is about 75,000 rows and 2.5 MB compressed: few enough pooled chunks that the shared array pool keeps reusing
    /// them (with 64 MiB a part held ~16 MB of chunks, the pool dropped most and every run grew the large object heap).
    /// </summary>
    public long StripeBytes { get; init; } = 8L << 20;

    /// <summary>A stripe also ends at this many rows, which bounds what dictionaries buffer per row.</summary>
    public int StripeRows { get; init; } = 1_000_000;

    /// <summary>Rows per row group: each has a row index entry with positions and statistics.</summary>
    public int RowIndexStride { get; init; } = 10_000;

    /// <summary>The most bytes one ZLIB chunk holds before compression.</summary>
    public int CompressionBlockSize { get; init; } = 256 << 10;
}

/// <summary>
/// Apache ORC, as AWS delivers inventory in it: one struct of typed columns named as AWS names them (string, bigint,
/// boolean, timestamp), ZLIB-compressed, with row indexes and statistics, timestamps in UTC.
/// </summary>
public sealed class OrcReportFormat(OrcWriterOptions options) : IReportFormat
{
    public static readonly OrcReportFormat Instance = new(new OrcWriterOptions());

    public string FileFormat => "ORC";

    public string Extension => ".orc";

    public string ContentType => "application/octet-stream";

    /// <summary>The Hive type of the rows, as AWS puts it in ORC manifests: <c>struct&lt;bucket:string,key:string,...&gt;</c>.</summary>
    public string FileSchema(ColumnSchema schema) =>
        "struct<" + string.Join(',', schema.Columns.Select(c => $"{c.ColumnarName}:{HiveType(c.Type)}")) + ">";

    public IReportPartWriter CreatePart(Stream output, ColumnSchema schema) => new OrcPartWriter(output, schema, options);

    private static string HiveType(ColumnType type) => type switch
    {
        ColumnType.String => "string",
        ColumnType.Int64 => "bigint",
        ColumnType.Boolean => "boolean",
        ColumnType.Timestamp => "timestamp",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
