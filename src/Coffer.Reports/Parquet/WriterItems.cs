using System.Buffers;

namespace Coffer.Reports.Parquet;

/// <summary>What the row side hands the file side: pages to encode and compress, and the ends of row groups.</summary>
internal abstract class WriterItem;

/// <summary>
/// One page as collected from rows, before level encoding and compression. The arrays are rented; the file side returns
/// them when the page is written.
/// </summary>
internal sealed class PageContent : WriterItem, IDisposable
{
    public required int Column { get; init; }

    public required bool IsDictionary { get; init; }

    public required ParquetEncoding Encoding { get; init; }

    /// <summary>Rows (nulls included) for a data page; entries for a dictionary page.</summary>
    public required int ValueCount { get; init; }

    /// <summary>One definition level per row (0 null, 1 present); null for required columns and dictionary pages.</summary>
    public int[]? DefinitionLevels { get; init; }

    /// <summary>For <see cref="ParquetEncoding.RleDictionary"/>: one dictionary index per present value.</summary>
    public int[]? Indices { get; init; }

    public int IndexCount { get; init; }

    public int IndexBitWidth { get; init; }

    /// <summary>For <see cref="ParquetEncoding.Plain"/>: the present values, PLAIN-encoded.</summary>
    public PooledBuffer? Values { get; init; }

    public void Dispose()
    {
        if (DefinitionLevels is not null)
        {
            ArrayPool<int>.Shared.Return(DefinitionLevels);
        }

        if (Indices is not null)
        {
            ArrayPool<int>.Shared.Return(Indices);
        }

        Values?.Dispose();
    }
}

/// <summary>Every page of the row group has been sent: its chunks can go out.</summary>
internal sealed class RowGroupEnd(long rows, ChunkStatistics[] statistics) : WriterItem
{
    public long Rows { get; } = rows;

    /// <summary>One per column, in schema order.</summary>
    public ChunkStatistics[] Statistics { get; } = statistics;
}
