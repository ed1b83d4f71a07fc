namespace Coffer.Reports;

/// <summary>
/// Rows handed to a report writer at once, column by column: one typed <see cref="ColumnVector"/> per column of the
/// schema. A batch is filled, written, cleared and filled again: its arrays are kept, so writing rows allocates nothing
/// per row. Rows may be tied to the one before them, so that a part never ends between the two.
/// </summary>
public sealed class ColumnBatch
{
    private readonly ColumnVector[] _columns;
    private readonly bool[] _tiedToPrevious;

    public ColumnBatch(ColumnSchema schema, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Schema = schema;
        Capacity = capacity;
        _columns = [.. schema.Columns.Select(c => new ColumnVector(c.Type, capacity))];
        _tiedToPrevious = new bool[capacity];
    }

    public ColumnSchema Schema { get; }

    public int Capacity { get; }

    /// <summary>Rows in the batch, set by <see cref="Seal"/> once every column is filled.</summary>
    public int Count { get; private set; }

    public ColumnVector this[int column] => _columns[column];

    /// <summary>Empties every column, to be filled again.</summary>
    public void Clear()
    {
        foreach (var column in _columns)
        {
            column.Clear();
        }

        Array.Clear(_tiedToPrevious, 0, Count);
        Count = 0;
    }

    /// <summary>Ends filling: every column must hold the same number of values, which becomes the batch's row count.</summary>
    public void Seal()
    {
        var rows = _columns.Length == 0 ? 0 : _columns[0].Count;
        foreach (var column in _columns)
        {
            if (column.Count != rows)
            {
                throw new InvalidOperationException($"The columns of a batch hold {rows} and {column.Count} values: every column needs one value a row.");
            }
        }

        Count = rows;
    }

    /// <summary>Keeps <paramref name="row"/> in the same part as the row before it (in the batch or before the batch).</summary>
    public void TieToPrevious(int row) => _tiedToPrevious[row] = true;

    /// <summary>Whether a part may end before <paramref name="row"/>.</summary>
    public bool MayEndPartBefore(int row) => !_tiedToPrevious[row];
}
