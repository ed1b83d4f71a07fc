using Coffer.Reports.Parquet;
using Coffer.Testing.Reports;

namespace Coffer.Reports.Tests.Parquet;

/// <summary>
/// Batches are taken column by column, a range of rows at a time: pages and row groups must still end after the same
/// rows as if each row were taken whole, one after the other.
/// </summary>
public sealed class ParquetBatchRangeTests
{
    private const int PageRows = 37;
    private const long RowGroupBytes = 10 << 10;

    private static readonly ColumnSchema Schema = new("test.rows",
    [
        new("Key", "key", ColumnType.String) { Required = true, MostlyUnique = true },
        new("Size", "size", ColumnType.Int64),
        new("Flag", "flag", ColumnType.Boolean),
        new("Time", "time", ColumnType.Timestamp),
    ]);

    [Fact]
    public async Task Part_EndsPagesAndRowGroupsAfterTheRowsARowByRowWriterWould_AcrossUnevenBatches()
    {
        var random = new Random(13);
        var rows = Enumerable.Range(0, 6_000).Select(i => (
            Key: new string((char)('a' + (i % 26)), random.Next(0, 120)),
            Size: i % 5 == 0 ? (long?)null : i,
            Flag: i % 3 == 0 ? (bool?)null : i % 2 == 0,
            Time: i % 7 == 0 ? (long?)null : i * 10_000L)).ToList();

        var output = new MemoryStream();
        await using (var part = new ParquetReportFormat(new ParquetOptions { PageRows = PageRows, RowGroupBytes = RowGroupBytes }).CreatePart(output, Schema))
        {
            var batch = new ColumnBatch(Schema, 1_024);
            for (var first = 0; first < rows.Count;)
            {
                var count = Math.Min(rows.Count - first, random.Next(1, 1_025));
                batch.Clear();
                foreach (var row in rows.Skip(first).Take(count))
                {
                    batch[0].Add(row.Key);
                    batch[1].Add(row.Size);
                    batch[2].Add(row.Flag);
                    if (row.Time is { } ticks)
                    {
                        batch[3].Add(ticks);
                    }
                    else
                    {
                        batch[3].AddNull();
                    }
                }

                batch.Seal();
                await part.WriteAsync(batch, CancellationToken.None);
                first += count;
            }

            await part.CompleteAsync(CancellationToken.None);
        }

        // Row by row: a row group ends after the row whose PLAIN bytes take the group to its bound.
        var expectedGroups = new List<int>();
        var (groupRows, groupBytes) = (0, 0L);
        foreach (var row in rows)
        {
            groupRows++;
            groupBytes += 4 + row.Key.Length + (row.Size is null ? 0 : 8) + (row.Flag is null ? 0 : 1) + (row.Time is null ? 0 : 8);
            if (groupBytes >= RowGroupBytes)
            {
                expectedGroups.Add(groupRows);
                (groupRows, groupBytes) = (0, 0);
            }
        }

        if (groupRows > 0)
        {
            expectedGroups.Add(groupRows);
        }

        var file = ParquetTestReader.Open(output.ToArray());
        file.RowGroups.Select(g => (int)g.Long(3)).Should().Equal(expectedGroups);
        for (var group = 0; group < expectedGroups.Count; group++)
        {
            var pages = Enumerable.Repeat(PageRows, expectedGroups[group] / PageRows).ToList();
            if (expectedGroups[group] % PageRows != 0)
            {
                pages.Add(expectedGroups[group] % PageRows);
            }

            for (var column = 0; column < Schema.Columns.Count; column++)
            {
                file.ReadChunk(group, column).Pages.Select(p => p.ValueCount).Should().Equal(pages, $"row group {group}, column {column}");
            }
        }

        file.Column("key").Should().Equal(rows.Select(r => (object?)r.Key));
        file.Column("size").Should().Equal(rows.Select(r => (object?)r.Size));
        file.Column("flag").Should().Equal(rows.Select(r => (object?)r.Flag));
    }
}
