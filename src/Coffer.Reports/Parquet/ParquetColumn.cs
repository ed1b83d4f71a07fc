namespace Coffer.Reports.Parquet;

/// <summary>parquet.thrift's <c>Type</c>: the physical types reports use.</summary>
internal enum PhysicalType
{
    Boolean = 0,
    Int64 = 2,
    ByteArray = 6,
}

/// <summary>parquet.thrift's <c>Encoding</c>: the ones written here.</summary>
internal enum ParquetEncoding
{
    Plain = 0,
    Rle = 3,
    RleDictionary = 8,
}

/// <summary>How a report column is stored: strings as UTF-8 byte arrays, timestamps as INT64 milliseconds since the epoch (UTC).</summary>
internal sealed record ParquetColumn(ColumnDefinition Definition, PhysicalType PhysicalType, bool Required, bool TriesDictionary)
{
    /// <summary>Strings try a dictionary unless their values rarely repeat: it would only fill up and be dropped, so they start PLAIN.</summary>
    public static ParquetColumn For(ColumnDefinition column) => column.Type switch
    {
        ColumnType.String => new(column, PhysicalType.ByteArray, column.Required, TriesDictionary: !column.MostlyUnique),
        ColumnType.Boolean => new(column, PhysicalType.Boolean, column.Required, TriesDictionary: false),
        _ => new(column, PhysicalType.Int64, column.Required, TriesDictionary: false),
    };

    public string Name => Definition.ColumnarName;

    /// <summary>This column in the manifest's <c>fileSchema</c>, as S3 prints it: <c>optional int64 last_modified_date (TIMESTAMP_MILLIS);</c>.</summary>
    public string SchemaText
    {
        get
        {
            var repetition = Required ? "required" : "optional";
            var (type, annotation) = Definition.Type switch
            {
                ColumnType.String => ("binary", " (UTF8)"),
                ColumnType.Boolean => ("boolean", ""),
                ColumnType.Timestamp => ("int64", " (TIMESTAMP_MILLIS)"),
                _ => ("int64", ""),
            };
            return $"{repetition} {type} {Name}{annotation};";
        }
    }
}
