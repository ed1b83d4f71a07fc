namespace Coffer.Inventory.Reports.Parquet;

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
internal sealed record ParquetColumn(ReportColumn Report, PhysicalType PhysicalType, bool Required, bool TriesDictionary)
{
    public static ParquetColumn For(ReportColumn column)
    {
        // As in S3's schema: only the bucket and the key (and COS's APPID) are always there.
        var required = column.Kind is ColumnKind.Appid or ColumnKind.Bucket or ColumnKind.Key;
        return column.Type switch
        {
            ColumnType.String => new(column, PhysicalType.ByteArray, required, TriesDictionary: !IsMostlyUnique(column.Kind)),
            ColumnType.Boolean => new(column, PhysicalType.Boolean, required, TriesDictionary: false),
            _ => new(column, PhysicalType.Int64, required, TriesDictionary: false),
        };
    }

    public string Name => Report.ColumnarName;

    /// <summary>This column in the manifest's <c>fileSchema</c>, as S3 prints it: <c>optional int64 last_modified_date (TIMESTAMP_MILLIS);</c>.</summary>
    public string SchemaText
    {
        get
        {
            var repetition = Required ? "required" : "optional";
            var (type, annotation) = Report.Type switch
            {
                ColumnType.String => ("binary", " (UTF8)"),
                ColumnType.Boolean => ("boolean", ""),
                ColumnType.Timestamp => ("int64", " (TIMESTAMP_MILLIS)"),
                _ => ("int64", ""),
            };
            return $"{repetition} {type} {Name}{annotation};";
        }
    }

    /// <summary>Columns whose values rarely repeat: a dictionary would only fill up and be dropped, so they start PLAIN.</summary>
    private static bool IsMostlyUnique(ColumnKind kind) => kind is ColumnKind.Key or ColumnKind.VersionId or ColumnKind.ETag or ColumnKind.Crc64;
}
