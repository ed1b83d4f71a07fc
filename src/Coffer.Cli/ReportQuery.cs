using System.Text.Json.Nodes;
using DuckDB.NET.Data;

namespace Coffer.Cli;

/// <summary>
/// SQL over a report with DuckDB: the report's files are downloaded into a temporary folder (deleted after) and
/// exposed as the view <c>report</c>. CSV columns take the manifest's fileSchema names (Size as BIGINT, the Is* columns
/// as BOOLEAN, the rest as text as the report writes it); Parquet files carry their own schema. DuckDB reads no ORC.
/// </summary>
public static partial class ReportQuery
{
    private static readonly HashSet<string> Booleans = new(StringComparer.Ordinal) { "IsLatest", "IsDeleteMarker", "IsMultipartUploaded" };

    public static async Task<JsonArray> RunAsync(CofferClient client, ReportSource report, string sql, CancellationToken cancellationToken)
    {
        if (report.FileFormat is not ("CSV" or "Parquet"))
        {
            throw CliException.Usage($"DuckDB cannot read {report.FileFormat} reports; query a CSV or Parquet report");
        }

        if (string.IsNullOrWhiteSpace(sql))
        {
            throw CliException.Usage("the query is empty; give a statement such as SELECT count(*) FROM report");
        }

        var folder = Directory.CreateTempSubdirectory("coffer-report-");
        try
        {
            var paths = new List<string>();
            foreach (var (key, index) in report.FileKeys.Select((k, i) => (k, i)))
            {
                var path = Path.Combine(folder.FullName, $"{index}{(report.FileFormat == "CSV" ? ".csv.gz" : ".parquet")}");
                await File.WriteAllBytesAsync(path, await client.SendAsync(HttpMethod.Get, report.Bucket, key, "", cancellationToken: cancellationToken), cancellationToken);
                paths.Add(path);
            }

            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            using (var view = connection.CreateCommand())
            {
                // A report of no rows has no files (an empty bucket, a prefix nothing matches): its view has the columns and no rows.
                view.CommandText = paths.Count == 0
                    ? $"CREATE VIEW report AS SELECT {EmptyColumns(report)} WHERE false"
                    : $"CREATE VIEW report AS SELECT * FROM {Source(report, paths)}";
                view.ExecuteNonQuery();
            }

            using var command = connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var rows = new JsonArray();
            while (reader.Read())
            {
                var row = new JsonObject();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row[reader.GetName(i)] = reader.IsDBNull(i) ? null : System.Text.Json.JsonSerializer.SerializeToNode(Value(reader.GetValue(i)));
                }

                rows.Add(row);
            }

            return rows;
        }
        catch (DuckDBException error)
        {
            throw CliException.Usage($"DuckDB: {error.Message.Split('\n')[0]}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string Source(ReportSource report, List<string> paths)
    {
        var list = "[" + string.Join(", ", paths.Select(p => $"'{p}'")) + "]";
        if (report.FileFormat == "Parquet")
        {
            return $"read_parquet({list})";
        }

        var columns = string.Join(", ", CsvColumns(report).Select(c => $"'{c.Name.Replace("'", "''", StringComparison.Ordinal)}': '{c.Type}'"));
        return $"read_csv({list}, header = false, compression = 'gzip', delim = ',', quote = '\"', escape = '\"', auto_detect = false, columns = {{{columns}}})";
    }

    /// <summary>The CSV columns the manifest's fileSchema names, with the types the report's text is read as.</summary>
    private static IEnumerable<(string Name, string Type)> CsvColumns(ReportSource report) =>
        report.Manifest.GetProperty("fileSchema").GetString()!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(n => (n, n == "Size" ? "BIGINT" : Booleans.Contains(n) ? "BOOLEAN" : "VARCHAR"));

    /// <summary>
    /// The report's columns as typed NULLs: from the CSV names, or from the Parquet message's fields
    /// (<c>optional int64 size;</c>, <c>optional int64 last_modified_date (TIMESTAMP_MILLIS);</c>).
    /// </summary>
    private static string EmptyColumns(ReportSource report)
    {
        var columns = report.FileFormat == "CSV"
            ? CsvColumns(report)
            : ParquetField().Matches(report.Manifest.GetProperty("fileSchema").GetString()!).Select(m => (Name: m.Groups["name"].Value, Type: m.Groups["type"].Value switch
            {
                // Coffer writes its timestamps adjusted to UTC, which DuckDB reads as TIMESTAMPTZ.
                "int64" when m.Groups["annotation"].Value.StartsWith("TIMESTAMP", StringComparison.Ordinal) => "TIMESTAMPTZ",
                "int64" => "BIGINT",
                "int32" => "INTEGER",
                "boolean" => "BOOLEAN",
                _ => "VARCHAR",
            }));
        var list = columns.Select(c => $"CAST(NULL AS {c.Type}) AS \"{c.Name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"").ToArray();
        return list.Length > 0 ? string.Join(", ", list) : throw CliException.Usage("the report's manifest names no columns Coffer can read in its fileSchema");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?:required|optional)\s+(?<type>\w+)\s+(?<name>[^\s;(]+)\s*(?:\((?<annotation>[^)]*)\))?\s*;")]
    private static partial System.Text.RegularExpressions.Regex ParquetField();

    private static object Value(object value) => value switch
    {
        System.Numerics.BigInteger big => big.ToString(System.Globalization.CultureInfo.InvariantCulture),
        DateTime time => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture),
        bool or string or long or int or short or sbyte or byte or ulong or uint or ushort or double or float or decimal => value,
        _ => value.ToString() ?? "",
    };
}
