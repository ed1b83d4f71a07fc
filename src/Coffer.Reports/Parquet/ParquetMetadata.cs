using System.Reflection;

namespace Coffer.Reports.Parquet;

/// <summary>Where one column chunk landed in the file and what it holds.</summary>
internal sealed record ColumnChunkInfo(
    long ValueCount,
    long UncompressedBytes,
    long CompressedBytes,
    long DataPageOffset,
    long? DictionaryPageOffset,
    int PlainPages,
    int DictionaryEncodedPages,
    ChunkStatistics Statistics);

internal sealed record RowGroupInfo(long Rows, long FileOffset, IReadOnlyList<ColumnChunkInfo> Columns);

/// <summary>
/// The Thrift structs of parquet.thrift that Coffer writes: page headers and the footer's FileMetaData. Field ids are
/// parquet.thrift's, noted beside each write.
/// </summary>
internal static class ParquetMetadata
{
    private const int PageTypeData = 0;
    private const int PageTypeDictionary = 2;
    private const int ConvertedUtf8 = 0;
    private const int ConvertedTimestampMillis = 9;
    private const int Optional = 1;
    private const int Required = 0;

    /// <summary>"coffer version 0.1.0 (build abc123)", in the form parquet.thrift asks of <c>created_by</c>.</summary>
    public static readonly string CreatedBy = DescribeBuild();

    public static void WritePageHeader(CompactWriter writer, PageContent page, int uncompressedSize, int compressedSize)
    {
        writer.BeginStruct();
        writer.Field(1, page.IsDictionary ? PageTypeDictionary : PageTypeData); // type
        writer.Field(2, uncompressedSize); // uncompressed_page_size
        writer.Field(3, compressedSize); // compressed_page_size
        if (page.IsDictionary)
        {
            writer.BeginStructField(7); // dictionary_page_header
            writer.Field(1, page.ValueCount); // num_values
            writer.Field(2, (int)ParquetEncoding.Plain); // encoding
            writer.EndStruct();
        }
        else
        {
            writer.BeginStructField(5); // data_page_header
            writer.Field(1, page.ValueCount); // num_values
            writer.Field(2, (int)page.Encoding); // encoding
            writer.Field(3, (int)ParquetEncoding.Rle); // definition_level_encoding
            writer.Field(4, (int)ParquetEncoding.Rle); // repetition_level_encoding
            writer.EndStruct();
        }

        writer.EndStruct();
    }

    public static void WriteFileMetaData(CompactWriter writer, string messageName, IReadOnlyList<ParquetColumn> columns,
        IReadOnlyList<RowGroupInfo> rowGroups, ParquetCompression compression)
    {
        writer.BeginStruct();
        writer.Field(1, 2); // version
        writer.BeginListField(2, CompactWriter.ElementStruct, columns.Count + 1); // schema: the root, then one leaf per column
        writer.BeginStruct();
        writer.Field(4, messageName); // name
        writer.Field(5, columns.Count); // num_children
        writer.EndStruct();
        foreach (var column in columns)
        {
            WriteSchemaElement(writer, column);
        }

        writer.Field(3, rowGroups.Sum(g => g.Rows)); // num_rows
        writer.BeginListField(4, CompactWriter.ElementStruct, rowGroups.Count); // row_groups
        for (var i = 0; i < rowGroups.Count; i++)
        {
            WriteRowGroup(writer, rowGroups[i], (short)i, columns, compression);
        }

        writer.Field(6, CreatedBy); // created_by

        // Without column_orders, readers must not trust min_value and max_value.
        writer.BeginListField(7, CompactWriter.ElementStruct, columns.Count); // column_orders
        foreach (var _ in columns)
        {
            writer.BeginStruct();
            writer.BeginStructField(1); // TYPE_ORDER
            writer.EndStruct();
            writer.EndStruct();
        }

        writer.EndStruct();
    }

    private static void WriteSchemaElement(CompactWriter writer, ParquetColumn column)
    {
        writer.BeginStruct();
        writer.Field(1, (int)column.PhysicalType); // type
        writer.Field(3, column.Required ? Required : Optional); // repetition_type
        writer.Field(4, column.Name); // name
        switch (column.Definition.Type)
        {
            case ColumnType.String:
                writer.Field(6, ConvertedUtf8); // converted_type
                writer.BeginStructField(10); // logicalType
                writer.BeginStructField(1); // STRING
                writer.EndStruct();
                writer.EndStruct();
                break;
            case ColumnType.Timestamp:
                writer.Field(6, ConvertedTimestampMillis); // converted_type
                writer.BeginStructField(10); // logicalType
                writer.BeginStructField(8); // TIMESTAMP
                writer.Field(1, true); // isAdjustedToUTC
                writer.BeginStructField(2); // unit
                writer.BeginStructField(1); // MILLIS
                writer.EndStruct();
                writer.EndStruct();
                writer.EndStruct();
                writer.EndStruct();
                break;
        }

        writer.EndStruct();
    }

    private static void WriteRowGroup(CompactWriter writer, RowGroupInfo rowGroup, short ordinal, IReadOnlyList<ParquetColumn> columns,
        ParquetCompression compression)
    {
        writer.BeginStruct();
        writer.BeginListField(1, CompactWriter.ElementStruct, columns.Count); // columns
        for (var i = 0; i < columns.Count; i++)
        {
            writer.BeginStruct();
            writer.Field(2, 0L); // file_offset: deprecated, 0 when no ColumnMetaData is written outside the footer
            writer.BeginStructField(3); // meta_data
            WriteColumnMetaData(writer, columns[i], rowGroup.Columns[i], compression);
            writer.EndStruct();
            writer.EndStruct();
        }

        writer.Field(2, rowGroup.Columns.Sum(c => c.UncompressedBytes)); // total_byte_size
        writer.Field(3, rowGroup.Rows); // num_rows
        writer.Field(5, rowGroup.FileOffset); // file_offset
        writer.Field(6, rowGroup.Columns.Sum(c => c.CompressedBytes)); // total_compressed_size
        writer.Field(7, ordinal); // ordinal
        writer.EndStruct();
    }

    private static void WriteColumnMetaData(CompactWriter writer, ParquetColumn column, ColumnChunkInfo chunk, ParquetCompression compression)
    {
        var encodings = new List<int>();
        if (chunk.PlainPages > 0 || chunk.DictionaryPageOffset is not null)
        {
            encodings.Add((int)ParquetEncoding.Plain);
        }

        if (!column.Required)
        {
            encodings.Add((int)ParquetEncoding.Rle);
        }

        if (chunk.DictionaryEncodedPages > 0)
        {
            encodings.Add((int)ParquetEncoding.RleDictionary);
        }

        writer.Field(1, (int)column.PhysicalType); // type
        writer.BeginListField(2, CompactWriter.ElementI32, encodings.Count); // encodings
        foreach (var encoding in encodings)
        {
            writer.Element(encoding);
        }

        writer.BeginListField(3, CompactWriter.ElementBinary, 1); // path_in_schema
        writer.Element(column.Name);
        writer.Field(4, (int)compression); // codec
        writer.Field(5, chunk.ValueCount); // num_values
        writer.Field(6, chunk.UncompressedBytes); // total_uncompressed_size
        writer.Field(7, chunk.CompressedBytes); // total_compressed_size
        writer.Field(9, chunk.DataPageOffset); // data_page_offset
        if (chunk.DictionaryPageOffset is { } dictionaryOffset)
        {
            writer.Field(11, dictionaryOffset); // dictionary_page_offset
        }

        writer.BeginStructField(12); // statistics
        var statistics = chunk.Statistics;
        if (statistics.Max is not null && column.PhysicalType != PhysicalType.ByteArray)
        {
            // The deprecated max and min are signed comparisons: right for INT64 and BOOLEAN, not for strings.
            writer.Field(1, statistics.Max); // max
            writer.Field(2, statistics.Min); // min
        }

        writer.Field(3, statistics.NullCount); // null_count
        if (statistics.Max is not null)
        {
            writer.Field(5, statistics.Max); // max_value
            writer.Field(6, statistics.Min); // min_value
        }

        writer.EndStruct();

        var pageKinds = new List<(int PageType, ParquetEncoding Encoding, int Count)>();
        if (chunk.DictionaryPageOffset is not null)
        {
            pageKinds.Add((PageTypeDictionary, ParquetEncoding.Plain, 1));
        }

        if (chunk.DictionaryEncodedPages > 0)
        {
            pageKinds.Add((PageTypeData, ParquetEncoding.RleDictionary, chunk.DictionaryEncodedPages));
        }

        if (chunk.PlainPages > 0)
        {
            pageKinds.Add((PageTypeData, ParquetEncoding.Plain, chunk.PlainPages));
        }

        writer.BeginListField(13, CompactWriter.ElementStruct, pageKinds.Count); // encoding_stats
        foreach (var (pageType, encoding, count) in pageKinds)
        {
            writer.BeginStruct();
            writer.Field(1, pageType); // page_type
            writer.Field(2, (int)encoding); // encoding
            writer.Field(3, count); // count
            writer.EndStruct();
        }
    }

    private static string DescribeBuild()
    {
        // The informational version is "0.1.0+<commit>" when the build knows its commit.
        var version = typeof(ParquetMetadata).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? $"coffer version {version}" : $"coffer version {version[..plus]} (build {version[(plus + 1)..]})";
    }
}
