namespace Coffer.Reports;

/// <summary>The value types report columns have; ORC and Parquet write them natively, CSV as text.</summary>
public enum ColumnType
{
    String,
    Int64,
    Boolean,

    /// <summary>An instant, held as 100 ns ticks since 1970-01-01 UTC.</summary>
    Timestamp,
}

/// <summary>How CSV writes a text cell: quoted as it is (quotes doubled), or URL-encoded (which leaves no quote to double).</summary>
public enum CsvText
{
    Quoted,
    UrlEncoded,
}

/// <param name="Name">The name in CSV schemas (<c>LastModifiedDate</c>, <c>x-cos-meta-color</c>).</param>
/// <param name="ColumnarName">The name in ORC and Parquet schemas (<c>last_modified_date</c>).</param>
public sealed record ColumnDefinition(string Name, string ColumnarName, ColumnType Type)
{
    public CsvText CsvText { get; init; } = CsvText.Quoted;

    /// <summary>Every row has a value (Parquet declares the column <c>required</c>); a null in it is an error.</summary>
    public bool Required { get; init; }

    /// <summary>Values rarely repeat (keys, ETags): columnar writers do not try a dictionary for them.</summary>
    public bool MostlyUnique { get; init; }
}

/// <param name="Name">The name of the whole row type, where a format names it (Parquet's message: <c>s3.inventory</c>).</param>
public sealed record ColumnSchema(string Name, IReadOnlyList<ColumnDefinition> Columns);
