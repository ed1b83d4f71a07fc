namespace Coffer.Reports.Parquet;

/// <summary>
/// Apache Parquet parts as S3 delivers them: one flat message of the report's columns under their columnar names
/// (<c>last_modified_date</c>), strings as UTF-8 byte arrays, sizes as INT64, timestamps as INT64 milliseconds (UTC).
/// Columns defined <see cref="ColumnDefinition.Required"/> are required, every other column optional. Data pages v1, dictionary
/// encoding for repetitive string columns, Snappy by default, statistics for every column chunk.
/// </summary>
public sealed class ParquetReportFormat(ParquetOptions options) : IReportFormat
{
    public static readonly ParquetReportFormat Instance = new(new ParquetOptions());

    public ParquetOptions Options { get; } = options;

    public string FileFormat => "Parquet";

    public string Extension => ".parquet";

    public string ContentType => "application/octet-stream";

    /// <summary>
    /// The message as S3's manifests print it, e.g. <c>message s3.inventory { required binary bucket (UTF8); required
    /// binary key (UTF8); optional int64 size;}</c>. COS publishes no Parquet schema; its reports name the message
    /// <c>cos.inventory</c>.
    /// </summary>
    public string FileSchema(ColumnSchema schema) =>
        $"message {schema.Name} {{ {string.Join(' ', Columns(schema).Select(c => c.SchemaText))}}}";

    public IReportPartWriter CreatePart(Stream output, ColumnSchema schema) =>
        new ParquetPartWriter(output, schema.Name, Columns(schema), Options);

    private static ParquetColumn[] Columns(ColumnSchema schema) => [.. schema.Columns.Select(ParquetColumn.For)];
}
