namespace Coffer.Inventory.Tests;

/// <summary>A strict reader for the reports' CSV: every field quoted, quotes doubled, rows ended by \n.</summary>
internal static class Csv
{
    public static IReadOnlyList<string[]> Parse(string text)
    {
        var rows = new List<string[]>();
        var fields = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != '"')
            {
                throw new FormatException($"Expected a quote at {i}.");
            }

            var value = new System.Text.StringBuilder();
            i++;
            while (true)
            {
                if (text[i] == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    value.Append('"');
                    i += 2;
                }
                else if (text[i] == '"')
                {
                    i++;
                    break;
                }
                else
                {
                    value.Append(text[i++]);
                }
            }

            fields.Add(value.ToString());
            if (text[i] == ',')
            {
                i++;
                continue;
            }

            if (text[i] != '\n')
            {
                throw new FormatException($"Expected a comma or a newline at {i}.");
            }

            rows.Add([.. fields]);
            fields.Clear();
            i++;
        }

        return rows;
    }
}
