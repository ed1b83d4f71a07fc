namespace Coffer.Reports.Parquet;

/// <summary>The codec pages are compressed with; the values are parquet.thrift's <c>CompressionCodec</c>.</summary>
public enum ParquetCompression
{
    Uncompressed = 0,
    Snappy = 1,
    Gzip = 2,
}

public sealed record ParquetOptions
{
    public ParquetCompression Compression { get; init; } = ParquetCompression.Snappy;

    /// <summary>
    /// A row group ends once its rows hold this many bytes of values, counted as plain-encoded and uncompressed.
    /// Memory is bounded by one row group's compressed pages (plus one open page per column): 8 MiB of report values is
    /// about 75,000 rows and 3 MB of Snappy pages, few enough 128 KiB blocks that the shared array pool keeps reusing
    /// them (with 64 MiB a part held ~20 MB, the pool dropped most and every run grew the large object heap).
    /// </summary>
    public long RowGroupBytes { get; init; } = 8L << 20;

    /// <summary>A data page ends once its encoded values reach this many bytes…</summary>
    public int PageBytes { get; init; } = 1 << 20;

    /// <summary>…or hold this many rows, whichever comes first (dictionary-encoded pages are small per row).</summary>
    public int PageRows { get; init; } = 20_000;

    /// <summary>A column chunk's dictionary stops growing at this many bytes; later pages of the chunk are PLAIN.</summary>
    public int DictionaryBytes { get; init; } = 1 << 20;
}
